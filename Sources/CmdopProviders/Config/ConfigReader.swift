import Yams

/// Walks a YAML node tree into a ``ProvidersConfig``, rejecting unknown keys with precise errors.
struct ConfigReader {
    let file: String

    init(file: String) { self.file = file }

    func fail(_ node: Node?, _ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, key: key, message: message)
    }

    func mapping(_ node: Node, _ key: String, allowed: [String]) throws -> [(String, Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw fail(node, key, "expected a mapping of keys (\(allowed.joined(separator: ", "))).")
        }
        var seen = Set<String>()
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { throw fail(keyNode, key, "keys must be strings.") }
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                let hint = closest(name, in: allowed).map { " Did you mean `\($0)`?" } ?? ""
                throw fail(keyNode, path, "unknown key.\(hint) Allowed here: \(allowed.joined(separator: ", ")).")
            }
            guard seen.insert(name).inserted else { throw fail(keyNode, path, "duplicate key; keep one.") }
            pairs.append((name, keyNode, value))
        }
        return pairs
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw fail(node, key, "expected a non-empty string.")
        }
        return scalar.string
    }

    func number(_ node: Node, _ key: String) throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value >= 0, value.isFinite else {
            throw fail(node, key, "expected a number of 0 or more, e.g. 3 or 0.15.")
        }
        return value
    }

    mutating func readRoot(_ root: Node) throws -> ProvidersConfig {
        var providers: [ProviderConfig] = []
        var aliases: [String: ModelRoute] = [:]
        var fallback: [String] = []
        var aliasNodes: [String: Node] = [:]
        var fallbackNodes: [Node] = []
        for (name, _, value) in try mapping(root, "", allowed: ["providers", "aliases", "fallback"]) {
            switch name {
            case "providers":
                guard case .sequence(let sequence) = value, !sequence.isEmpty else {
                    throw fail(value, "providers", "expected a non-empty list of providers (`- name: ...`).")
                }
                for (index, node) in sequence.enumerated() {
                    let provider = try readProvider(node, "providers[\(index)]")
                    if providers.contains(where: { $0.name == provider.name }) {
                        throw fail(node, "providers[\(index)].name", "'\(provider.name)' is used twice; names must be unique.")
                    }
                    providers.append(provider)
                }
            case "aliases":
                for (alias, keyNode, target) in try mapping(value, "aliases", allowed: Self.anyKey(value)) {
                    guard alias.hasPrefix("@"), alias.count > 1 else {
                        throw fail(keyNode, "aliases.\(alias)", "alias names start with '@', e.g. '@fast'.")
                    }
                    var route = ModelRoute(provider: "")
                    for (field, _, fieldValue) in try mapping(target, "aliases.\(alias)", allowed: ["provider", "model"]) {
                        if field == "provider" { route.provider = try string(fieldValue, "aliases.\(alias).provider") }
                        if field == "model" { route.model = try string(fieldValue, "aliases.\(alias).model") }
                    }
                    guard !route.provider.isEmpty else {
                        throw fail(target, "aliases.\(alias).provider", "missing; name the provider this alias uses.")
                    }
                    aliases[alias] = route
                    aliasNodes[alias] = target
                }
            default:
                guard case .sequence(let sequence) = value else {
                    throw fail(value, "fallback", "expected a list of provider names, first choice first.")
                }
                for node in sequence {
                    fallback.append(try string(node, "fallback"))
                    fallbackNodes.append(node)
                }
            }
        }
        guard !providers.isEmpty else {
            throw fail(root, "providers", "missing; add at least one provider (name, wire, base_url, default_model).")
        }
        let names = providers.map(\.name)
        for (alias, route) in aliases.sorted(by: { $0.key < $1.key }) where !names.contains(route.provider) {
            throw fail(
                aliasNodes[alias], "aliases.\(alias).provider",
                "no provider is named '\(route.provider)'. Known providers: \(names.joined(separator: ", ")).")
        }
        for (name, node) in zip(fallback, fallbackNodes) where !names.contains(name) {
            throw fail(node, "fallback", "no provider is named '\(name)'. Known providers: \(names.joined(separator: ", ")).")
        }
        return ProvidersConfig(providers: providers, aliases: aliases, fallback: fallback)
    }

    static func anyKey(_ node: Node) -> [String] {
        node.mapping?.keys.compactMap(\.string) ?? []
    }

    static let providerKeys = [
        "name", "wire", "base_url", "api_key_env", "default_model", "num_ctx", "price_per_million_input",
        "price_per_million_output",
    ]

    func readProvider(_ node: Node, _ key: String) throws -> ProviderConfig {
        var name: String?
        var wire: ProviderConfig.Wire?
        var baseURL: String?
        var apiKeyEnv: String?
        var defaultModel: String?
        var numCtx: Int?
        var priceIn = 0.0
        var priceOut = 0.0
        for (field, _, value) in try mapping(node, key, allowed: Self.providerKeys) {
            let path = "\(key).\(field)"
            switch field {
            case "name":
                let text = try string(value, path)
                guard text.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
                    throw fail(value, path, "'\(text)' may only use a-z, 0-9, '-' and '_'.")
                }
                name = text
            case "wire":
                let text = try string(value, path)
                guard let parsed = ProviderConfig.Wire(spelling: text) else {
                    throw fail(value, path, "unknown wire '\(text)'. Use openai (any OpenAI-compatible server), anthropic or ollama.")
                }
                wire = parsed
            case "base_url":
                let text = try string(value, path)
                let host = text.drop(while: { $0 != "/" }).dropFirst(2)
                guard text.hasPrefix("http://") || text.hasPrefix("https://"), !host.isEmpty, !host.hasPrefix("/") else {
                    throw fail(value, path, "'\(text)' is not an http:// or https:// URL, e.g. http://127.0.0.1:11434.")
                }
                baseURL = text
            case "api_key_env":
                let text = try string(value, path)
                let isName = text.utf8.first.map { !($0 >= 0x30 && $0 <= 0x39) } ?? false
                    && text.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
                guard isName, !text.hasPrefix("sk"), text.count <= 64 else {
                    throw fail(
                        value, path,
                        "takes the NAME of an environment variable (e.g. OPENAI_API_KEY), never the key itself. "
                            + "Move the key into that variable and remove it from this file.")
                }
                apiKeyEnv = text
            case "default_model":
                defaultModel = try string(value, path)
            case "num_ctx":
                guard let value = value.int, value > 0 else {
                    throw fail(value, path, "expected a positive integer such as 8192.")
                }
                numCtx = value
            case "price_per_million_input":
                priceIn = try number(value, path)
            default:
                priceOut = try number(value, path)
            }
        }
        func require<T>(_ value: T?, _ field: String, _ example: String) throws -> T {
            guard let value else { throw fail(node, "\(key).\(field)", "missing; add it, e.g. `\(field): \(example)`.") }
            return value
        }
        return ProviderConfig(
            name: try require(name, "name", "local"), wire: try require(wire, "wire", "ollama"),
            baseURL: try require(baseURL, "base_url", "http://127.0.0.1:11434"), apiKeyEnv: apiKeyEnv,
            defaultModel: try require(defaultModel, "default_model", "qwen2.5:7b"), numCtx: numCtx,
            pricePerMillionInput: priceIn, pricePerMillionOutput: priceOut)
    }

    private func closest(_ word: String, in candidates: [String]) -> String? {
        candidates.min { distance(word, $0) < distance(word, $1) }.flatMap { distance(word, $0) <= 3 ? $0 : nil }
    }

    private func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
