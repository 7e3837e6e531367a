/// One condition a delivery must meet to start a run (`filters:`); deliveries that fail one are
/// answered 202 `ignored` and not stored.
public struct WebhookFilter: Sendable, Hashable, CustomStringConvertible {
    /// What the filter looks at.
    public enum Subject: Sendable, Hashable {
        /// A request header, by lower-cased name (`header: X-GitHub-Event`).
        case header(String)
        /// A payload field by dot path (`field: workflow_run.conclusion`).
        case field(String)
    }

    /// What it requires.
    public enum Condition: Sendable, Hashable {
        /// The value equals this text (`equals:`).
        case equals(String)
        /// The value is one of these (`in: [..]`).
        case oneOf([String])
        /// The value is present and not null (`exists: true`), or absent (`exists: false`).
        case exists(Bool)
    }

    public var subject: Subject
    public var condition: Condition

    /// Creates a filter.
    public init(_ subject: Subject, _ condition: Condition) {
        self.subject = subject
        self.condition = condition
    }

    /// Nil when the delivery passes; otherwise why it was ignored.
    func rejection(headers: [String: String], payload: PayloadValue) -> String? {
        let value: String?
        let present: Bool
        switch subject {
        case .header(let name):
            value = headers[name]
            present = value != nil
        case .field(let path):
            let found = payload.value(at: path)
            present = found != nil
            value = found?.text
        }
        switch condition {
        case .exists(let wanted):
            guard present != wanted else { return nil }
            return wanted ? "\(subjectText) is missing" : "\(subjectText) is present"
        case .equals(let expected):
            guard let value else { return "\(subjectText) is missing (expected '\(expected)')" }
            return value == expected ? nil : "\(subjectText) is '\(value)', not '\(expected)'"
        case .oneOf(let allowed):
            guard let value else { return "\(subjectText) is missing (expected one of \(allowed.joined(separator: ", ")))" }
            return allowed.contains(value) ? nil : "\(subjectText) is '\(value)', not one of \(allowed.joined(separator: ", "))"
        }
    }

    private var subjectText: String {
        switch subject {
        case .header(let name): "header \(name)"
        case .field(let path): "field \(path)"
        }
    }

    public var description: String {
        switch condition {
        case .equals(let value): "\(subjectText) equals '\(value)'"
        case .oneOf(let values): "\(subjectText) in [\(values.joined(separator: ", "))]"
        case .exists(let wanted): "\(subjectText) \(wanted ? "exists" : "is absent")"
        }
    }
}
