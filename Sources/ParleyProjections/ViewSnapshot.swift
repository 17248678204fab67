public import ParleyLog
public import ParleyModel
public import ParleyViews
import ParleyStore

/// The in-memory state of ``LiveViews`` as stored in the log's LMDB environment (key `live` of
/// the index's `view_state` database), so that a new process loads it instead of re-reducing
/// the whole index.
///
/// It holds the views fed every indexed event of position ≤ ``position`` in (time, position)
/// order, the key of the last one, and the `policy.set` events among them (the policy timeline
/// is rebuilt from those). Like the index it is derived data: a snapshot of another format, or
/// one that does not decode, is ignored and rebuilt; the index's own format change clears it.
///
/// Value layout (integers 8 bytes big-endian): snapshot format, ``Views/stateFormat``,
/// ``ViewIndex/formatVersion``, position, last key length and bytes, policy event count and each
/// event's length and ``CompactCodec`` bytes, then ``Views/encodedState()`` to the end.
public struct ViewSnapshot: Sendable {
    /// The layout of the stored value; bump it when the header changes.
    public static let formatVersion: UInt64 = 1

    /// The log position the state covers: every indexed event at or before it, and no other.
    public var position: UInt64
    /// The index key (time, position) of the last event applied; empty when none was.
    public var lastKey: [UInt8]
    /// The `policy.set` events applied, in (time, position) order.
    public var policyEvents: [Event]
    /// The views, their policies rebuilt from ``policyEvents``.
    public var views: Views

    static let key = Array("live".utf8)

    /// The stored bytes of this snapshot.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        let state = views.encodedState()
        out.reserveCapacity(state.count + 64 + policyEvents.count * 128)
        for n in [Self.formatVersion, Views.stateFormat, UInt64(ViewIndex.formatVersion), position, UInt64(lastKey.count)] {
            out += Keys.uint64(n)
        }
        out += lastKey
        out += Keys.uint64(UInt64(policyEvents.count))
        for event in policyEvents {
            let bytes = CompactCodec.encode(event)
            out += Keys.uint64(UInt64(bytes.count))
            out += bytes
        }
        out += state
        return out
    }

    /// The snapshot in `bytes`, or nil when it is of another format or does not decode.
    /// `reading` decodes only the state of the view that query reads (see
    /// ``Views/init(encodedState:policies:reading:)``).
    init?(decoding bytes: UnsafeRawBufferPointer, reading: ViewQueryName? = nil) {
        var offset = 0
        func next() -> UInt64? {
            guard offset + 8 <= bytes.count else { return nil }
            defer { offset += 8 }
            return Keys.uint64(from: bytes, at: offset)
        }
        func take(_ n: UInt64) -> UnsafeRawBufferPointer? {
            guard n <= UInt64(bytes.count - offset) else { return nil }
            defer { offset += Int(n) }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n))])
        }
        guard next() == Self.formatVersion, next() == Views.stateFormat, next() == UInt64(ViewIndex.formatVersion),
            let position = next(), let keyLength = next(), let key = take(keyLength), let count = next(),
            count <= UInt64(bytes.count)
        else { return nil }
        var events: [Event] = []
        var timeline = PolicyTimeline()
        for _ in 0..<count {
            guard let length = next(), let raw = take(length), let event = CompactCodec.decode(raw) else { return nil }
            events.append(event)
            timeline.record(event)
        }
        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        guard let views = try? Views(encodedState: rest, policies: timeline, reading: reading) else { return nil }
        self.position = position
        self.lastKey = Array(key)
        self.policyEvents = events
        self.views = views
    }

    init(position: UInt64, lastKey: [UInt8], policyEvents: [Event], views: Views) {
        self.position = position
        self.lastKey = lastKey
        self.policyEvents = policyEvents
        self.views = views
    }
}

extension ViewSnapshot {
    /// Applies `events` (in index key order) to the state of the view `name` reads and to the
    /// policies, as a snapshot decoded for that query holds no other view. Returns false, having
    /// changed nothing, when one of them comes before the last event of the snapshot (a backfill).
    mutating func applyToReadView(_ name: ViewQueryName, events: [ViewIndex.TimelineEntry]) -> Bool {
        if let first = events.first, !lastKey.isEmpty, first.key.lexicographicallyPrecedes(lastKey) { return false }
        let parts: Views.Parts = [.policies, Views.Parts(reading: name)]
        for entry in events {
            views.apply(entry.event, to: parts)
            if entry.event.type == "policy.set" { policyEvents.append(entry.event) }
            lastKey = entry.key
        }
        if let last = events.last { position = max(position, last.event.position) }
        return true
    }
}

extension ViewIndex {
    /// The stored snapshot of the live views, if there is a readable one of this format that
    /// the index covers (its position ≤ the index's checkpoint).
    public func snapshot() throws(LogError) -> ViewSnapshot? {
        do {
            return try env.read { txn throws(StoreError) -> ViewSnapshot? in
                let checkpoint = try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0
                guard let bytes = try txn.get(ViewSnapshot.key, in: state), let snapshot = ViewSnapshot(decoding: bytes),
                    snapshot.position <= checkpoint
                else { return nil }
                return snapshot
            }
        } catch { throw LogError.storage(error) }
    }

