import CmdopCore
import Testing

@Suite("Machine resolution")
struct MachineResolverTests {
    static let fleet = [
        MachineSummary(id: "0f8fad5b-d9cb-469f-a165-70867728950e", hostname: "web-1", name: "frontend"),
        MachineSummary(id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", hostname: "web-2", name: "web-2"),
        MachineSummary(id: "a1b2c3d4-0000-4000-8000-000000000001", hostname: "db-primary", name: "Postgres"),
        MachineSummary(id: "a1b2c3d4-0000-4000-8000-000000000002", hostname: "vps-audi", name: "audi"),
    ]

    @Test("resolves by UUID, exact hostname, display name, prefix and substring", arguments: [
        ("0F8FAD5B-D9CB-469F-A165-70867728950E", "web-1"),
        ("WEB-2", "web-2"),
        ("frontend", "web-1"),
        ("Postgres", "db-primary"),
        ("db", "db-primary"),
        ("vp", "vps-audi"),
        ("primary", "db-primary"),
    ])
    func resolves(reference: String, hostname: String) throws {
        #expect(try MachineResolver.resolve(reference, among: Self.fleet).hostname == hostname)
    }

    @Test("an ambiguous reference lists every candidate")
    func ambiguous() {
        #expect {
            try MachineResolver.resolve("web", among: Self.fleet)
        } throws: { error in
            let mesh = error as? MeshError
            return mesh?.code == .ambiguous && mesh?.candidates == ["web-1", "web-2"]
        }
    }

    @Test("a one-character prefix is rejected, not guessed")
    func oneCharacter() {
        #expect {
            try MachineResolver.resolve("v", among: Self.fleet)
        } throws: { ($0 as? MeshError)?.code == .invalidArgument }
    }

    @Test("a UUID that matches nothing does not fall through to names")
    func uuidNoFallThrough() {
        let fleet = Self.fleet + [MachineSummary(id: "x", hostname: "00000000-0000-0000-0000-000000000000", name: "odd")]
        #expect {
            try MachineResolver.resolve("00000000-0000-0000-0000-000000000000", among: fleet)
        } throws: { ($0 as? MeshError)?.code == .notFound }
    }

    @Test("an unknown name is not_found with a hint")
    func unknown() {
        #expect {
            try MachineResolver.resolve("mail", among: Self.fleet)
        } throws: { error in
            (error as? MeshError)?.code == .notFound && "\(error)".contains("cmdop machines")
        }
    }
}

@Suite("Timeouts")
struct TimeoutsTests {
    @Test("single calls clamp to [1 ms, 600 s] with a 120 s default")
    func single() {
        #expect(Timeouts.singleCall(milliseconds: nil) == 120_000)
        #expect(Timeouts.singleCall(milliseconds: 0) == 120_000)
        #expect(Timeouts.singleCall(milliseconds: -5) == 1)
        #expect(Timeouts.singleCall(milliseconds: 900_000) == 600_000)
        #expect(Timeouts.singleCall(milliseconds: 2_500) == 2_500)
    }

    @Test("fan-outs clamp per host to [1, 300] s and in total to [1, 600] s")
    func fanOut() {
        #expect(Timeouts.fanOutPerHost(milliseconds: nil) == 120_000)
        #expect(Timeouts.fanOutPerHost(milliseconds: 10) == 1_000)
        #expect(Timeouts.fanOutPerHost(milliseconds: 400_000) == 300_000)
        #expect(Timeouts.fanOutTotal(milliseconds: nil) == 240_000)
        #expect(Timeouts.fanOutTotal(milliseconds: 700_000) == 600_000)
    }

    @Test("hostnames are de-duplicated keeping first-seen order")
    func deduplicate() {
        #expect(Timeouts.deduplicated(["b", "a", "B", "c", "a"]) == ["b", "a", "c"])
    }
}
