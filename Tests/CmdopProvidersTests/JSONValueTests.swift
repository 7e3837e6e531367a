import CmdopProviders
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("parses nested documents, escapes and surrogate pairs")
    func parses() throws {
        let value = try JSONValue(parsing: #" {"a":[1,2.5,-3e2,true,false,null],"s":"caf\u00e9 \ud83d\ude00 \"q\"\n","o":{}} "#)
        #expect(value["a"]?[1]?.doubleValue == 2.5)
        #expect(value["a"]?[2]?.doubleValue == -300)
        #expect(value["a"]?[5]?.isNull == true)
        #expect(value["s"]?.stringValue == "café 😀 \"q\"\n")
        #expect(value["o"]?.objectValue?.isEmpty == true)
    }

    @Test("objects of every size keep each member; a repeated name keeps its last value")
    func objectMembers() throws {
        let names = (0..<20).map { "k\($0)" }
        let text = "{" + names.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + #","k3":"last"}"#
        let value = try JSONValue(parsing: text)
        for (index, name) in names.enumerated() where name != "k3" { #expect(value[name]?.doubleValue == Double(index)) }
        #expect(value["k3"]?.stringValue == "last")
        guard case .object(let members) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.count == 20)
    }

    @Test("serialises with sorted keys and round-trips")
    func roundTrips() throws {
        let value: JSONValue = ["b": [1, "x\u{1}"], "a": ["c": nil, "d": 0.25]]
        let text = value.serialized()
        #expect(text == #"{"a":{"c":null,"d":0.25},"b":[1,"x\u0001"]}"#)
        #expect(try JSONValue(parsing: text) == value)
    }

    @Test("strings: ASCII and raw UTF-8 read as written; bytes that are not UTF-8 are refused")
    func rawUTF8() throws {
        let value = try JSONValue(parsingBytes: Array(#"{"ascii":"main","text":"naïve ✓ 😀"}"#.utf8))
        #expect(value["ascii"]?.stringValue == "main")
        #expect(value["text"]?.stringValue == "naïve ✓ 😀")
        let broken: [UInt8] = Array(#"{"s":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONValue(parsingBytes: broken) }
    }

    @Test("rejects invalid documents", arguments: ["{", #"{"a":}"#, "[1,]", "tru", #""\x""#, "1 2", "{\"a\":1,}", "01"])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test("tool arguments keep invalid JSON with the reason")
    func invalidArguments() {
        let arguments = ToolArguments.parsing(#"{"city": "Par"#)
        guard case .invalid(let raw, let reason) = arguments else {
            Issue.record("expected invalid arguments")
            return
        }
        #expect(raw == #"{"city": "Par"#)
        #expect(reason.contains("invalid JSON"))
        #expect(ToolArguments.parsing("  ").json == .object([:]))
    }
}
