import CmdopCore

/// Runs work that must finish within a time limit, or fails with `MeshError(.unavailable)`.
enum Deadline {
    static func run<T: Sendable>(within limit: Duration, _ what: String,
                                 _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw MeshError(.unavailable, "\(what) took longer than \(limit); is the relay overloaded or the network dropping packets?")
            }
            return value
        }
    }
}
