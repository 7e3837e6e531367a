import CmdopCurl
import CmdopMesh
import CmdopProviders
import CmdopStorage
import Foundation
import JarvisDaemon
import Logging
import Testing

@Suite("One jarvis per home", .timeLimit(.minutes(1)))
struct JarvisProcessLockTests {
    @Test("a second jarvis on the same home is refused at start, naming the first; the first's exit frees the home")
    func secondJarvisRefused() async throws {
        let home = FileManager.default.temporaryDirectory.path + "/cmdop-jarvis-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await withCurlTransport { curl in
            // No relay listens on port 9: the first jarvis keeps re-connecting, holding its home meanwhile.
            let configuration = JarvisConfiguration(endpoint: try RelayEndpoint(parsing: "http://127.0.0.1:9"), fleet: "ops",
                                                    home: home, httpPort: 0)
            let provider = WireProvider(config: ProviderConfig(name: "unused", wire: .openAIChat, baseURL: "http://127.0.0.1:9/v1",
                                                               defaultModel: "none"), transport: curl, environment: [:])
            var logger = Logger(label: "cmdop.test.jarvis")
            logger.logLevel = .critical
            let jarvis = JarvisProcess(configuration: configuration, provider: provider, logger: logger)
            let first = Task { try await jarvis.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while (try? String(contentsOfFile: configuration.lockPath, encoding: .utf8))?.isEmpty ?? true, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let refusal = await #expect(throws: StoreError.self) { try await jarvis.run() }
            #expect(refusal?.message == "\(home) is in use by another jarvis (pid \(getpid())): stop that one first, or give this one a folder of its own")
            first.cancel()
            _ = await first.result
            // Free once the first has stopped; polled, as a process another test forks at that instant
            // holds the descriptor until its exec closes it.
            let freed = ContinuousClock.now + .seconds(30)  // a hang catcher only
            var lock = try? ProcessLock(path: configuration.lockPath, holder: "jarvis")
            while lock == nil, ContinuousClock.now < freed {
                try await Task.sleep(for: .milliseconds(10))
                lock = try? ProcessLock(path: configuration.lockPath, holder: "jarvis")
            }
            #expect(lock != nil, "the home is still locked after the first jarvis stopped")
            lock?.release()
        }
    }
}
