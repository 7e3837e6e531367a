import CmdopProtocol
import CmdopStorage
import CmdopMesh

/// One authenticated stream on the relay.
final class Peer: Sendable {
    enum Kind: Sendable, Equatable {
        /// A machine daemon or jarvis: it has a machine row and receives requests.
        case machine(MachineRecord)
        /// An operator authenticated by an API key.
        case `operator`(APIKeyRecord)
    }

    let id: UInt64
    let kind: Kind
    let fleetID: String
    let scopes: Set<Scope>
    let outbound: OutboundQueue

    init(id: UInt64, kind: Kind, fleetID: String, scopes: Set<Scope>, outbound: OutboundQueue) {
        self.id = id
        self.kind = kind
        self.fleetID = fleetID
        self.scopes = scopes
        self.outbound = outbound
    }

    var machine: MachineRecord? {
        if case .machine(let record) = kind { return record }
        return nil
    }

    /// Who this peer is, as shown to the machines it asks ("operator:cmdop_ab12…", "machine:web-1").
    var origin: String {
        switch kind {
        case .machine(let record): (record.isJarvis ? "jarvis:" : "machine:") + record.hostname
        case .operator(let key): "operator:" + key.prefix
        }
    }

    func send(_ frame: Frame) { outbound.yield(frame) }

    /// Ends the stream from the relay's side.
    func kick(_ reason: Frame? = nil) {
        if let reason { outbound.yield(reason) }
        outbound.finish()
    }
}