    /// Answers `request` from the stored snapshot when it holds every indexed event but the
    /// last `catchingUp` positions or fewer (catch the index up first); see
    /// ``viewsFromSnapshot(_:catchingUp:now:)``.
    public func answerFromSnapshot(_ request: ViewRequest, catchingUp: UInt64 = 0, now: Instant = .now) throws -> JSONValue? {
        guard let (views, q) = try viewsFromSnapshot(request, catchingUp: catchingUp, now: now) else { return nil }
        return try views.answer(request.name, q, draft: request.draft)
    }

    /// The canonical JSON bytes of ``answerFromSnapshot(_:catchingUp:now:)``.
    public func encodedAnswerFromSnapshot(_ request: ViewRequest, catchingUp: UInt64 = 0, now: Instant = .now) throws -> [UInt8]? {
        guard let (views, q) = try viewsFromSnapshot(request, catchingUp: catchingUp, now: now) else { return nil }
        return try views.encodedAnswer(request.name, q, draft: request.draft)
    }

    /// The views that answer `request`, and its query, from the stored snapshot when it holds
    /// every indexed event but the last `catchingUp` positions or fewer (catch the index up
    /// first): only the state of the view the query reads is decoded, and the events after the
    /// snapshot are applied to that view alone, so these views answer that query and no other.
    /// A one-off query needs neither the other views nor a stored state of its own. `nil` when
    /// there is no such snapshot, when an event after it is backfilled (earlier than its last
    /// one: then ``LiveViews`` rebuilds), and for a query at a position.
    public func viewsFromSnapshot(_ request: ViewRequest, catchingUp: UInt64 = 0, now: Instant = .now) throws -> (Views, ViewQuery)? {
        guard request.atPosition == nil else { return nil }
        var checkpoint: UInt64 = 0
        var loaded: ViewSnapshot?
        do {
            loaded = try env.read { txn throws(StoreError) -> ViewSnapshot? in
                checkpoint = try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0
                guard let bytes = try txn.get(ViewSnapshot.key, in: state), bytes.count >= 32 else { return nil }
                let position = Keys.uint64(from: bytes, at: 24)
                guard position <= checkpoint, checkpoint - position <= catchingUp else { return nil }
                return ViewSnapshot(decoding: bytes, reading: request.name)
            }
        } catch { throw LogError.storage(error) }
        guard let position = loaded?.position else { return nil }
        if position < checkpoint {
            // Applied in place: a copy would share the decoded state, and the first change
            // would copy all of it.
            let events = try newEvents(after: position, through: checkpoint)
            guard loaded!.applyToReadView(request.name, events: events) else { return nil }
        }
        guard var views = loaded?.views, let policyEvents = loaded?.policyEvents else { return nil }
        loaded = nil
        try request.applyOverrides(to: &views, policyEvents: policyEvents)
        return (views, request.query(now: now))
    }

    /// The indexed events of positions `after + 1 ... through`, read from the log, by index key.
    func newEvents(after: UInt64, through: UInt64) throws(LogError) -> [TimelineEntry] {
        var events: [TimelineEntry] = []
        try log.scan(from: after + 1) { stored throws(LogError) in
            guard stored.position <= through else { return false }
            let event = try stored.decode()
            if Self.isIndexed(event.type) { events.append(TimelineEntry(key: Self.key(time: event.time, position: event.position), event: event)) }
            return true
        }
        events.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return events
    }

    /// The position of the stored snapshot, without decoding its state (0 when there is none).
    public func snapshotPosition() throws(LogError) -> UInt64 {
        do {
            return try env.read { txn throws(StoreError) -> UInt64 in
                guard let bytes = try txn.get(ViewSnapshot.key, in: state), bytes.count >= 32,
                    Keys.uint64(from: bytes) == ViewSnapshot.formatVersion
                else { return 0 }
                return Keys.uint64(from: bytes, at: 24)
            }
        } catch { throw LogError.storage(error) }
    }

    /// Stores `snapshot` in one write transaction, unless the stored one (of this format)
    /// already covers a later position. Returns whether it was written.
    @discardableResult
    public func store(_ snapshot: ViewSnapshot) throws(LogError) -> Bool {
        let bytes = snapshot.encoded()
        do {
            return try env.write(durable: false) { [state] txn throws(StoreError) -> Bool in
                if let stored = try txn.get(ViewSnapshot.key, in: state), stored.count >= 32,
                    Keys.uint64(from: stored) == ViewSnapshot.formatVersion,
                    Keys.uint64(from: stored, at: 8) == Views.stateFormat,
                    Keys.uint64(from: stored, at: 24) > snapshot.position
                { return false }
                try txn.put(ViewSnapshot.key, bytes, in: state)
                return true
            }
        } catch { throw LogError.storage(error) }
    }
}
