import Foundation
import JarvisWebhooks
import Yams

/// Reads a webhook's `verify:` block, resolving every secret from the environment at load time.
/// A secret whose variable is not set does not make the file invalid: the hook is loaded disabled,
/// with the variables to set.
struct VerifyReader {
    /// The verification with its secrets (nil while some are missing), the variables they came
    /// from, those that are not set, and the scheme's id header.
    struct Result {
        var scheme: WebhookScheme
        var verification: WebhookVerification?
        var environmentNames: [String]
        var missingNames: [String] = []
        var deliveryIDHeader: String?
    }

    let reader: DefinitionReader
    let environment: [String: String]

    /// Keys that would hold a secret itself; each gets a message pointing at `secret_env`.
    static let literalSecretKeys = [
        "secret", "secrets", "token", "key", "password", "signing_secret", "public_key", "public_keys", "webhook_secret",
    ]

    static let keysByScheme: [WebhookScheme: [String]] = [
        .github: ["scheme", "secret_env"],
        .standardWebhooks: ["scheme", "secret_env", "secret_envs", "public_key_envs"],
        .hmacSHA256: ["scheme", "secret_env", "header", "prefix", "encoding"],
        .bearer: ["scheme", "secret_env"],
    ]

    func read(_ node: Node) throws -> Result {
        guard case .mapping(let mapping) = node else {
            throw reader.fail(node, "verify", "expected a mapping with `scheme:` and `secret_env:`.")
        }
        for (keyNode, _) in mapping {
            guard let name = keyNode.string, Self.literalSecretKeys.contains(name) else { continue }
            let replacement = name.hasPrefix("public_key") ? "public_key_envs: [NAME]" : "secret_env: NAME"
            throw reader.fail(keyNode, "verify.\(name)", "secrets never go in this file. Put the value in an environment "
                + "variable and name the variable instead, with `\(replacement)`; then remove `\(name)` (and rotate the "
                + "secret if this file was shared).")
        }
        guard let schemeNode = mapping[Node("scheme")] else {
            throw reader.fail(node, "verify.scheme", "missing; add `scheme:` (github, standard-webhooks, hmac-sha256 or bearer).")
        }
        let scheme = try reader.choice(schemeNode, "verify.scheme", WebhookScheme.self)
        let entries = try reader.mapping(node, "verify", allowed: Self.keysByScheme[scheme] ?? ["scheme"])
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

        var names: [String] = []
        var missing: [String] = []
        // A missing value is recorded and stands in as a placeholder, so every other key is still checked.
        func secret(_ entry: DefinitionReader.Entry) throws -> String? {
            let name = try reader.environmentVariableName(entry.value, entry.path)
            names.append(name)
            guard let value = environment[name], !value.isEmpty else {
                missing.append(name)
                return nil
            }
            return value
        }
        var result = try readScheme(node, scheme, byName, secret: secret, names: { names })
        result.environmentNames = names
        if !missing.isEmpty {
            result.verification = nil
            result.missingNames = missing
        }
        return result
    }

