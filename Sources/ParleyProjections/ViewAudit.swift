public import ParleyLog
public import ParleyModel
public import ParleyViews
import ParleyStore

/// Views rebuilt from the log alone, and the checks of the stored index against them.
public enum ViewAudit {
    /// Rebuilds every view from the log alone (no stored index): the events with time ≤ `asOf` and
    /// position ≤ `atPosition`, sorted by (time, position), reduced in a scratch space.
    public static func replay(_ log: EventLog, asOf: Instant, atPosition: UInt64? = nil, policies: PolicyTimeline = PolicyTimeline()) throws(LogError) -> Views {
        try replay(log, asOf: Optional(asOf), atPosition: atPosition, policies: policies).views
    }

    /// Answers `request` from a replay of `log` alone, without an index: for a log on read-only
    /// media, where no index can be kept.
    public static func answer(_ request: ViewRequest, replaying log: EventLog, now: Instant = .now) throws -> JSONValue {
        try request.answer(now: now) { asOf, atPosition, policies in try replay(log, asOf: asOf, atPosition: atPosition, policies: policies) }
    }

    /// ``replay(_:asOf:atPosition:policies:)``, as of the time of the latest event at or before
    /// `atPosition` when `asOf` is nil (the epoch for an empty log): an instant the log itself
    /// fixes, so that the same log gives the same digests whenever it is replayed. Returns the
    /// instant used.
    public static func replay(
        _ log: EventLog, asOf: Instant?, atPosition: UInt64? = nil, policies: PolicyTimeline = PolicyTimeline()
    ) throws(LogError) -> (views: Views, asOf: Instant) {
        var events: [Event] = []
        var latest: Instant?
        let limit = atPosition ?? .max
        try log.scan { stored throws(LogError) in
            guard stored.position <= limit else { return false }
            let event = try stored.decode()
            latest = max(latest ?? event.time, event.time)
            if asOf.map({ event.time <= $0 }) ?? true, ViewIndex.isIndexed(event.type) { events.append(event) }
            return true
        }
        events.sort { ($0.time, $0.position) < ($1.time, $1.position) }
        var views = Views(policies: policies)
        for event in events { views.apply(event) }
        return (views, asOf ?? latest ?? Instant(microseconds: 0))
    }

    /// The digest of each view (`support`, `community`, `content`, `product`): SHA-256 over the
    /// canonical JSON of each of its queries as of `asOf`, in query order. Equal logs give equal
    /// digests.
    public static func digests(of views: Views, asOf: Instant) -> [(view: String, digest: String)] {
        var grouped: [String: [UInt8]] = [:]
        var order: [String] = []
        let q = ViewQuery(asOf: asOf)
        for name in ViewQueryName.replayable {
            let view = String(name.rawValue.prefix { $0 != "/" })
            if grouped[view] == nil { order.append(view) }
            let json = (try? views.answer(name, q)) ?? .null
            grouped[view, default: []] += Array(name.rawValue.utf8) + [0x3D] + JSONWriter.encode(json) + [0x0A]
        }
        return order.map { ($0, EventCodec.hex(EventCodec.sha256(grouped[$0]!))) }
    }

    /// Checks the stored index against the log: every indexed event of the log up to the
    /// index's checkpoint has its entry, with the same bytes, and there are no others. Returns the
    /// first disagreement, or nil.
    public static func verifyIndex(_ index: ViewIndex) throws(LogError) -> AuditFailure? {
        let checkpoint = try index.checkpoint()
        var expected: [([UInt8], [UInt8], UInt64)] = []
        try index.log.scan { stored throws(LogError) in
            guard stored.position <= checkpoint else { return false }
            let event = try stored.decode()
            if ViewIndex.isIndexed(event.type) {
                expected.append((ViewIndex.key(time: event.time, position: event.position), CompactCodec.encode(event), event.position))
            }
            return true
        }
        expected.sort { $0.0.lexicographicallyPrecedes($1.0) }
        do {
            return try index.env.read { txn throws(StoreError) -> AuditFailure? in
                try txn.withCursor(index.entries) { c throws(StoreError) -> AuditFailure? in
                    // Entries past the checkpoint read above are a catch-up that came meanwhile.
                    func next(_ entry: Cursor.Entry?) throws(StoreError) -> Cursor.Entry? {
                        var entry = entry
                        while let e = entry, Keys.uint64(from: e.key, at: 8) > checkpoint { entry = try c.next() }
                        return entry
                    }
                    var entry = try next(try c.first())
                    for (key, value, position) in expected {
                        guard let e = entry, e.key.elementsEqual(key) else {
                            return AuditFailure(position: position, message: "the view index lacks this event (or holds another in its place)")
                        }
                        guard e.value.elementsEqual(value) else {
                            return AuditFailure(position: position, message: "the view index holds other content for this event")
                        }
                        entry = try next(try c.next())
                    }
                    if let e = entry {
                        return AuditFailure(position: Keys.uint64(from: e.key, at: 8), message: "the view index holds an entry for no event of the log")
                    }
                    return nil
                }
            }
        } catch { throw LogError.storage(error) }
    }
}
