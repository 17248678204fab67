import Foundation
import ParleyTestSupport
import Testing
import ParleyDemo
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

/// The stored state of the views: its bytes decode to views that answer as the original, and a
/// process that loads it answers as the index does, through appends and backfills.
@Suite struct ViewSnapshotTests {
    /// `count` random events of the vocabulary with positions, in (time, position) order.
    func sortedEvents(seed: UInt64, count: Int) -> [Event] {
        var community = RandomCommunity(seed: seed)
        var events: [Event] = []
        for i in 0..<count {
            let new = community.event()
            events.append(Event(
                position: UInt64(i + 1), version: 1, recorded: Instant(microseconds: 0), id: new.id!, stream: new.stream,
                type: new.type, time: new.time, source: "api", data: new.data, meta: [:]))
        }
        return events.sorted { ($0.time, $0.position) < ($1.time, $1.position) }
    }

    @Test(arguments: [41, 42, 43])
    func decodedStateAnswersAsTheOriginal(seed: UInt64) throws {
        let events = sortedEvents(seed: seed, count: 500)
        var views = Views()
        var policies = PolicyTimeline()
        for e in events {
            views.apply(e)
            if e.type == "policy.set" { policies.record(e) }
        }
        let bytes = views.encodedState()
        let decoded = try bytes.withUnsafeBytes { try Views(encodedState: $0, policies: policies) }
        #expect(decoded.encodedState().count == bytes.count)
        let probes = [0, 15, 30, 45, 61].map { Instant(microseconds: RandomCommunity(seed: seed).base + Int64($0) * 86_400_000_000) }
        for asOf in probes {
            for name in ViewQueryName.replayable {
                let q = ViewQuery(asOf: asOf)
                #expect(try decoded.answer(name, q) == views.answer(name, q), "\(name.rawValue) as of \(asOf)")
            }
        }
        // A cut state is refused, never misread.
        for cut in [0, 1, bytes.count / 3, bytes.count - 1] {
            #expect(throws: ViewStateError.self) {
                try bytes.withUnsafeBytes { try Views(encodedState: UnsafeRawBufferPointer(rebasing: $0[0..<cut]), policies: policies) }
            }
        }
    }

    /// A stored state that holds every indexed event answers each query, with only its view
    /// decoded, as the views in memory do, as values and as bytes; one that lags does not answer.
    func expectSameAnswersFromSnapshot(_ live: LiveViews, _ index: ViewIndex, clock: Int64, _ label: String) throws {
        for name in ViewQueryName.replayable {
            for asOf in [Instant(microseconds: clock), Instant(microseconds: clock - 86_400_000_000 * 2)] {
                var request = ViewRequest(name: name)
                request.asOf = asOf
                let expected = try live.answer(request)
                #expect(try index.answerFromSnapshot(request) == expected, "\(name.rawValue) \(label)")
                #expect(try index.encodedAnswerFromSnapshot(request) == JSONWriter.encode(expected), "\(name.rawValue) \(label)")
                #expect(try live.encodedAnswer(request) == JSONWriter.encode(expected), "\(name.rawValue) \(label)")
            }
        }
        var whatIf = ViewRequest(name: .supportTickets)
        whatIf.asOf = Instant(microseconds: clock)
        whatIf.policyOverrides = ["sla": ["first_response_s": 60]]
        #expect(try index.answerFromSnapshot(whatIf) == live.answer(whatIf), "what-if \(label)")
        var atPosition = ViewRequest(name: .supportSLA)
        atPosition.atPosition = 1
        #expect(try index.answerFromSnapshot(atPosition) == nil)
    }

    @Test(arguments: [51, 52])
    func aReopenedLogAnswersFromItsSnapshot(seed: UInt64) throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var community = RandomCommunity(seed: seed)
        var rng = SeededGenerator(seed: seed)
        var clock = community.base
        func batch(backfill: Bool) -> [NewEvent] {
            (0..<Int.random(in: 10...40, using: &rng)).map { _ in
                var e = community.event()
                clock += Int64.random(in: 0...7_200, using: &rng) * 1_000_000
                e.time = Instant(microseconds: backfill && Bool.random(using: &rng) ? clock - 86_400_000_000 * 3 : clock)
                return e
            }
        }
        // Each step is one process: open the log, load the stored views, append, refresh,
        // compare with the index, store.
        let steps: [(backfill: Bool, rebuilds: Int)] = [(false, 0), (false, 0), (true, 1), (false, 0), (true, 1)]
        for (step, expected) in steps.enumerated() {
            let log = try EventLog(directory: directory)
            let index = try ViewIndex(log: log)
            let stored = try index.snapshot()
            #expect((stored == nil) == (step == 0), "step \(step)")
            let live = try LiveViews(restoring: index)
            #expect(live.currentPosition == (stored?.position ?? 0))
            if step > 0 { try expectSameAnswers(live, index, clock: clock, "loaded at step \(step)") }
            _ = try log.append(batch(backfill: expected.backfill))
            try live.refresh()
            #expect(live.currentPosition == (try log.head()))
            #expect(live.rebuilds == (step == 0 ? 0 : expected.rebuilds), "step \(step)")
            try expectSameAnswers(live, index, clock: clock, "step \(step)")
            #expect(try live.persist())
            #expect(try !live.persist(), "an unchanged state is stored again")
            try expectSameAnswersFromSnapshot(live, index, clock: clock, "stored at step \(step)")
            #expect(try index.snapshot()?.position == (try log.head()))
            #expect(try index.snapshotPosition() == (try log.head()))
        }
    }

    @Test func anOlderSnapshotDoesNotReplaceANewerOne() throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: 61)
            _ = try log.append((0..<20).map { _ in community.event() })
            let behind = try LiveViews(restoring: index)
            try behind.refresh()
            _ = try log.append((0..<20).map { _ in community.event() })
            let ahead = try LiveViews(restoring: index)
            try ahead.refresh()
            #expect(try ahead.persist())
            #expect(try !behind.persist())
            #expect(try index.snapshotPosition() == 40)
        }
    }

    @Test func aShortGapIsStoredOnlyWhenAsked() throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: 71)
            _ = try log.append((0..<30).map { _ in community.event() })
            let first = try LiveViews(restoring: index)
            try first.refresh()
            #expect(try first.persist(minimumGap: 1_000), "a rebuilt state is stored whatever the gap")
            // Five tickets after every event so far: applied, not rebuilt.
            let later = (0..<5).map { i in
                NewEvent(
                    stream: "ticket:late\(i)", type: "ticket.opened", time: Instant(microseconds: community.base + 90 * 86_400_000_000 + Int64(i)),
                    data: ["ticket": .string("late\(i)"), "member": "m1"])
            }
            _ = try log.append(later)
            try index.catchUp()
            #expect(try index.answerFromSnapshot(ViewRequest(name: .supportSLA)) == nil, "the stored state lags the index")
            #expect(try index.answerFromSnapshot(ViewRequest(name: .supportSLA), catchingUp: 4) == nil, "by more than 4")
            // Within the gap, the view asked takes in the five events alone and answers as the
            // views in memory do (the other views of that state stay empty).
            let clock = community.base + 91 * 86_400_000_000
            let current = try LiveViews(restoring: index)
            try current.refresh()
            for name in ViewQueryName.replayable {
                for asOf in [Instant(microseconds: clock), Instant(microseconds: clock - 86_400_000_000 * 2)] {
                    var request = ViewRequest(name: name)
                    request.asOf = asOf
                    let expected = try current.answer(request)
                    #expect(try index.answerFromSnapshot(request, catchingUp: 5) == expected, "\(name.rawValue) after a short gap")
                    #expect(try index.encodedAnswerFromSnapshot(request, catchingUp: 5) == JSONWriter.encode(expected), "\(name.rawValue)")
                }
            }
            let second = try LiveViews(restoring: index)
            try second.refresh()
            #expect(second.rebuilds == 0)
            #expect(try !second.persist(minimumGap: 6))
            #expect(try index.snapshotPosition() == 30)
            let third = try LiveViews(restoring: index)
            try third.refresh()
            try expectSameAnswers(third, index, clock: community.base + 91 * 86_400_000_000, "after a short gap")
            #expect(try third.persist(minimumGap: 5))
            #expect(try index.snapshotPosition() == 35)
            // A backfilled event after the stored state: not applied to it, the views rebuild.
            _ = try log.append([NewEvent(
                stream: "ticket:early", type: "ticket.opened", time: Instant(microseconds: community.base),
                data: ["ticket": "early", "member": "m2"])])
            try index.catchUp()
            #expect(try index.answerFromSnapshot(ViewRequest(name: .supportSLA), catchingUp: 100) == nil, "a backfill")
            // A policy change after it reaches the view asked through the policies too.
            _ = try log.append([NewEvent(
                stream: "policy:sla", type: "policy.set", time: Instant(microseconds: clock),
                data: ["name": "sla", "value": ["first_response_s": 1]])])
            let fourth = try LiveViews(restoring: index)
            try fourth.refresh()
            #expect(try fourth.persist())
            _ = try log.append([
                NewEvent(
                    stream: "policy:sla", type: "policy.set", time: Instant(microseconds: clock + 1),
                    data: ["name": "sla", "value": ["first_response_s": 86_400, "hours": "24x7"]]),
                NewEvent(
                    stream: "ticket:after", type: "ticket.opened", time: Instant(microseconds: clock + 2),
                    data: ["ticket": "after", "member": "m3"]),
            ])
            try index.catchUp()
            // Pending under the new policy (a day to answer), breached under the one before.
            var request = ViewRequest(name: .supportTickets)
            request.asOf = Instant(microseconds: clock + 3_600_000_000)
            let caughtUp = try LiveViews(restoring: index)
            try caughtUp.refresh()
            let expected = try caughtUp.answer(request)
            #expect(JSONWriter.string(expected).contains("\"ticket\":\"after\""))
            #expect(try index.answerFromSnapshot(request, catchingUp: 5) == expected)
        }
    }

    /// A refresh asked to stop ends after one chunk: one that applies new events keeps those
    /// of the chunk it indexed, one that rebuilds keeps the state it had; the next refresh goes
    /// on from there to the views of the whole log.
    @Test func aRefreshAskedToStopGoesOnFromWhereItStopped() throws {
        try withLogAndIndex { log, index in
            var community = RandomCommunity(seed: 81)
            var clock = community.base
            func events(_ count: Int) -> [NewEvent] {
                (0..<count).map { _ in
                    var e = community.event()
                    clock += 600_000_000
                    e.time = Instant(microseconds: clock)
                    return e
                }
            }
            _ = try log.append(events(40))
            let live = LiveViews(index: index, chunk: 30)
            try live.refresh()
            #expect(live.currentPosition == 40)
            _ = try log.append(events(60))
            var asked = 0
            try live.refresh(stopping: { asked += 1; return true })
            #expect(asked == 1)
            #expect(try index.checkpoint() == 70, "one chunk indexed")
            #expect(live.currentPosition == 70, "and applied")
            #expect(live.rebuilds == 0)
            // A state to rebuild, asked to stop: the index takes one chunk more, the state none.
            let fresh = LiveViews(index: index, chunk: 30)
            try fresh.refresh(stopping: { true })
            #expect(try index.checkpoint() == 100)
            #expect(fresh.currentPosition == 0, "a rebuild cut short keeps no state")
            #expect(try !fresh.persist())
            try fresh.refresh()
            try live.refresh()
            #expect(fresh.currentPosition == 100)
            #expect(live.currentPosition == 100)
            try expectSameAnswers(live, index, clock: clock, "after a stopped refresh")
            try expectSameAnswers(fresh, index, clock: clock, "after a stopped rebuild")
        }
    }
}

/// Every replayable query of `live` at two instants, and a what-if, equals the index's answer.
func expectSameAnswers(_ live: LiveViews, _ index: ViewIndex, clock: Int64, _ label: String) throws {
    for name in ViewQueryName.replayable {
        for asOf in [Instant(microseconds: clock), Instant(microseconds: clock - 86_400_000_000 * 2)] {
            var request = ViewRequest(name: name)
            request.asOf = asOf
            #expect(try live.answer(request) == index.answer(request), "\(name.rawValue) \(label)")
        }
    }
    var whatIf = ViewRequest(name: .supportSLA)
    whatIf.asOf = Instant(microseconds: clock)
    whatIf.policyOverrides = ["sla": ["first_response_s": 60]]
    #expect(try live.answer(whatIf) == index.answer(whatIf), "what-if \(label)")
}
