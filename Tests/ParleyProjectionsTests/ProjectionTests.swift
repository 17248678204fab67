import Foundation
import Testing
import ParleyDemo
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyStore
import ParleyTestSupport
import ParleyViews

/// Random events of every view's vocabulary, with times deliberately out of order.
struct RandomCommunity {
    var rng: SeededGenerator
    var n = 0
    let base = 1_780_000_000_000_000 as Int64

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    mutating func event() -> NewEvent {
        n += 1
        let time = Instant(microseconds: base + Int64.random(in: 0..<(60 * 86_400), using: &rng) * 1_000_000)
        let member = pick(["m1", "m2", "m3", "m4", "m5", "brand"])
        let ticket = pick(["t1", "t2", "t3", "t4"])
        let idea = pick(["i1", "i2", "i3"])
        let post = pick(["p1", "p2", "p3"])
        let (type, data): (String, JSONObject) = switch Int.random(in: 0..<16, using: &rng) {
        case 0: ("member.joined", ["member": .string(member)])
        case 1: ("ticket.opened", ["ticket": .string(ticket), "member": .string(member)])
        case 2: ("ticket.replied", ["ticket": .string(ticket), "by": "agent", "staff": .bool(Bool.random(using: &rng))])
        case 3: ("ticket.resolved", ["ticket": .string(ticket)])
        case 4: ("ticket.escalated", ["ticket": .string(ticket), "team": .string(pick(["billing", "tech"]))])
        case 5: ("post.published", ["post": .string(post), "author": .string(member), "kind": .string(pick(["engaging", "educational", "promotional"])), "next_step": .string(pick(["poll", "none"]))])
        case 6: ("comment.posted", ["comment": .string("c\(n)"), "post": .string(post), "author": .string(member)])
        case 7: ("reaction.added", ["target": .string(post), "member": .string(member)])
        case 8: ("idea.proposed", ["idea": .string(idea), "author": .string(member), "title": "An idea"])
        case 9: ("idea.voted", ["idea": .string(idea), "member": .string(member)])
        case 10: ("idea.unvoted", ["idea": .string(idea), "member": .string(member)])
        case 11: ("idea.status_changed", ["idea": .string(idea), "status": .string(pick(["planned", "shipped", "declined"]))])
        case 12: ("idea.estimated", ["idea": .string(idea), "impact": .int(Int64.random(in: 1...5, using: &rng)), "cost": .int(Int64.random(in: 1...5, using: &rng))])
        case 13: ("announcement.published", ["announcement": .string("a\(n)"), "ideas": [.string(idea)], "notified": [.string(member)]])
        case 14: ("moderation.flagged", ["target": .string(post), "member": .string(member), "reason": .string(pick(["toxic", "spam"]))])
        default: ("policy.set", ["name": "sla", "value": ["first_response_s": .int(Int64(pick([600, 3600, 7200])))]])
        }
        return NewEvent(id: "r\(n)", stream: "s:\(n % 9)", type: type, time: time, data: data)
    }
}

/// Runs `body` with a new log and its view index in a temporary directory, removed afterwards.
func withLogAndIndex<T>(_ body: (EventLog, ViewIndex) throws -> T) throws -> T {
    let directory = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = try EventLog(directory: directory)
    return try body(log, try ViewIndex(log: log))
}

@Suite struct ProjectionTests {

