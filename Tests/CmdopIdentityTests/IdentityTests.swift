import CmdopIdentity
import Foundation
import Testing

@Suite("Ed25519 identity and crypto helpers")
struct IdentityTests {
    @Test("a signature verifies, and fails for another message, key or a flipped bit")
    func signVerify() {
        let (identity, _) = Ed25519Identity.generate()
        let message = Array("hello relay".utf8)
        var signature = identity.sign(message)
        #expect(Ed25519Identity.verify(signature: signature, message: message, publicKey: identity.publicKey))
        #expect(!Ed25519Identity.verify(signature: signature, message: Array("hello relaz".utf8), publicKey: identity.publicKey))
        let other = Ed25519Identity.generate().identity
        #expect(!Ed25519Identity.verify(signature: signature, message: message, publicKey: other.publicKey))
        signature[10] ^= 1
        #expect(!Ed25519Identity.verify(signature: signature, message: message, publicKey: identity.publicKey))
    }

    @Test("the same seed always yields the same key and fingerprint")
    func deterministic() throws {
        let seed = [UInt8](repeating: 7, count: 32)
        let a = try Ed25519Identity(seed: seed)
        let b = try Ed25519Identity(seed: seed)
        #expect(a.publicKey == b.publicKey)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint.hasPrefix("SHA256:"))
        #expect(!a.fingerprint.hasSuffix("="))
    }

    @Test("SHA-256 and HMAC-SHA256 match published vectors")
    func vectors() {
        #expect(Crypto.hex(Crypto.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // GitHub's webhook documentation vector.
        let mac = Crypto.hmacSHA256(key: Array("It's a Secret to Everybody".utf8), message: Array("Hello, World!".utf8))
        #expect(Crypto.hex(mac) == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
        let hasher = SHA256Hasher()
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(hasher.finish() == Crypto.sha256(Array("abc".utf8)))
        #expect(hasher.finish() == Crypto.sha256(Array("abc".utf8)), "finishing twice gives the same digest")
    }

    @Test("a prepared HMAC key gives each message its own code: RFC 4231 cases 2 and 6, in turn and again")
    func preparedKey() {
        let short = HMACKey(Array("Jefe".utf8))
        let long = HMACKey([UInt8](repeating: 0xAA, count: 131))  // longer than a block: hashed first
        let case2 = Array("what do ya want for nothing?".utf8)
        let case6 = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        for _ in 0..<2 {  // a second use starts from the key again, not from the last message
            #expect(Crypto.hex(short.authenticationCode(for: case2))
                    == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
            #expect(Crypto.hex(long.authenticationCode(for: case6[...]))
                    == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        }
        #expect(Crypto.hmacSHA256(key: Array("Jefe".utf8), message: case2) == short.authenticationCode(for: case2))
    }

    @Test("empty input, and collections without contiguous storage, hash as their bytes")
    func edgeInputs() {
        #expect(Crypto.hex(Crypto.sha256([UInt8]()))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Crypto.hex(HMACKey([UInt8]()).authenticationCode(for: [UInt8]()))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
        let abc: [UInt8] = Array("abc".utf8)
        #expect(Crypto.sha256(abc.lazy.map { $0 }) == Crypto.sha256(abc))  // no contiguous storage: copied first
        let key = HMACKey(Array("Jefe".utf8))
        #expect(key.authenticationCode(for: abc.lazy.map { $0 }) == key.authenticationCode(for: abc))
    }

    @Test("constant-time comparison and hex round trip")
    func compareAndHex() {
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(Crypto.bytes(fromHex: "00ff10Ab") == [0, 255, 16, 171])
        #expect(Crypto.bytes(fromHex: "abc") == nil)
        #expect(Crypto.bytes(fromHex: "zz") == nil)
    }
}

@Suite("Identity seed file")
struct IdentityFileTests {
    let folder = FileManager.default.temporaryDirectory.path + "/cmdop-identity-" + UUID().uuidString

    @Test("a new identity is written as 32 bytes with mode 0600 and loads back the same")
    func createAndLoad() throws {
        let path = folder + "/agent_keypair.bin"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (created, isNew) = try IdentityFile.loadOrCreate(at: path)
        #expect(isNew)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
        let (loaded, isNewAgain) = try IdentityFile.loadOrCreate(at: path)
        #expect(!isNewAgain)
        #expect(loaded.publicKey == created.publicKey)
    }

    @Test("a seed readable by others is refused with the file and the chmod fix")
    func wrongMode() throws {
        let path = folder + "/agent_keypair.bin"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try IdentityFile.loadOrCreate(at: path)
        chmod(path, 0o644)
        #expect {
            try IdentityFile.load(from: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("chmod 600")
        }
    }

    @Test("a seed of the wrong length is refused with the file and its size")
    func wrongLength() throws {
        let path = folder + "/agent_keypair.bin"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try SecureFile.writeAtomically(Data(repeating: 1, count: 31), to: path)
        #expect {
            try IdentityFile.load(from: path)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("31")
        }
    }
}
