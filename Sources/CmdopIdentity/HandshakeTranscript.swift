/// The bytes a machine signs in its Hello.
///
/// Binding the nonce to the fleet, hostname, role and public key means a signature captured from one
/// handshake proves nothing in any other: not for another host, fleet, role or key, and (the relay
/// consumes each nonce once) not a second time.
public enum HandshakeTranscript {
    public static func payload(nonce: [UInt8], fleet: String, hostname: String, role: String,
                               publicKey: [UInt8]) -> [UInt8] {
        var out = Array("cmdop.agent.v1/hello\u{0}".utf8)
        out += nonce
        for field in [fleet, hostname.lowercased(), role] {
            out += Array(field.utf8)
            out.append(0)
        }
        out += publicKey
        return out
    }
}
