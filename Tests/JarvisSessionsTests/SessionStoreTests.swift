import Foundation
import JarvisSessions
import Testing

@Suite("Sessions: append-only logs that clients attach to and re-attach from anywhere", .timeLimit(.minutes(1)))
struct SessionStoreTests {
    func store() throws -> SessionStore {
        try SessionStore(path: FileManager.default.temporaryDirectory.path + "/cmdop-sessions-\(UUID().uuidString).db")
    }

    @Test("a client re-attaching with after=SEQ gets exactly the events it missed, then live ones, in order")
    func reattach() async throws {
        let store = try store()
        let session = try store.createSession(fleetID: "ops", title: "disk check")
        let writer = Task {
            for index in 1...200 {
                try store.append(SessionEvent(kind: "token", payload: #"{"text":"\#(index)"}"#), to: session.id)
                if index % 20 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
            try store.append(SessionEvent(kind: "run_finished"), to: session.id)
        }
        // Client A reads the first 30 events, then goes away (a closed laptop).
        var seen: [Int64] = []
        for await event in try store.attach(to: session.id) {
            seen.append(event.seq)
            if seen.count == 30 { break }
        }
        // Client B (another device) re-attaches after what A saw and follows to the end.
        for await event in try store.attach(to: session.id, after: seen.last!) {
            seen.append(event.seq)
            if event.kind == "run_finished" { break }
        }
        try await writer.value
        #expect(seen == Array(1...201))
    }

    @Test("several clients attached at once each see every event once, in order")
    func fanOut() async throws {
        let store = try store()
        let session = try store.createSession(fleetID: "ops")
        let streams = try (0..<3).map { _ in try store.attach(to: session.id) }
        #expect(store.attachedCount(session.id) == 3)
        for index in 1...50 { try store.append(SessionEvent(kind: "token", payload: "\(index)"), to: session.id) }
        try store.append(SessionEvent(kind: "run_finished"), to: session.id)
        for stream in streams {
            var seqs: [Int64] = []
            for await event in stream {
                seqs.append(event.seq)
                if event.kind == "run_finished" { break }
            }
            #expect(seqs == Array(1...51))
        }
    }

    @Test("events survive a restart of the store; another fleet cannot see the session")
    func durableAndScoped() throws {
        let path = FileManager.default.temporaryDirectory.path + "/cmdop-sessions-\(UUID().uuidString).db"
        let id: String
        do {
            let store = try SessionStore(path: path)
            id = try store.createSession(fleetID: "ops").id
            try store.append(SessionEvent(kind: "user_message", payload: #"{"text":"hi"}"#), to: id)
        }
        let reopened = try SessionStore(path: path)
        #expect(try reopened.events(of: id).map(\.kind) == ["user_message"])
        #expect(try reopened.session(id, fleetID: "ops").id == id)
        #expect(throws: SessionNotFound.self) { try reopened.session(id, fleetID: "other") }
    }
}
