import Foundation
import Synchronization

/// One line of the machine's audit log (JSON), with the fields of the original CMDOP.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var ts: String
    /// `decision` (written before the operation runs) or `result` (after it, on every path).
    public var event: String
    /// `allow`, `deny`, `ask_allowed`, `ask_denied` or `ask_timeout`.
    public var decision: String
    public var tool: String
    public var operation: String
    public var target: String
    public var mode: String
    /// `floor`, `rule` or `mode`.
    public var source: String
    /// SHA-256 of the deciding rule's text; empty when no rule decided.
    public var ruleID: String
    public var reason: String
    /// SHA-256 of the operation's input (command, or path and range).
    public var inputDigest: String
    public var askMs: Int
    public var hostname: String
    /// Who asked, as the relay vouches for it (`operator:cmdop_ab12…`, `jarvis:…`).
    public var user: String
    public var requestID: String
    /// Filled in when the operation ran: exit code and a digest of its output.
    public var exitCode: Int32?
    public var outputDigest: String?
    public var durationMs: Int64?
    /// Why an allowed operation failed, on its `result` line.
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case ts, event, decision, tool, operation, target, mode, source, reason, hostname, user, error
        case ruleID = "rule_id", inputDigest = "input_digest", askMs = "ask_ms", requestID = "request_id"
        case exitCode = "exit_code", outputDigest = "output_digest", durationMs = "duration_ms"
    }
}

/// An append-only JSON-lines file (mode 0600), one entry per line, written whole or not at all.
public final class AuditLog: Sendable {
    public let path: String
    private let lock = Mutex(())

    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw MeshAgentError("\(path): cannot open the audit log (\(String(cString: strerror(errno))))")
        }
        close(fd)
    }

    /// Appends `entry` as one line.
    public func append(_ entry: AuditEntry) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }

    /// Every entry in the file, oldest first; malformed lines are skipped.
    public func entries() -> [AuditEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(AuditEntry.self, from: $0) }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

/// A machine-agent failure worded for the person running it.
public struct MeshAgentError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
