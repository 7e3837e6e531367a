import CmdopCore
import Foundation
import JarvisCore
import Testing

@Suite("The system prompt template")
struct SystemPromptTests {
    /// The repository's own Prompts/system.md.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Prompts/system.md").path

    @Test("Prompts/system.md renders the fleet, each machine with its presence, and the time")
    func rendersShipped() throws {
        let prompt = try SystemPrompt.load(path: Self.shipped)
        let text = prompt.render(fleet: "ops", machines: [
            MachineSummary(id: "1", hostname: "web-1", name: "web-1", online: true, os: "linux"),
            MachineSummary(id: "2", hostname: "db-1", name: "db-1", online: false, os: "linux"),
            MachineSummary(id: "3", hostname: "jarvis", name: "jarvis", online: true, isJarvis: true),
        ], now: Date(timeIntervalSince1970: 1_764_000_000))
        #expect(text.contains("operator of the ops fleet"))
        #expect(text.contains("- web-1 (online, linux)"))
        #expect(text.contains("- db-1 (offline, linux)"))
        #expect(!text.contains("- jarvis"))
        #expect(text.contains("2025-11-24T16:00:00Z"))
        #expect(!text.contains("{{"))
    }

    @Test("an empty fleet says so")
    func emptyFleet() throws {
        let text = try SystemPrompt.load(path: Self.shipped).render(fleet: "lab", machines: [])
        #expect(text.contains("none enrolled yet"))
    }

    @Test("a broken template is refused with the file named")
    func broken() {
        #expect {
            try SystemPrompt(template: "Machines: {{#machines}}{{hostname}}", source: "Prompts/system.md")
        } throws: { "\($0)".contains("Prompts/system.md") }
    }
}
