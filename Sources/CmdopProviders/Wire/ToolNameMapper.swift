/// Maps tool names to the charset every wire format accepts, `^[a-zA-Z0-9_-]{1,64}$`, and back.
///
/// Names that already fit are kept. Others have each forbidden character replaced by `_`; a name that would then
/// collide or is longer than 64 characters gets a stable hash suffix. The mapping is a bijection over the names
/// it was built from, so a call the model makes maps back to exactly one tool.
public struct ToolNameMapper: Sendable, Hashable {
    private var toWire: [String: String] = [:]
    private var fromWire: [String: String] = [:]

    /// Builds the mapping for `names` (duplicates are ignored).
    public init(names: [String]) {
        var seen = Set<String>()
        let unique = names.filter { seen.insert($0).inserted }
        // Names that are already valid keep themselves, so claim them first.
        for name in unique where Self.isValid(name) {
            toWire[name] = name
            fromWire[name] = name
        }
        for name in unique where !Self.isValid(name) {
            var candidate = Self.sanitize(name)
            if candidate.count > 64 || fromWire[candidate] != nil {
                candidate = String(candidate.prefix(55)) + "_" + Self.hash(name)
            }
            var counter = 2
            let base = candidate
            while fromWire[candidate] != nil {
                candidate = String(base.prefix(60)) + "_\(counter)"
                counter += 1
            }
            toWire[name] = candidate
            fromWire[candidate] = name
        }
    }

    /// Builds the mapping for a request's tools and the tool calls in its history.
    public init(request: ChatRequest) {
        var names = request.tools.map(\.name)
        for message in request.messages {
            names += message.toolCalls.map(\.name)
            if let name = message.toolName { names.append(name) }
        }
        self.init(names: names)
    }

    /// The wire-safe name for `name` (sanitised on the fly for names the mapping was not built from).
    public func wireName(for name: String) -> String {
        toWire[name] ?? (Self.isValid(name) ? name : String(Self.sanitize(name).prefix(64)))
    }

    /// The caller's name for a name the model used (unknown names are returned unchanged).
    public func originalName(for wireName: String) -> String { fromWire[wireName] ?? wireName }

    /// Whether `name` matches `^[a-zA-Z0-9_-]{1,64}$`.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy(isAllowed)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    private static func sanitize(_ name: String) -> String {
        let mapped = String(decoding: name.utf8.map { isAllowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        return mapped.isEmpty ? "tool" : mapped
    }

    /// FNV-1a 32-bit as 8 hex digits: stable across runs, unlike `hashValue`.
    private static func hash(_ name: String) -> String {
        var value: UInt32 = 0x811C_9DC5
        for byte in name.utf8 {
            value ^= UInt32(byte)
            value = value &* 0x0100_0193
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
