import Foundation
import JarvisTriggers
import Testing

@Suite("jarvis.yaml: defaults for runs and approvals")
struct ServiceDefaultsTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/jarvis-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("no file means the built-in defaults; a full file is read")
    func reads() throws {
        #expect(try ServiceDefaults.load(path: "/nonexistent/jarvis.yaml") == ServiceDefaults())
        let path = try write("""
            budget:
              max_turns: 6
              max_cost: 0.5
              timeout: 120
            approvals:
              timeout: 900
              rule_timeouts:
                "run_command(web-*:systemctl restart *)": 120
              self_approval: true
              notify:
                url: https://hooks.example.com/cmdop
                secret_env: NOTIFY_SECRET
            """)
        let defaults = try ServiceDefaults.load(path: path, environment: ["NOTIFY_SECRET": "s3cr3t"])
        #expect(defaults.budget.maxTurns == 6 && defaults.budget.maxCost == 0.5 && defaults.budget.timeout == .seconds(120))
        #expect(defaults.approvalTimeout == 900 && defaults.selfApproval)
        #expect(defaults.ruleTimeouts == ["run_command(web-*:systemctl restart *)": 120])
        #expect(defaults.notifyURL == "https://hooks.example.com/cmdop" && defaults.notifySecret == "s3cr3t")
    }

    @Test("mistakes name the file, line and key", arguments: [
        ("budget:\n  max_turn: 5\n", "2", "budget.max_turn", "max_turns"),
        ("approvals:\n  timeout: 5\n", "2", "approvals.timeout", "10"),
        ("approvals:\n  notify:\n    url: http://example.com\n    secret_env: NOTIFY_SECRET\n", "3", "approvals.notify.url", "https"),
        ("approvals:\n  notify:\n    url: https://x.example\n    secret_env: whsec_abc\n", "4", "approvals.notify.secret_env", "NAME"),
        ("approvals:\n  notify:\n    url: https://x.example\n    secret_env: MISSING_VAR\n", "4", "approvals.notify.secret_env", "not set"),
    ])
    func errors(yaml: String, line: String, key: String, hint: String) throws {
        let path = try write(yaml)
        do {
            _ = try ServiceDefaults.load(path: path, environment: ["NOTIFY_SECRET": "x"])
            Issue.record("accepted: \(yaml)")
        } catch let error as DefinitionError {
            #expect(error.description.hasPrefix("\(path):\(line): \(key): "), "\(error)")
            #expect(error.description.contains(hint), "\(error)")
        }
    }
}
