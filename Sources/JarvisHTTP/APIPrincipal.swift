import CmdopStorage

/// Who is calling the API: an API key of jarvis's own fleet, with its scopes.
struct APIPrincipal: Sendable, Equatable {
    var keyID: String
    var prefix: String
    var scopes: Set<String>

    /// How decisions and runs name this caller ("operator:cmdop_ab12").
    var actor: String { "operator:" + prefix }

    /// Whether the key may act with `scope` (`admin` implies every scope).
    func permits(_ scope: Scope) -> Bool { scopes.contains(Scope.admin.rawValue) || scopes.contains(scope.rawValue) }
}
