import ParleyModel

/// Instants appended in non-decreasing order (the order views are fed), counted by range.
///
/// Complexity: `append` O(1) amortized; every count O(log n).
struct SortedInstants: Sendable {
    /// The instants, ascending.
    private(set) var times: [Instant] = []

    init() {}

    /// Instants already in ascending order (a decoded state).
    init(sorted times: [Instant]) { self.times = times }

    /// Appends `t`, which must not precede the last instant appended.
    mutating func append(_ t: Instant) { times.append(t) }

    /// The number of instants.
    var count: Int { times.count }

    /// The index of the first instant after `t` (the number of instants ≤ `t`).
    func countThrough(_ t: Instant) -> Int {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The index of the first instant at or after `t` (the number of instants < `t`).
    func countBefore(_ t: Instant) -> Int {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The number of instants in the window `(from, to]`.
    func count(after from: Instant, through to: Instant) -> Int {
        guard from < to else { return 0 }
        return countThrough(to) - countThrough(from)
    }

    /// Whether some instant lies in `[from, through]`.
    func contains(from: Instant, through to: Instant) -> Bool {
        guard from <= to else { return false }
        return countThrough(to) > countBefore(from)
    }

    /// The latest instant ≤ `t`, if any.
    func last(through t: Instant) -> Instant? {
        let n = countThrough(t)
        return n == 0 ? nil : times[n - 1]
    }
}

/// The index just past the last element whose time is ≤ `t`, in an array sorted by time.
func prefixThrough<T>(_ items: [T], _ t: Instant, time: (T) -> Instant) -> Int {
    var lo = 0, hi = items.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if time(items[mid]) <= t { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