    private func readScheme(_ node: Node, _ scheme: WebhookScheme, _ byName: [String: DefinitionReader.Entry],
                            secret: (DefinitionReader.Entry) throws -> String?, names: () -> [String]) throws -> Result {
        func requiredSecret() throws -> String {
            guard let entry = byName["secret_env"] else {
                throw reader.fail(node, "verify.secret_env", "missing; name the environment variable that holds the secret, "
                    + "e.g. `secret_env: \(scheme == .bearer ? "DEPLOY_HOOK_TOKEN" : "GITHUB_WEBHOOK_SECRET")`.")
            }
            return try secret(entry) ?? ""
        }

        switch scheme {
        case .github:
            return Result(scheme: scheme, verification: .github(secret: try requiredSecret()), environmentNames: names(),
                          deliveryIDHeader: scheme.defaultDeliveryIDHeader)
        case .bearer:
            return Result(scheme: scheme, verification: .bearer(token: try requiredSecret()), environmentNames: names(),
                          deliveryIDHeader: nil)
        case .hmacSHA256:
            let value = try requiredSecret()
            guard let headerEntry = byName["header"] else {
                throw reader.fail(node, "verify.header", "missing; name the header carrying the signature, e.g. `header: X-Signature`.")
            }
            let header = try WebhookDefinition.headerName(headerEntry.value, headerEntry.path, reader)
            let prefix = try byName["prefix"].map { try reader.string($0.value, $0.path) } ?? ""
            var base64 = false
            if let entry = byName["encoding"] {
                let encoding = try reader.string(entry.value, entry.path)
                guard ["hex", "base64"].contains(encoding) else {
                    throw reader.fail(entry.value, entry.path, "'\(encoding)' is not an encoding; use hex or base64.")
                }
                base64 = encoding == "base64"
            }
            return Result(scheme: scheme, verification: .hmacSHA256(secret: value, header: header, prefix: prefix, base64: base64),
                          environmentNames: names(), deliveryIDHeader: nil)
        case .standardWebhooks:
            return try standardWebhooks(node, byName, secret: secret, names: names)
        }
    }

    private func standardWebhooks(_ node: Node, _ byName: [String: DefinitionReader.Entry],
                                  secret: (DefinitionReader.Entry) throws -> String?, names: () -> [String]) throws -> Result {
        var secretEntries: [(DefinitionReader.Entry, Node)] = []
        if let entry = byName["secret_env"] { secretEntries.append((entry, entry.value)) }
        var keyEntries: [(DefinitionReader.Entry, Node)] = []
        for (listKey, isKey) in [("secret_envs", false), ("public_key_envs", true)] {
            guard let entry = byName[listKey] else { continue }
            guard case .sequence(let items) = entry.value, !items.isEmpty else {
                throw reader.fail(entry.value, entry.path, "expected a list of environment variable names, e.g. [HOOK_SECRET, HOOK_SECRET_OLD].")
            }
            for (index, item) in items.enumerated() {
                let itemEntry = DefinitionReader.Entry(name: listKey, keyNode: entry.keyNode, value: item, path: "\(entry.path)[\(index)]")
                if isKey { keyEntries.append((itemEntry, item)) } else { secretEntries.append((itemEntry, item)) }
            }
        }
        guard !secretEntries.isEmpty || !keyEntries.isEmpty else {
            throw reader.fail(node, "verify.secret_env", "missing; name the variable holding the whsec_ secret with `secret_env: NAME` "
                + "(or several with `secret_envs:`, or Ed25519 keys with `public_key_envs:`).")
        }
        var secrets: [String] = []
        for (entry, item) in secretEntries {
            guard let value = try secret(entry) else { continue }
            let encoded = value.hasPrefix("whsec_") ? String(value.dropFirst(6)) : value
            guard let key = Data(base64Encoded: encoded), !key.isEmpty else {
                throw reader.fail(item, entry.path, "the variable's value is not a Standard Webhooks secret (whsec_ followed by "
                    + "base64); copy the secret exactly as the sender shows it.")
            }
            secrets.append(value)
        }
        var keys: [String] = []
        for (entry, item) in keyEntries {
            guard let value = try secret(entry) else { continue }
            let encoded = value.hasPrefix("whpk_") ? String(value.dropFirst(5)) : value
            guard let key = Data(base64Encoded: encoded), key.count == 32 else {
                throw reader.fail(item, entry.path, "the variable's value is not an Ed25519 public key (whpk_ followed by the "
                    + "base64 of 32 bytes); copy the key exactly as the sender shows it.")
            }
            keys.append(value)
        }
        return Result(scheme: .standardWebhooks, verification: .standardWebhooks(secrets: secrets, publicKeys: keys),
                      environmentNames: names(), deliveryIDHeader: WebhookScheme.standardWebhooks.defaultDeliveryIDHeader)
    }
}
