import ParleyModel
@testable import ParleyServer
import Testing

/// The events the daemon holds for its view catch-up: runs by first position, handed out in
/// position order, bounded, and never kept for positions the views already hold.
@Suite struct CommittedEventsTests {
    static func events(_ positions: ClosedRange<UInt64>) -> [Event] {
        positions.map { p in
            Event(
                position: p, version: 1, recorded: Instant(microseconds: 0), id: "e\(p)", stream: "s\(p)", type: "test.note",
                time: Instant(microseconds: Int64(p)), source: "api", data: [:], meta: [:])
        }
    }

    @Test func handsOutRunsInPositionOrder() {
        let held = CommittedEvents(limit: 10)
        held.add(Self.events(4...5))  // a later batch's appender may resume first
        held.add(Self.events(1...3))
        let reader = CommittedEvents.Reader(held)
        #expect((1...6).map { reader.event(at: $0)?.id } == ["e1", "e2", "e3", "e4", "e5", nil])
        // Taken: a second catch-up finds nothing.
        #expect(CommittedEvents.Reader(held).event(at: 1) == nil)
    }

    /// The reader moves each event out as it hands it over: one asked for again is read from
    /// the log, never given as the empty one left in its place.
    @Test func anEventIsHandedOutOnce() {
        let held = CommittedEvents()
        held.add(Self.events(1...3))
        let reader = CommittedEvents.Reader(held)
        #expect(reader.event(at: 1) == Self.events(1...1)[0])
        #expect(reader.event(at: 1) == nil)
        #expect(reader.event(at: 2)?.id == "e2" && reader.event(at: 2) == nil && reader.event(at: 3)?.id == "e3")
    }

    @Test func holdsAtMostItsLimitAndNothingTheViewsHold() {
        let held = CommittedEvents(limit: 4)
        held.add(Self.events(1...3))
        held.add(Self.events(4...5))  // over the limit: read from the log instead
        held.drop(through: 3)
        held.add(Self.events(2...3))  // too late: the views hold these
        held.add(Self.events(6...7))
        let reader = CommittedEvents.Reader(held)
        #expect((1...7).map { reader.event(at: $0)?.id } == [nil, nil, nil, nil, nil, "e6", "e7"])
    }

    @Test func aReaderStartingInsideARunFindsNothingOfIt() {
        let held = CommittedEvents()
        held.add(Self.events(1...3))
        let reader = CommittedEvents.Reader(held)
        #expect(reader.event(at: 2) == nil && reader.event(at: 3) == nil)
    }
}
