import CmdopCore
import CmdopMesh
import CmdopProtocol
import CmdopStorage
import Foundation
import Logging

/// Presence and routing: which machines are online on which stream, and which caller waits for
/// which forwarded request. Everything is keyed by fleet; a peer only ever sees its own fleet.
actor Router {
    struct Presence {
        var peer: Peer
        var lastHeartbeat: ContinuousClock.Instant
    }

    /// A request forwarded to a machine, under a relay-chosen id.
    struct Route {
        var caller: Peer
        var callerRequestID: String
        var machinePeerID: UInt64
        var hostname: String
    }

    let store: RelayStore
    let logger: Logger
    private var nextPeerID: UInt64 = 0
    private var nextRouteID: UInt64 = 0
    private var peers: [UInt64: Peer] = [:]
    private var online: [String: Presence] = [:]          // machine id → live stream
    private var machinesByFleet: [String: [MachineRecord]] = [:]
    private var routes: [String: Route] = [:]              // relay request id → route
    private var routesByCaller: [UInt64: [String: String]] = [:]  // caller → its id → relay id
    private var routesByMachine: [UInt64: Set<String>] = [:]

    init(store: RelayStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    func makePeerID() -> UInt64 {
        nextPeerID += 1
        return nextPeerID
    }

    // MARK: Streams

    /// Adds an authenticated stream. A machine's new stream replaces its old one.
    func register(_ peer: Peer) {
        peers[peer.id] = peer
        guard let machine = peer.machine else { return }
        if let previous = online[machine.id], previous.peer.id != peer.id {
            logger.info("machine re-connected; closing its previous stream", metadata: ["relay.hostname": "\(machine.hostname)"])
            previous.peer.kick()
        }
        online[machine.id] = Presence(peer: peer, lastHeartbeat: .now)
        loadFleetIfNeeded(peer.fleetID)
        var fleet = machinesByFleet[peer.fleetID] ?? []
        if let index = fleet.firstIndex(where: { $0.id == machine.id }) {
            fleet[index] = machine
        } else {
            fleet.append(machine)
        }
        machinesByFleet[peer.fleetID] = fleet
        try? store.markSeen(machineID: machine.id, agentVersion: machine.agentVersion, os: machine.os, at: Date())
    }

    /// Removes a stream: its callers' requests are cancelled on the machines, and callers waiting on
    /// its machine get `machine_offline` at once.
    func unregister(_ peer: Peer) {
        guard peers.removeValue(forKey: peer.id) != nil else { return }
        if let machine = peer.machine, online[machine.id]?.peer.id == peer.id {
            online.removeValue(forKey: machine.id)
            if let index = machinesByFleet[peer.fleetID]?.firstIndex(where: { $0.id == machine.id }) {
                machinesByFleet[peer.fleetID]?[index].lastSeenAt = Date()
            }
            try? store.markSeen(machineID: machine.id, agentVersion: machine.agentVersion, os: machine.os, at: Date())
        }
        for routeID in routesByMachine.removeValue(forKey: peer.id) ?? [] {
            guard let route = removeRoute(routeID) else { continue }
            route.caller.send(.error(MeshError(
                .machineOffline, "\(route.hostname) disconnected before the request finished"),
                requestID: route.callerRequestID))
        }
        for (_, routeID) in routesByCaller.removeValue(forKey: peer.id) ?? [:] {
            guard let route = removeRoute(routeID) else { continue }
            peers[route.machinePeerID]?.send(Self.cancelFrame(routeID))
        }
    }

    /// Notes a heartbeat from `peer` and answers it.
    func heartbeat(from peer: Peer) {
        if let machine = peer.machine, online[machine.id]?.peer.id == peer.id {
            online[machine.id]?.lastHeartbeat = .now
        }
        peer.send(.heartbeat())
    }

    /// Closes the streams of machines that missed three heartbeats, and of operators whose key
    /// was revoked since they connected.
    func sweep(heartbeatInterval: Duration) {
        let revoked = (try? store.revokedAPIKeyIDs()) ?? []
        for peer in peers.values {
            guard case .operator(let key) = peer.kind, revoked.contains(key.id) else { continue }
            logger.info("closing a stream whose API key was revoked", metadata: ["relay.key": "\(key.prefix)"])
            peer.kick(.error(MeshError(.unauthenticated, "API key \(key.prefix)… was revoked")))
            unregister(peer)
        }
        let now = ContinuousClock.now
        for (_, presence) in online where now - presence.lastHeartbeat > heartbeatInterval * 3 {
            logger.info("machine missed three heartbeats; marking it offline",
                        metadata: ["relay.hostname": "\(presence.peer.machine?.hostname ?? "?")"])
            presence.peer.kick()
            unregister(presence.peer)
        }
    }

    // MARK: Requests

    /// Handles a request from `caller`: answers relay operations, forwards machine operations.
    func handle(_ request: Cmdop_Agent_V1_Request, from caller: Peer) {
        guard peers[caller.id] != nil else { return }  // kicked (revoked key, missed heartbeats)
        let id = request.requestID
        guard !id.isEmpty else {
            caller.send(.error(MeshError(.invalidArgument, "a request needs a request_id")))
            return
        }
        switch request.operation {
        case .listMachines:
            guard caller.scopes.permits(.machinesRead) else { return deny(caller, id, .machinesRead) }
            var done = Cmdop_Agent_V1_Done()
            done.requestID = id
            var list = Cmdop_Agent_V1_MachineList()
            list.machines = summaries(fleetID: caller.fleetID).map(\.wire)
            done.result = .machines(list)
            caller.send(.with(.done(done)))
        case .cancel:
            if let routeID = routesByCaller[caller.id]?[id], let route = removeRoute(routeID) {
                peers[route.machinePeerID]?.send(Self.cancelFrame(routeID))
            }
        case .exec, .readFile, .listDir, .ping, .ask:
            let needed: Scope = switch request.operation {
            case .exec: .commandsExecute
            case .readFile, .listDir: .filesRead
            case .ask: .agentInvoke
            default: .machinesRead
            }
            guard caller.scopes.permits(needed) else { return deny(caller, id, needed) }
            forward(request, from: caller)
        case .model:
            // An agent's ask loop calling back to the jarvis that asked it; jarvis checks the grant.
            guard let machine = caller.machine, !machine.isJarvis else {
                return caller.send(.error(MeshError(.permissionDenied, "only machines answering an ask send model calls"),
                                          requestID: id))
            }
            forward(request, from: caller, toJarvisOnly: true)
        case .introspectKey(let introspect):
            guard caller.machine?.isJarvis == true else {
                return caller.send(.error(MeshError(.permissionDenied, "only jarvis may introspect API keys"), requestID: id))
            }
            caller.send(.with(.done(keyInfo(introspect.apiKey, fleetID: caller.fleetID, requestID: id))))
        case nil:
            caller.send(.error(MeshError(.invalidArgument, "the request has no operation"), requestID: id))
        }
    }

    /// Passes a machine's event, done or error back to the caller that asked.
    func deliver(_ frame: Frame, from machinePeer: Peer) {
        // Traffic proves liveness as well as a heartbeat does (heartbeats may queue behind output).
        if let machine = machinePeer.machine, online[machine.id]?.peer.id == machinePeer.id {
            online[machine.id]?.lastHeartbeat = .now
        }
        guard let routeID = frame.requestID, let route = routes[routeID], route.machinePeerID == machinePeer.id else {
            return  // a late answer for a cancelled or unknown request
        }
        var rewritten = frame
        switch rewritten.body {
        case .event(var event):
            event.requestID = route.callerRequestID
            rewritten.body = .event(event)
        case .done(var done):
            done.requestID = route.callerRequestID
            rewritten.body = .done(done)
            _ = removeRoute(routeID)
        case .error(var error):
            error.requestID = route.callerRequestID
            rewritten.body = .error(error)
            _ = removeRoute(routeID)
        default:
            return
        }
        route.caller.send(rewritten)
    }

    /// Describes an API key of `fleetID` (never one of another fleet: those read as invalid).
    private func keyInfo(_ apiKey: String, fleetID: String, requestID: String) -> Cmdop_Agent_V1_Done {
        var info = Cmdop_Agent_V1_KeyInfo()
        if let key = try? store.authenticateAPIKey(apiKey), key.fleetID == fleetID, key.revokedAt == nil {
            info.valid = true
            info.keyID = key.id
            info.prefix = key.prefix
            info.name = key.label
            info.scopes = key.scopes.sorted().map(\.rawValue)
        }
        var done = Cmdop_Agent_V1_Done()
        done.requestID = requestID
        done.result = .key(info)
        return done
    }

    private func forward(_ request: Cmdop_Agent_V1_Request, from caller: Peer, toJarvisOnly: Bool = false) {
        let id = request.requestID
        guard routesByCaller[caller.id]?[id] == nil else {
            return caller.send(.error(MeshError(.invalidArgument, "request id \(id) is already in flight"), requestID: id))
        }
        let machine: MachineSummary
        do {
            machine = try MachineResolver.resolve(request.target, among: summaries(fleetID: caller.fleetID))
        } catch let error as MeshError {
            return caller.send(.error(error, requestID: id))
        } catch {
            return caller.send(.error(MeshError(.internal, "resolution failed"), requestID: id))
        }
        if toJarvisOnly && !machine.isJarvis {
            return caller.send(.error(MeshError(.permissionDenied, "\(machine.hostname) is not a jarvis; model calls go to jarvis"),
                                      requestID: id))
        }
        guard let presence = online[machine.id] else {
            return caller.send(.error(MeshError(
                .machineOffline, "\(machine.hostname) is offline (last heartbeat \(ageText(machine)))"), requestID: id))
        }
        nextRouteID += 1
        let routeID = "q\(nextRouteID)"
        routes[routeID] = Route(caller: caller, callerRequestID: id, machinePeerID: presence.peer.id,
                                hostname: machine.hostname)
        routesByCaller[caller.id, default: [:]][id] = routeID
        routesByMachine[presence.peer.id, default: []].insert(routeID)
        var forwarded = request
        forwarded.requestID = routeID
        forwarded.origin = caller.origin
        presence.peer.send(.with(.request(forwarded)))
    }

    private func removeRoute(_ routeID: String) -> Route? {
        guard let route = routes.removeValue(forKey: routeID) else { return nil }
        routesByCaller[route.caller.id]?.removeValue(forKey: route.callerRequestID)
        routesByMachine[route.machinePeerID]?.remove(routeID)
        return route
    }

    private func deny(_ caller: Peer, _ id: String, _ scope: Scope) {
        caller.send(.error(MeshError(.permissionDenied, "this key lacks the '\(scope)' scope"), requestID: id))
    }

    /// The fleet's machines with live presence, loading the fleet from storage on first use.
    func summaries(fleetID: String) -> [MachineSummary] {
        loadFleetIfNeeded(fleetID)
        let now = ContinuousClock.now
        return (machinesByFleet[fleetID] ?? []).map { record in
            var summary = MachineSummary(
                id: record.id, hostname: record.hostname, name: record.name, agentVersion: record.agentVersion,
                os: record.os, isJarvis: record.isJarvis, fingerprint: record.fingerprint)
            if let presence = online[record.id] {
                summary.online = true
                summary.heartbeatAgeSeconds = (now - presence.lastHeartbeat).components.seconds
            } else if let seen = record.lastSeenAt {
                summary.heartbeatAgeSeconds = Int64(Date().timeIntervalSince(seen))
            }
            return summary
        }.sorted { $0.hostname < $1.hostname }
    }

    /// Reads a fleet's machines from storage the first time it is needed (after a restart, the
    /// machines that have not re-connected yet must still be listed, offline).
    private func loadFleetIfNeeded(_ fleetID: String) {
        if machinesByFleet[fleetID] == nil {
            machinesByFleet[fleetID] = (try? store.machines(fleetID: fleetID)) ?? []
        }
    }

    private func ageText(_ machine: MachineSummary) -> String {
        machine.heartbeatAgeSeconds < 0 ? "never" : "\(machine.heartbeatAgeSeconds) s ago"
    }

    private static func cancelFrame(_ routeID: String) -> Frame {
        var cancel = Cmdop_Agent_V1_Request()
        cancel.requestID = routeID
        cancel.operation = .cancel(.init())
        return .with(.request(cancel))
    }
}
