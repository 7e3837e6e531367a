public import CmdopCore
public import Foundation
import Mustache

/// The system prompt: `Prompts/system.md`, a Mustache template over the fleet, its machines and
/// the time (`{{fleet}}`, `{{time}}`, `{{#machines}}{{hostname}} {{online}} {{os}}{{/machines}}`).
public struct SystemPrompt: Sendable {
    let template: MustacheTemplate
    public let source: String

    /// Parses `text`; `source` names the file in errors.
    /// - Throws: `PromptError` naming the file and what is wrong with the template.
    public init(template text: String, source: String) throws {
        do {
            template = try MustacheTemplate(string: text)
        } catch {
            throw PromptError("\(source): not a valid Mustache template (\(error)); check that every {{#section}} has its {{/section}}")
        }
        self.source = source
    }

    /// The prompt jarvis uses when no `Prompts/system.md` is found (a binary run outside the repo).
    public static let builtIn = try! SystemPrompt(template: """
        You are jarvis, the operator of the {{fleet}} fleet. Time now: {{time}}.
        Machines:{{#machines}} {{hostname}} ({{#online}}online{{/online}}{{^online}}offline{{/online}});{{/machines}}
        Look before you act, run the smallest command that answers, never invent output, and say \
        plainly when a call was refused or a machine is offline.
        """, source: "built-in")

    /// Loads the template file at `path`.
    public static func load(path: String) throws -> SystemPrompt {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptError("\(path): cannot read the system prompt; create it or point jarvis at Prompts/system.md")
        }
        return try SystemPrompt(template: String(decoding: data, as: UTF8.self), source: path)
    }

    /// The prompt for one run.
    public func render(fleet: String, machines: [MachineSummary], now: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let context: [String: Any] = [
            "fleet": fleet,
            "time": formatter.string(from: now),
            "machines": machines.filter { !$0.isJarvis }.map { machine -> [String: Any] in
                ["hostname": machine.hostname, "name": machine.name, "online": machine.online, "os": machine.os]
            },
        ]
        return template.render(context)
    }
}

/// A prompt that cannot be loaded or parsed, worded for the person who edits it.
public struct PromptError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
