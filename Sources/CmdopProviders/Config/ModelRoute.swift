/// Where a model alias such as `@fast` points: a provider and, optionally, a model other than its default.
public struct ModelRoute: Sendable, Hashable {
    /// The provider's name.
    public var provider: String
    /// The model; `nil` means the provider's `defaultModel`.
    public var model: String?

    /// Creates a route.
    public init(provider: String, model: String? = nil) {
        self.provider = provider
        self.model = model
    }
}

/// A provider and the model to ask, after alias resolution.
public struct ResolvedModel: Sendable, Hashable {
    /// The provider record.
    public var provider: ProviderConfig
    /// The model name.
    public var model: String
}
