public import ParleyLog
public import ParleyModel
import ParleyViews
import ParleyStore
internal import Foundation

/// The views of the whole log kept in memory, for a long-running process (the daemon).
///
/// One state fed every indexed event in (time, position) order answers every as-of query (the
/// views ignore events after T; `CurrentStateTests` pins this). New events whose (time, position)
/// comes after the last one applied are applied as they arrive; a backfilled event (an earlier
/// time) makes the next refresh rebuild the state from the index. Queries at a position
/// (`--at-position`) are answered from the index directly.
///
/// The state can be stored beside the index (``ViewSnapshot``, ``persist()``) and loaded by the
/// next process (``init(restoring:)``), which then only applies the events appended since.
public final class LiveViews: @unchecked Sendable {
    private let index: ViewIndex
    private let lock = NSLock()
    private var state = Views()
    private var policyEvents: [Event] = []
    private var lastKey: [UInt8] = []
    private var position: UInt64 = 0
    /// Whether the state changed since it was loaded or last persisted.
    private var changed = false
    /// Whether it was rebuilt since it was loaded or last persisted.
    private var rebuiltSinceStored = false
    /// The position of the state loaded or last persisted (0: none).
    private var storedPosition: UInt64 = 0
    /// Rebuilds so far (for metrics).
    public private(set) var rebuilds = 0
    /// Events per transaction of the index's catch-up, and between the checks of a rebuild
    /// for a refresh asked to stop.
    private let chunk: Int

    /// Empty views over `index`; the first ``refresh()`` builds them from the index, `chunk`
    /// events at a time.
    public init(index: ViewIndex, chunk: Int = 50_000) {
        self.index = index
        self.chunk = max(1, chunk)
    }

    /// The views over `index` as its stored snapshot holds them, when there is one of this
    /// format (else empty, built by the first ``refresh()``). ``refresh()`` brings them current.
    public convenience init(restoring index: ViewIndex, chunk: Int = 50_000) throws(LogError) {
        self.init(index: index, chunk: chunk)
        if let snapshot = try index.snapshot() {
            state = snapshot.views
            policyEvents = snapshot.policyEvents
            lastKey = snapshot.lastKey
            position = snapshot.position
            storedPosition = snapshot.position
        }
    }

