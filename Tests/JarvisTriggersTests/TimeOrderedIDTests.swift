import CmdopStorage
import Foundation
import Testing

@Suite("Time-ordered record ids")
struct TimeOrderedIDTests {
    @Test("UUID version 7 form, unique, and ordered by creation time (ids of one millisecond in any order)")
    func form() {
        let earlier = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<1000).map { TimeOrderedID.make(now: earlier.addingTimeInterval(Double($0) * 0.002)) }
        #expect(Set(ids).count == 1000)
        #expect(ids == ids.sorted(), "ids made 2 ms apart sort in the order they were made")
        let sameMillisecond = (0..<1000).map { _ in TimeOrderedID.make(now: earlier) }
        #expect(Set(sameMillisecond).count == 1000)
        for id in ids.prefix(20) {
            #expect(UUID(uuidString: id) != nil)
            #expect(id == id.lowercased() && id.count == 36)
            let characters = Array(id)
            #expect(characters[14] == "7")
            #expect("89ab".contains(characters[19]))
        }
        // 1,800,000,000,000 ms = 0x01a3185c5000: the first 48 bits.
        #expect(ids[0].hasPrefix("01a3185c-5000-7"))
    }

    @Test("a pair from one call: two different version 7 ids of the same millisecond")
    func pair() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let pairs = (0..<500).map { _ in TimeOrderedID.pair(now: now) }
        let all = pairs.flatMap { [$0.0, $0.1] }
        #expect(Set(all).count == 1000, "every id differs, within and across pairs")
        for id in all.prefix(20) {
            #expect(UUID(uuidString: id) != nil && id.hasPrefix("01a3185c-5000-7"))
            #expect("89ab".contains(Array(id)[19]))
        }
    }
}
