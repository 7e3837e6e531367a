import CmdopCore
import CmdopProtocol
import Foundation

public typealias Frame = Cmdop_Agent_V1_Frame

extension Cmdop_Agent_V1_Frame {
    /// A frame carrying `body`.
    public static func with(_ body: Cmdop_Agent_V1_Frame.OneOf_Body) -> Frame {
        var frame = Frame()
        frame.body = body
        return frame
    }

    /// An `Error` frame for `requestID` (empty: the whole stream) from a `MeshError`.
    public static func error(_ error: MeshError, requestID: String = "") -> Frame {
        var wire = Cmdop_Agent_V1_Error()
        wire.requestID = requestID
        wire.code = .init(error.code)
        wire.message = error.message
        wire.candidates = error.candidates
        return .with(.error(wire))
    }

    /// A heartbeat stamped with the current time.
    public static func heartbeat() -> Frame {
        var beat = Cmdop_Agent_V1_Heartbeat()
        beat.sentAtUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        return .with(.heartbeat(beat))
    }

    /// The bulk of a frame for queue accounting: its payload bytes, plus an allowance for the envelope.
    public var estimatedSize: Int {
        switch body {
        case .event(let event):
            if case .output(let chunk) = event.payload { return chunk.data.count + 64 }
            return 256
        case .done(let done):
            if case .readFile(let read) = done.result { return read.content.count + 64 }
            return 256
        default:
            return 256
        }
    }

    /// The request id of a request, event, done or error frame; nil for the others.
    public var requestID: String? {
        switch body {
        case .request(let r): r.requestID
        case .event(let e): e.requestID
        case .done(let d): d.requestID
        case .error(let e): e.requestID
        default: nil
        }
    }
}

extension Cmdop_Agent_V1_ErrorCode {
    /// The wire code for a `MeshError.Code`.
    public init(_ code: MeshError.Code) {
        let index = MeshError.Code.all.firstIndex(of: code) ?? MeshError.Code.all.firstIndex(of: .internal)!
        self = Cmdop_Agent_V1_ErrorCode(rawValue: index + 1) ?? .internal
    }

    /// The `MeshError.Code` for this wire code.
    public var meshCode: MeshError.Code {
        let index = rawValue - 1
        return MeshError.Code.all.indices.contains(index) ? MeshError.Code.all[index] : .internal
    }
}

extension Cmdop_Agent_V1_Error {
    /// This wire error as a `MeshError`.
    public var meshError: MeshError { MeshError(code.meshCode, message, candidates: candidates) }
}

extension MachineSummary {
    /// The summary carried in a `Machine` message.
    public init(_ wire: Cmdop_Agent_V1_Machine) {
        self.init(id: wire.id, hostname: wire.hostname, name: wire.name, online: wire.online,
                  heartbeatAgeSeconds: wire.heartbeatAgeSeconds, agentVersion: wire.agentVersion, os: wire.os,
                  isJarvis: wire.isJarvis, fingerprint: wire.fingerprint)
    }

    /// This summary as a `Machine` message.
    public var wire: Cmdop_Agent_V1_Machine {
        var machine = Cmdop_Agent_V1_Machine()
        machine.id = id
        machine.hostname = hostname
        machine.name = name
        machine.online = online
        machine.heartbeatAgeSeconds = heartbeatAgeSeconds
        machine.agentVersion = agentVersion
        machine.os = os
        machine.isJarvis = isJarvis
        machine.fingerprint = fingerprint
        return machine
    }
}