    /// The position the in-memory state is current to.
    public var currentPosition: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return position
    }

    /// Catches the stored index up to the log and brings the state up to it.
    ///
    /// - Parameters:
    ///   - known: the event at a position when the caller has it already (see
    ///     ``ViewIndex/catchUp(chunk:indexed:known:stopping:)``).
    ///   - stopping: asked as the work goes; once it answers true the refresh ends early. The
    ///     state then covers the events indexed so far, or stays as it was when it had to be
    ///     rebuilt; the next refresh goes on from there.
    public func refresh(known: ((UInt64) -> Event?)? = nil, stopping: (() -> Bool)? = nil) throws(LogError) {
        // The events this catch-up indexes arrive decoded; a gap another process indexed
        // meanwhile is read from the log below.
        var chunks: [ViewIndex.IndexedChunk] = []
        let checkpoint = try index.catchUp(chunk: chunk, indexed: { chunks.append($0) }, known: known, stopping: stopping)
        lock.lock()
        defer { lock.unlock() }
        guard checkpoint > position else { return }
        // The entries of the new events: in order after `lastKey`, unless some are earlier.
        // Without a state (position 0) there is nothing to apply them to: rebuild at once.
        var backfilled = position == 0
        if !backfilled {
            let contiguous = zip(chunks, chunks.dropFirst()).allSatisfy { $1.positions.lowerBound == $0.positions.upperBound + 1 }
            let covered = contiguous && chunks.first?.positions.lowerBound == position + 1 && chunks.last?.positions.upperBound == checkpoint
            if !covered { chunks = [ViewIndex.IndexedChunk(positions: position + 1...checkpoint, entries: try index.newEvents(after: position, through: checkpoint))] }
            switch Self.order(of: chunks, after: lastKey) {
            case .backfilled: backfilled = true
            case .ascending:
                // The usual case: applied where they are, without copying an event.
                for chunk in chunks { apply(chunk.entries) }
            case .unsorted:
                var fresh = chunks.flatMap(\.entries)
                fresh.sort { $0.key.lexicographicallyPrecedes($1.key) }
                apply(fresh)
            }
        }
        if backfilled {
            var views = Views()
            var policies: [Event] = []
            var last: [UInt8] = []
            // Entries past the checkpoint (another process caught up meanwhile) are the next
            // refresh's: the state covers exactly the positions ≤ `checkpoint`.
            var applied = 0
            let complete = try index.forEachEntry { key, event in
                applied += 1
                if applied % chunk == 0, stopping?() == true { return false }
                guard event.position <= checkpoint else { return true }
                views.apply(event)
                if event.type == "policy.set" { policies.append(event) }
                last = key
                return true
            }
            // A rebuild cut short leaves the state as it was, and the next refresh rebuilds.
            guard complete else { return }
            state = views
            policyEvents = policies
            lastKey = last
            rebuiltSinceStored = true
            if position != 0 { rebuilds += 1 }
        }
        position = checkpoint
        changed = true
    }

    /// How new index entries stand against the state's last key: all after it and in key
    /// order, all after it but not in order, or some before it (backfilled: the state is rebuilt).
    private enum Order { case ascending, unsorted, backfilled }

    private static func order(of chunks: [ViewIndex.IndexedChunk], after lastKey: [UInt8]) -> Order {
        var ascending = true
        var previous = lastKey
        for chunk in chunks {
            for i in chunk.entries.indices {
                let key = chunk.entries[i].key
                if !lastKey.isEmpty, key.lexicographicallyPrecedes(lastKey) { return .backfilled }
                if ascending, key.lexicographicallyPrecedes(previous) { ascending = false }
                previous = key
            }
        }
        return ascending ? .ascending : .unsorted
    }

    /// Applies `entries`, in their order, to the state (the caller holds the lock).
    private func apply(_ entries: [ViewIndex.TimelineEntry]) {
        // Through the buffer: `state.apply(entries[i].event)` copied each event for the call.
        entries.withUnsafeBufferPointer { entries in
            for i in entries.indices {
                state.apply(entries[i].event)
                if entries[i].event.type == "policy.set" { policyEvents.append(entries[i].event) }
            }
        }
        if let last = entries.last { lastKey = last.key }
    }

    /// Stores the state (``ViewSnapshot``) when it changed since it was loaded or last stored,
    /// in one write transaction. Returns whether it was written.
    ///
    /// - Parameter minimumGap: store a state brought up by applying new events only once it
    ///   covers at least this many positions more than the stored one (a rebuilt state is always
    ///   stored): the next process applies a short gap faster than this one stores the state.
    @discardableResult
    public func persist(minimumGap: UInt64 = 0) throws(LogError) -> Bool {
        lock.lock()
        guard changed, position > 0, rebuiltSinceStored || storedPosition == 0 || position - storedPosition >= minimumGap else {
            lock.unlock()
            return false
        }
        let snapshot = ViewSnapshot(position: position, lastKey: lastKey, policyEvents: policyEvents, views: state)
        let (wasRebuilt, wasStored) = (rebuiltSinceStored, storedPosition)
        (changed, rebuiltSinceStored, storedPosition) = (false, false, snapshot.position)
        lock.unlock()
        do { return try index.store(snapshot) } catch {
            lock.lock()
            (changed, rebuiltSinceStored, storedPosition) = (true, wasRebuilt, wasStored)
            lock.unlock()
            throw error
        }
    }

    /// The policies of the `policy.set` events applied (no overrides).
    public var policies: PolicyTimeline {
        lock.lock()
        defer { lock.unlock() }
        return state.policies
    }

    /// Answers `request` from memory (from the index for `atPosition`).
    public func answer(_ request: ViewRequest, now: Instant = .now) throws -> JSONValue {
        if request.atPosition != nil { return try index.answer(request, now: now) }
        let (views, q) = try prepared(request, now: now)
        return try views.answer(request.name, q, draft: request.draft)
    }

    /// The canonical JSON bytes of ``answer(_:now:)`` (see ``Views/encodedAnswer(_:_:draft:)``).
    public func encodedAnswer(_ request: ViewRequest, now: Instant = .now) throws -> [UInt8] {
        if request.atPosition != nil { return JSONWriter.encode(try index.answer(request, now: now)) }
        let (views, q) = try prepared(request, now: now)
        return try views.encodedAnswer(request.name, q, draft: request.draft)
    }

    /// A copy of the state under the request's policies, and its query.
    private func prepared(_ request: ViewRequest, now: Instant) throws -> (Views, ViewQuery) {
        lock.lock()
        var views = state
        let policies = policyEvents
        lock.unlock()
        try request.applyOverrides(to: &views, policyEvents: policies)
        return (views, request.query(now: now))
    }
}

extension ViewRequest {
    /// Puts this request's policy overrides, if any, in force in `views`, whose `policy.set`
    /// events were `policyEvents`.
    func applyOverrides(to views: inout Views, policyEvents: [Event]) throws {
        guard let overrides = policyOverrides else { return }
        var timeline = try PolicyTimeline(overrides: overrides)
        for event in policyEvents { timeline.record(event) }
        views.policies = timeline
    }

    /// The query this request asks, T being `now` when it gives none.
    func query(now: Instant) -> ViewQuery {
        ViewQuery(asOf: asOf ?? now, from: from, to: to, week: week)
    }
}

extension ViewIndex {
    /// Calls `body` with every entry (key and event) in (time, position) order, until it
    /// returns false; returns whether it saw them all.
    func forEachEntry(_ body: ([UInt8], Event) -> Bool) throws(LogError) -> Bool {
        do {
            return try env.read { txn throws(StoreError) in
                try txn.withCursor(entries) { c throws(StoreError) in
                    var entry = try c.first()
                    while let e = entry {
                        if let event = CompactCodec.decode(e.value), !body(Array(e.key), event) { return false }
                        entry = try c.next()
                    }
                    return true
                }
            }
        } catch { throw LogError.storage(error) }
    }
}