    @Test(arguments: [11, 12, 13])
    func incrementalEqualsFullReplay(seed: UInt64) throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: seed)
            var rng = SeededGenerator(seed: seed &* 31)
            let probes = (0..<4).map { _ in Instant(microseconds: community.base + Int64.random(in: 0..<(70 * 86_400), using: &rng) * 1_000_000) }
            for round in 0..<12 {
                let batch = (0..<Int.random(in: 1...40, using: &rng)).map { _ in community.event() }
                _ = try log.append(batch)
                // Catch up only sometimes, so that catch-ups span several appends.
                if round % 3 == 2 || Bool.random(using: &rng) { try index.catchUp(chunk: 17) }
            }
            try index.catchUp(chunk: 17)
            #expect(try index.checkpoint() == log.head())
            #expect(try ViewAudit.verifyIndex(index) == nil)
            for asOf in probes {
                let stored = ViewAudit.digests(of: try index.views(asOf: asOf), asOf: asOf)
                let replayed = ViewAudit.digests(of: try ViewAudit.replay(log, asOf: asOf), asOf: asOf)
                #expect(stored.map(\.digest) == replayed.map(\.digest))
                let position = try log.head() / 2
                let storedThen = ViewAudit.digests(of: try index.views(asOf: asOf, atPosition: position), asOf: asOf)
                let replayedThen = ViewAudit.digests(of: try ViewAudit.replay(log, asOf: asOf, atPosition: position), asOf: asOf)
                #expect(storedThen.map(\.digest) == replayedThen.map(\.digest))
            }
        }
    }

    /// The rebuild folds the views in two halves on two threads (`Views.Parts`); joined, they
    /// must be the views one sequential fold of the same entries gives, query for query.
    @Test func aRebuildInTwoHalvesEqualsOneFold() throws {
        try withLogAndIndex { log, index in
            let until = Instant(microseconds: 1_790_000_000_000_000)
            var demo = DemoCommunity(seed: 5, until: until, days: 30, members: 80)
            _ = try log.append(demo.generate())
            try index.catchUp()
            for asOf in [until, until.adding(days: -10)] {
                var sequential = Views()
                try index.forEach(asOf: asOf) { sequential.apply($0) }
                let halves = try index.views(asOf: asOf)
                #expect(ViewAudit.digests(of: halves, asOf: asOf).map(\.digest) == ViewAudit.digests(of: sequential, asOf: asOf).map(\.digest))
                for name in ViewQueryName.replayable {
                    let q = ViewQuery(asOf: asOf)
                    #expect((try? halves.answer(name, q)) == (try? sequential.answer(name, q)), "\(name.rawValue)")
                }
                // Each part feeds its own view only (support reads the policies too).
                var supportOnly = Views()
                try index.forEach(asOf: asOf) { supportOnly.apply($0, to: [.policies, .support]) }
                #expect(try supportOnly.answer(.supportSLA, ViewQuery(asOf: asOf)) == sequential.answer(.supportSLA, ViewQuery(asOf: asOf)))
                #expect(try supportOnly.answer(.communitySummary, ViewQuery(asOf: asOf)) == Views().answer(.communitySummary, ViewQuery(asOf: asOf)))
            }
        }
    }

    @Test func aBackfilledEventChangesThePast() throws {
        try withLogAndIndex { log, index in
            func at(_ s: String) throws -> Instant { try Instant(rfc3339: s) }
            _ = try log.append([
                NewEvent(stream: "ticket:t1", type: "ticket.opened", time: try at("2026-03-02T09:00:00Z"), data: ["ticket": "t1", "member": "m1"]),
            ])
            try index.catchUp()
            let t = try at("2026-03-03T12:00:00Z")
            let before = try index.views(asOf: t).answer(.supportSLA, ViewQuery(asOf: t))
            #expect(before["breached"] == 1)
            // A connector backfills the reply that came ten minutes after opening.
            _ = try log.append([
                NewEvent(stream: "ticket:t1", type: "ticket.replied", time: try at("2026-03-02T09:10:00Z"), data: ["ticket": "t1", "by": "agent", "staff": true]),
            ])
            try index.catchUp()
            let after = try index.views(asOf: t).answer(.supportSLA, ViewQuery(asOf: t))
            #expect(after["met"] == 1)
            #expect(after["breached"] == 0)
            // What the log knew at position 1 is unchanged.
            let then = try index.views(asOf: t, atPosition: 1).answer(.supportSLA, ViewQuery(asOf: t))
            #expect(then["breached"] == 1)
        }
    }

    @Test func compactCodecRoundTrips() throws {
        var community = RandomCommunity(seed: 5)
        for i in 0..<200 {
            let new = community.event()
            let event = Event(position: UInt64(i + 1), version: 0, recorded: Instant(microseconds: 0), id: "", stream: "", type: new.type, time: new.time, source: "", data: new.data.merging(["x": [1.5, nil, ["k": "v"]]]) { a, _ in a }, meta: [:])
            let bytes = CompactCodec.encode(event)
            let decoded = bytes.withUnsafeBytes { CompactCodec.decode($0) }
            #expect(decoded == event)
            // Damaged bytes decode to nothing: every truncation, and a length past Int.max.
            for end in stride(from: 0, to: bytes.count, by: 7) {
                #expect(Array(bytes[..<end]).withUnsafeBytes { CompactCodec.decode($0) } == nil)
            }
        }
        let hugeLength = [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 0xFF, count: 9) + [0x01]
        #expect(hugeLength.withUnsafeBytes { CompactCodec.decode($0) } == nil)
    }
}

