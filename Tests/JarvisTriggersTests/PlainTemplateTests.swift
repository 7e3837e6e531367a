import Foundation
@testable import JarvisTriggers
import Testing

@Suite("Prompt templates: the plain-tag fast path renders exactly what Mustache renders")
struct PlainTemplateTests {
    static let payload = try! PayloadValue.parse(Array("""
        {"action":"completed","n":42,"ratio":1.5,"ok":true,"off":false,"none":null,"empty":"",
         "workflow_run":{"name":"CI","head_branch":"main","run_attempt":2,"pull_requests":[{"number":217}],
                         "head_commit":{"message":"Fix <b> & \\"quotes\\"\\nsecond line"}},
         "headers":"a payload field named headers","list":[1,2]}
        """.utf8))
    static let headers = ["X-GitHub-Event": "workflow_run", "authorization": "Bearer secret", "x-empty": ""]

    @Test("the same text as Mustache for text-only, scalar, missing, null, nested, header and escaped values", arguments: [
        "no tags at all",
        "{{action}} {{n}} {{ratio}} {{ok}} {{off}} [{{none}}] [{{empty}}] [{{missing}}] [{{missing.deeper}}]",
        "{{ workflow_run.name }} on {{workflow_run.head_branch}}, attempt {{workflow_run.run_attempt}}",
        "{{workflow_run.head_commit.message}}",
        "event={{headers.x-github-event}} auth=[{{headers.authorization}}] empty=[{{headers.x-empty}}] [{{headers.nope}}]",
        "[{{n.too.deep}}] [{{action.length}}]",
        "{{workflow_run}}",
        "{{list}} {{workflow_run.pull_requests}} {{workflow_run.pull_requests.0.number}}",
        "{{headers}}",
        "{{#ok}}yes{{/ok}}{{^off}} no{{/off}}",
        "{{{action}}} {{&action}} {{! a comment }}done",
        "\nafter a blank first line {{action}}",
        "  \t\r\nafter a blank first line {{action}}",
        "trailing spaces after the last line {{action}}\n  ",
        "a line {{action}}\u{2028}and another\n",
        "  {{action}}\n\t{{n}}  \n",
    ])
    func sameAsMustache(_ source: String) throws {
        let template = try PromptTemplate(source)
        let fast = template.render(payload: Self.payload, headers: Self.headers)
        let mustache = template.renderWithMustache(payload: Self.payload, headers: Self.headers)
        #expect(fast == mustache)
    }

    @Test("only plain tags take the fast path; sections, triple braces, comments and delimiters do not")
    func recognises() {
        #expect(PlainTemplate("a {{b}} c {{ d.e-f_g.0 }}")?.segments == [.text("a "), .variable(["b"]), .text(" c "), .variable(["d", "e-f_g", "0"])])
        #expect(PlainTemplate("plain text")?.segments == [.text("plain text")])
        for other in ["\nx {{a}}", "x {{a}}\n  ", "{{#a}}x{{/a}}", "{{^a}}x{{/a}}", "{{{a}}}", "{{&a}}", "{{! note }}", "{{=<% %>=}}", "{{> part}}", "{{.}}",
                      "{{a..b}}", "{{a.}}", "{{ }}", "{{a"] {
            #expect(PlainTemplate(other) == nil, "\(other)")
        }
    }

    @Test("templates with plain tags render on the plain path; the rest through Mustache")
    func pathChosen() throws {
        #expect(try PromptTemplate("Workflow {{workflow_run.name}} on {{ headers.x-github-event }} {{body}}").rendersWithoutMustache)
        #expect(try PromptTemplate("no tags").rendersWithoutMustache)
        #expect(try !PromptTemplate("{{a}} and {{a.b}}").rendersWithoutMustache, "a scalar and an object at once: the probe cannot build it")
        #expect(try !PromptTemplate("\n{{a}}").rendersWithoutMustache)
        #expect(try !PromptTemplate("{{#a}}{{b}}{{/a}}").rendersWithoutMustache)
    }

    @Test("a text body is {{body}} on both paths")
    func textBody() throws {
        let template = try PromptTemplate("Log: {{body}}")
        #expect(template.render(payload: .object([:]), headers: [:], text: "line one\nline two") == "Log: line one\nline two")
        #expect(template.renderWithMustache(payload: .object([:]), headers: [:], text: "line one\nline two") == "Log: line one\nline two")
    }
}
