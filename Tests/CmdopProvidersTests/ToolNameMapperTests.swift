import CmdopProviders
import Testing

@Suite("Tool name mapping")
struct ToolNameMapperTests {
    @Test("valid names are kept and invalid ones mapped to the wire charset and back")
    func mapsAndBack() {
        let long = String(repeating: "x", count: 80)
        let mapper = ToolNameMapper(names: ["get_weather", "admin.tools.list", "fs/read file", long, "café"])
        #expect(mapper.wireName(for: "get_weather") == "get_weather")
        #expect(mapper.wireName(for: "admin.tools.list") == "admin_tools_list")
        for name in ["admin.tools.list", "fs/read file", long, "café"] {
            let wire = mapper.wireName(for: name)
            #expect(ToolNameMapper.isValid(wire), "\(wire) is not wire-safe")
            #expect(mapper.originalName(for: wire) == name)
        }
    }

    @Test("a mapped name never collides with an existing valid name")
    func collisions() {
        let mapper = ToolNameMapper(names: ["a.b", "a_b", "a-b", "a b"])
        let wires = ["a.b", "a_b", "a-b", "a b"].map(mapper.wireName(for:))
        #expect(Set(wires).count == 4)
        #expect(mapper.wireName(for: "a_b") == "a_b")
        for name in ["a.b", "a_b", "a-b", "a b"] { #expect(mapper.originalName(for: mapper.wireName(for: name)) == name) }
    }
}