@Suite struct CurrentStateTests {
    /// Views fed every event of the log in (time, position) order, later ones included, answer
    /// each as-of query exactly as views fed only the events up to T. This is what lets a
    /// process keep one current state and answer any instant from it.
    @Test(arguments: [21, 22, 23, 24])
    func oneStateAnswersEveryInstant(seed: UInt64) throws {
        var community = RandomCommunity(seed: seed)
        var events: [Event] = []
        for i in 0..<400 {
            let new = community.event()
            events.append(Event(position: UInt64(i + 1), version: 1, recorded: Instant(microseconds: 0), id: new.id!, stream: new.stream, type: new.type, time: new.time, source: "api", data: new.data, meta: [:]))
        }
        events.sort { ($0.time, $0.position) < ($1.time, $1.position) }
        var all = Views()
        for e in events { all.apply(e) }
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<6 {
            let asOf = Instant(microseconds: community.base + Int64.random(in: 0..<(62 * 86_400), using: &rng) * 1_000_000)
            var upTo = Views()
            for e in events where e.time <= asOf { upTo.apply(e) }
            for name in ViewQueryName.replayable {
                let q = ViewQuery(asOf: asOf)
                #expect(try all.answer(name, q) == upTo.answer(name, q), "\(name.rawValue) as of \(asOf)")
            }
        }
    }
}

@Suite struct LiveViewsTests {
    @Test(arguments: [31, 32])
    func liveAnswersEqualTheIndexAfterEveryRefresh(seed: UInt64) throws {
        try withLogAndIndex { log, index in
            let live = LiveViews(index: index)
            var community = RandomCommunity(seed: seed)
            var rng = SeededGenerator(seed: seed)
            var clock = community.base
            for round in 0..<10 {
                var batch: [NewEvent] = []
                for _ in 0..<Int.random(in: 1...30, using: &rng) {
                    var e = community.event()
                    // Mostly in time order, sometimes backfilled.
                    clock += Int64.random(in: 0...7_200, using: &rng) * 1_000_000
                    e.time = Instant(microseconds: Bool.random(using: &rng) && round % 3 == 1 ? clock - 86_400_000_000 * 3 : clock)
                    batch.append(e)
                }
                // Every third round, later than everything applied but out of time order.
                if round % 3 == 2 { batch.shuffle(using: &rng) }
                _ = try log.append(batch)
                try live.refresh()
                #expect(live.currentPosition == (try log.head()))
                try expectSameAnswers(live, index, clock: clock, "round \(round)")
            }
            #expect(live.rebuilds > 0, "no backfill happened; the rebuild path went untested")
        }
    }
}

