import Dispatch
import Foundation

/// Notices changes under the definition folders (files added, removed, edited) by polling their
/// listing and modification times, and SIGHUP; calls `reload` for each change.
struct DefinitionsWatcher: Sendable {
    let directories: [String]
    let interval: Duration

    /// Watches until cancelled.
    func run(reload: @escaping @Sendable () async -> Void) async {
        let (hangups, hangup) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { hangup.yield() }
        source.resume()
        defer { source.cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var last = fingerprint()
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    let now = fingerprint()
                    if now != last {
                        last = now
                        await reload()
                    }
                }
            }
            group.addTask {
                for await _ in hangups { await reload() }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Every file's path, size and modification time.
    func fingerprint() -> [String] {
        directories.flatMap { directory -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().map { name in
                let path = directory + "/" + name
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return "\(path) \(attributes?[.size] ?? 0) \(modified)"
            }
        }
    }
}
