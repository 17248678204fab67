import ParleyModel

/// Counts comments per member in a sliding window of event time: more than `limit` comments
/// within `window` seconds is a flood.
///
/// It goes by the events' own `time`, not the clock, so a replay of the same events gives the
/// same verdicts.
struct RateLimiter: Sendable {
    /// The most comments allowed in a window; 0 turns the limit off.
    let limit: Int
    /// The window, in seconds.
    let window: Double
    private var recent: [String: [Instant]] = [:]

    init(limit: Int, window: Double) {
        self.limit = limit
        self.window = window
    }

    /// Records a comment by `member` at `time`; true when it is over the limit.
    ///
    /// - Complexity: O(*l*) amortised, for the `limit` times kept per member.
    mutating func record(member: String, at time: Instant) -> Bool {
        guard limit > 0 else { return false }
        let start = time.adding(seconds: -window)
        var times = recent[member, default: []].filter { $0 > start }
        times.append(time)
        times.sort()
        if times.count > 2 * limit + 1 { times.removeFirst(times.count - 2 * limit - 1) }
        recent[member] = times
        return times.count(where: { $0 <= time }) > limit
    }
}