/// The index is a cache of one log, in an environment of its own: opened over another log (a
/// log replaced, or restored from an older backup) it starts again rather than answer for
/// events that log does not hold.
@Suite struct IndexIdentityTests {
    /// An older Parley kept the index inside the log's environment: its tables are emptied on the
    /// first open, and later opens write nothing to the log.
    /// The index is derived from the log: a damaged file of it (cut short, or not LMDB at all)
    /// is replaced and rebuilt rather than refused, which stopped every query and parleyd.
    @Test func aDamagedIndexIsReplacedAndRebuilt() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        var community = RandomCommunity(seed: 93)
        _ = try log.append((0..<400).map { _ in community.event() })
        let request = try ViewRequest(name: .supportSLA, parameters: ["as_of": "2026-08-01T00:00:00Z"])
        let expected: JSONValue
        do {
            let index = try ViewIndex(log: log)
            #expect(try index.catchUp() == 400)
            expected = try index.answer(request)
        }
        let file = URL(fileURLWithPath: ViewIndex.directory(of: log) + "/data.mdb")
        let whole = try Data(contentsOf: file)
        #expect(whole.count > 4 * 4096)
        for damaged in [whole.prefix(whole.count / 2), Data(repeating: 0x41, count: 8192)] {
            try damaged.write(to: file)
            let index = try ViewIndex(log: log)
            #expect(try index.catchUp() == 400)
            #expect(try index.answer(request) == expected)
        }
    }

    @Test func theIndexOfAnOlderLayoutLeavesTheLog() throws {
        try withLogAndIndex { log, _ in
            var community = RandomCommunity(seed: 92)
            _ = try log.append((0..<40).map { _ in community.event() })
            let env = log.environment
            let old = try env.database("view_timeline")
            try env.write { txn throws(StoreError) in try txn.put([1, 2, 3], [4], in: old) }
            let index = try ViewIndex(log: log)
            #expect(try env.read { txn throws(StoreError) in try txn.count(old) } == 0)
            let lastTxn = try env.read { txn throws(StoreError) in txn.id }
            _ = try ViewIndex(log: log)
            #expect(try env.read { txn throws(StoreError) in txn.id } == lastTxn)
            #expect(try index.catchUp() == 40)
        }
    }

    @Test(arguments: [30, 200])
    func anIndexOfAnotherLogIsRebuilt(eventsOfTheOtherLog: Int) throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let log = try EventLog(directory: directory)
            var community = RandomCommunity(seed: 90)
            _ = try log.append((0..<120).map { _ in community.event() })
            #expect(try ViewIndex(log: log).catchUp() == 120)
        }
        // Another log in the same directory; the index stays.
        for file in ["data.mdb", "lock.mdb"] { try FileManager.default.removeItem(atPath: directory + "/" + file) }
        let log = try EventLog(directory: directory)
        var other = RandomCommunity(seed: 91)
        _ = try log.append((0..<eventsOfTheOtherLog).map { _ in other.event() })
        let index = try ViewIndex(log: log)
        #expect(try index.checkpoint() == 0)
        #expect(try index.catchUp() == UInt64(eventsOfTheOtherLog))
        #expect(try ViewAudit.verifyIndex(index) == nil)
        // The same log again: kept.
        #expect(try ViewIndex(log: log).checkpoint() == UInt64(eventsOfTheOtherLog))
    }
}

@Suite struct CatchUpHandOverTests {
    /// What a catch-up hands over equals what it stored; a range another writer indexed is not
    /// handed over, so a caller keeping views in memory must read it from the log.
    @Test func catchUpHandsOverExactlyWhatItIndexed() throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: 77)
            _ = try log.append((0..<120).map { _ in community.event() })
            var chunks: [ViewIndex.IndexedChunk] = []
            #expect(try index.catchUp(chunk: 50) { chunks.append($0) } == 120)
            #expect(chunks.map(\.positions) == [1...50, 51...100, 101...120])
            var stored: [UInt64] = []
            try index.forEach(asOf: .distantFuture) { stored.append($0.position) }
            #expect(Set(chunks.flatMap { $0.entries.map(\.event.position) }) == Set(stored))
            // Nothing new: nothing handed over.
            var none = 0
            #expect(try index.catchUp { _ in none += 1 } == 120)
            #expect(none == 0)
        }
    }

    /// A catch-up ends at the head it found: events appended while it runs are the next call's,
    /// so under ingest faster than the catch-up each call still returns (and its events get
    /// applied) instead of chasing the head. Events it is handed are not decoded again.
    @Test func catchUpStopsAtTheHeadItFound() throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: 78)
            _ = try log.append((0..<10).map { _ in community.event() })
            let more = (0..<5).map { _ in community.event() }
            var asked: [UInt64] = []
            let done = try index.catchUp(chunk: 3, known: { position in
                asked.append(position)
                if position == 1 { _ = try? log.append(more) }
                return nil
            })
            #expect(done == 10)
            #expect(asked == Array(1...10))
            #expect(try index.catchUp() == 15)
            // Handed events go into the index as given.
            _ = try log.append([community.event()])
            var given = try log.read(from: 16)[0]
            given.time = Instant(microseconds: given.time.microseconds + 1)
            #expect(try index.catchUp(known: { $0 == 16 ? given : nil }) == 16)
            var last: Event?
            try index.forEach(asOf: .distantFuture) { if $0.position == 16 { last = $0 } }
            #expect(last?.time == given.time)
        }
    }
}
