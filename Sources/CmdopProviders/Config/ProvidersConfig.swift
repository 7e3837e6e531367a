/// The validated provider configuration: provider records, model aliases and the fallback chain.
///
/// ```swift
/// let config = try ProvidersConfig.load(path: "~/.cmdop/providers.yaml")
/// let target = try config.resolve("@fast")   // provider + model
/// ```
public struct ProvidersConfig: Sendable, Hashable {
    /// Provider records in file order.
    public var providers: [ProviderConfig]
    /// Aliases such as `@fast`, `@smart`, `@cheap`, `@balanced`, `@premium`.
    public var aliases: [String: ModelRoute]
    /// Provider names tried in order when the first fails (empty: no fallback).
    public var fallback: [String]

    /// Creates a configuration (not validated; ``load(yaml:file:)`` validates).
    public init(providers: [ProviderConfig], aliases: [String: ModelRoute] = [:], fallback: [String] = []) {
        self.providers = providers
        self.aliases = aliases
        self.fallback = fallback
    }

    /// The provider named `name`.
    public func provider(named name: String) -> ProviderConfig? { providers.first { $0.name == name } }

    /// Resolves `@alias`, `provider` or `provider:model` to a provider and model.
    /// - Throws: ``ProviderError`` `.badRequest` naming the known aliases and providers.
    public func resolve(_ reference: String) throws -> ResolvedModel {
        if reference.hasPrefix("@") {
            guard let route = aliases[reference], let provider = provider(named: route.provider) else {
                throw unknown(reference, what: "model alias")
            }
            return ResolvedModel(provider: provider, model: route.model ?? provider.defaultModel)
        }
        if let provider = provider(named: reference) {
            return ResolvedModel(provider: provider, model: provider.defaultModel)
        }
        if let colon = reference.firstIndex(of: ":"), let provider = provider(named: String(reference[..<colon])) {
            return ResolvedModel(provider: provider, model: String(reference[reference.index(after: colon)...]))
        }
        throw unknown(reference, what: "model reference")
    }

    private func unknown(_ reference: String, what: String) -> ProviderError {
        let aliasList = aliases.keys.sorted().joined(separator: ", ")
        let providerList = providers.map(\.name).joined(separator: ", ")
        return ProviderError(
            code: .badRequest,
            message: "Unknown \(what) '\(reference)'. Use one of the aliases [\(aliasList)], a provider name "
                + "[\(providerList)], or provider:model; aliases are defined under `aliases:` in providers.yaml.")
    }
}
