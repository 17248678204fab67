import ParleyModel
@testable import ParleyViews

/// A hand-written event log for view tests: events from (type, time, data) with increasing
/// positions, replayed into a view in (time, position) order as the caller of a view does.
struct EventScript {
    var events: [Event] = []

    /// `text` as an instant; the tests only write valid ones.
    static func instant(_ text: String) -> Instant { try! Instant(rfc3339: text) }

    /// Appends an event at the next position.
    mutating func add(_ type: String, _ time: String, _ data: JSONObject) {
        let position = UInt64(events.count + 1)
        events.append(Event(
            position: position, version: 1, recorded: Self.instant(time), id: "e\(position)",
            stream: "test:\(position)", type: type, time: Self.instant(time), source: "test", data: data, meta: [:]))
    }

    /// The events with time ≤ `asOf`, in (time, position) order.
    func ordered(asOf: Instant? = nil) -> [Event] {
        events.filter { asOf == nil || $0.time <= asOf! }.sorted {
            $0.time != $1.time ? $0.time < $1.time : $0.position < $1.position
        }
    }

    /// The policies of the script's `policy.set` events, overridden by `overrides`.
    func policies(_ overrides: JSONObject = [:]) -> PolicyTimeline {
        var timeline = try! PolicyTimeline(overrides: overrides)
        for e in ordered() { timeline.record(e) }
        return timeline
    }

    /// A query as of `asOf` with the script's policies and `overrides`.
    func query(_ asOf: String, from: String? = nil, to: String? = nil, week: String? = nil,
               policy overrides: JSONObject = [:]) -> ViewQuery {
        ViewQuery(asOf: Self.instant(asOf), from: from.map(Self.instant), to: to.map(Self.instant),
                  week: week, policies: policies(overrides))
    }

    /// Replays the events with time ≤ `asOf` into a fresh community view.
    func community(asOf: String) -> CommunityView {
        var view = CommunityView()
        for e in ordered(asOf: Self.instant(asOf)) { view.apply(e) }
        return view
    }

    /// Replays the events with time ≤ `asOf` into a fresh content view.
    func content(asOf: String) -> ContentView {
        var view = ContentView()
        for e in ordered(asOf: Self.instant(asOf)) { view.apply(e) }
        return view
    }

    /// Replays the events with time ≤ `asOf` into a fresh product view.
    func product(asOf: String) -> ProductView {
        var view = ProductView()
        for e in ordered(asOf: Self.instant(asOf)) { view.apply(e) }
        return view
    }

    /// `idea.proposed` of `idea` by `author` at `time`.
    mutating func propose(_ idea: String, by author: String, at time: String) {
        add("idea.proposed", time, ["idea": .string(idea), "author": .string(author), "title": .string("Title of \(idea)")])
    }

    /// `idea.voted` (or `idea.unvoted`) of `member` for `idea` at `time`.
    mutating func vote(_ idea: String, _ member: String, at time: String, unvote: Bool = false) {
        add(unvote ? "idea.unvoted" : "idea.voted", time, ["idea": .string(idea), "member": .string(member)])
    }

    /// `idea.status_changed` of `idea` to `status` at `time`.
    mutating func status(_ idea: String, _ status: String, at time: String) {
        add("idea.status_changed", time, ["idea": .string(idea), "status": .string(status)])
    }

    /// `idea.merged` of `idea` into `into` at `time`.
    mutating func merge(_ idea: String, into: String, at time: String) {
        add("idea.merged", time, ["idea": .string(idea), "into": .string(into)])
    }
}
