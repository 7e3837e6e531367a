import CmdopProviders

/// A zero-latency scripted model in process: it answers at once, so a benchmark times only
/// jarvis's own work. `reply` decides each reply from the request.
struct InstantModel: LLMProvider {
    let reply: @Sendable (ChatRequest) -> [LLMEvent]
    var name: String { "instant" }

    func stream(_ request: ChatRequest) -> LLMEventStream {
        let events = reply(request)
        return LLMEventStream {
            var iterator = events.makeIterator()
            return { iterator.next() }
        }
    }

    func complete(_ request: ChatRequest) async throws -> ChatResponse { try await stream(request).collect() }
    func listModels() async throws -> [String] { ["instant"] }

    static let usage = LLMEvent.usage(CallUsage(provider: "instant", model: "instant", tokens: TokenUsage(inputTokens: 10, outputTokens: 5),
                                                cost: 0, wallTime: .zero))
}

/// Percentiles and formatting for the printed figures.
enum Stats {
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
