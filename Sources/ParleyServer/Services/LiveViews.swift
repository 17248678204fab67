import Foundation
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

/// The latest views kept in memory: every indexed event up to the index's checkpoint, reduced in
/// (time, position) order, advanced incrementally as events arrive. A query answered "now" (or
/// as of any T at or after the latest event's time), without `at_position` or policy overrides,
/// reads these instead of reducing the whole index again: the same events in the same order, so
/// the same JSON. A backfilled event (timed before the latest one applied) makes the next
/// refresh rebuild from the index.
final class LiveViews: @unchecked Sendable {
    private struct Snapshot {
        var views: Views
        /// The position every event up to which is applied.
        var checkpoint: UInt64
        /// The latest (time, position) applied.
        var last: (time: Instant, position: UInt64)?
    }

    private let lock = NSLock()
    private var snapshot: Snapshot?
    private let index: ViewIndex
    private let log: EventLog

    init(index: ViewIndex, log: EventLog) {
        self.index = index
        self.log = log
    }

    /// The views as of `asOf` when this cache can give them for `checkpoint` or later.
    func views(asOf: Instant, atLeast checkpoint: UInt64) -> Views? {
        lock.lock()
        defer { lock.unlock() }
        guard let snapshot, snapshot.checkpoint >= checkpoint else { return nil }
        if let last = snapshot.last, last.time > asOf { return nil }
        return snapshot.views
    }

    /// Brings the cache up to the index's `checkpoint`: applies the new events when they all come
    /// after the latest applied, else rebuilds from the index. Blocking; call off the
    /// cooperative pool.
    func refresh(to checkpoint: UInt64) throws(LogError) {
        lock.lock()
        let current = snapshot
        lock.unlock()
        var next: Snapshot
        if var base = current, base.checkpoint <= checkpoint {
            guard base.checkpoint < checkpoint else { return }
            var fresh: [Event] = []
            try log.scan(from: base.checkpoint + 1) { stored throws(LogError) in
                guard stored.position <= checkpoint else { return false }
                let event = try stored.decode()
                if Vocabulary.isKnown(event.type) {
                    // The index's form of the event, so the reduction sees exactly what it stores.
                    let compact = CompactCodec.encode(event)
                    if let indexed = compact.withUnsafeBytes({ CompactCodec.decode($0) }) { fresh.append(indexed) }
                }
                return true
            }
            fresh.sort { ($0.time, $0.position) < ($1.time, $1.position) }
            if let first = fresh.first, let last = base.last, (first.time, first.position) < (last.time, last.position) {
                next = try rebuild(to: checkpoint)
            } else {
                for event in fresh { base.views.apply(event) }
                if let event = fresh.last { base.last = (event.time, event.position) }
                base.checkpoint = checkpoint
                next = base
            }
        } else {
            next = try rebuild(to: checkpoint)
        }
        lock.lock()
        if (snapshot?.checkpoint ?? 0) <= next.checkpoint { snapshot = next }
        lock.unlock()
    }

    private func rebuild(to checkpoint: UInt64) throws(LogError) -> Snapshot {
        var views = Views()
        var last: (time: Instant, position: UInt64)?
        try index.forEach(asOf: Instant(microseconds: .max), atPosition: checkpoint) { event in
            views.apply(event)
            last = (event.time, event.position)
        }
        return Snapshot(views: views, checkpoint: checkpoint, last: last)
    }
}
