/// Makes ids for tool calls that arrive without one (ollama, some gateways).
enum CallIDGenerator {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// A fresh id such as `call_3kT9...` (24 random characters).
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<24).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        return "call_" + String(decoding: suffix, as: UTF8.self)
    }
}
