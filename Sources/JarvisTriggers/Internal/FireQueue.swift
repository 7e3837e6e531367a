import Foundation

/// A binary min-heap of upcoming fires, earliest first (ties by name). The scheduler keeps one
/// entry per enabled trigger and sleeps once, until the top; rescheduling pushes a new entry and
/// stale ones are skipped on pop by their generation, so every change is O(log n).
struct FireQueue {
    struct Entry: Comparable {
        let date: Date
        let name: String
        let generation: UInt64

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.date != rhs.date ? lhs.date < rhs.date : lhs.name < rhs.name
        }
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }
    var first: Entry? { heap.first }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count && heap[left] < heap[smallest] { smallest = left }
            if right < heap.count && heap[right] < heap[smallest] { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    /// Drops every entry for which `isCurrent` is false; used when stale entries pile up.
    mutating func compact(keeping isCurrent: (Entry) -> Bool) {
        let kept = heap.filter(isCurrent)
        heap = []
        heap.reserveCapacity(kept.count)
        for entry in kept { push(entry) }
    }
}
