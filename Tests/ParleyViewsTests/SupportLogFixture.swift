import ParleyModel
@testable import ParleyViews

/// A small log for support tests: events get increasing positions as they are added; the view
/// is fed in (time, position) order, as the projection does, and queries see the `policy.set`
/// events timed up to T.
struct SupportLog {
    var events: [Event] = []

    /// An instant from RFC 3339 text known to be valid.
    static func t(_ text: String) -> Instant {
        (try? Instant(rfc3339: text)) ?? Instant(microseconds: 0)
    }

    /// Appends an event of `type` timed `time` with `data`.
    mutating func add(_ type: String, _ time: String, _ data: JSONObject) {
        let position = UInt64(events.count + 1)
        events.append(Event(
            position: position, version: 1, recorded: Instant(microseconds: 0), id: "e\(position)",
            stream: "ticket:\(data["ticket"]?.stringValue ?? "x")", type: type, time: Self.t(time),
            source: "api", data: data, meta: [:]))
    }

    mutating func open(_ ticket: String, _ time: String, member: String = "m-1") {
        add("ticket.opened", time, ["ticket": .string(ticket), "member": .string(member)])
    }

    mutating func reply(_ ticket: String, _ time: String, staff: Bool = true, isPublic: Bool = true) {
        add("ticket.replied", time, ["ticket": .string(ticket), "by": "agent", "staff": .bool(staff), "public": .bool(isPublic)])
    }

    mutating func resolve(_ ticket: String, _ time: String) {
        add("ticket.resolved", time, ["ticket": .string(ticket)])
    }

    mutating func reopen(_ ticket: String, _ time: String) {
        add("ticket.reopened", time, ["ticket": .string(ticket)])
    }

    mutating func escalate(_ ticket: String, _ time: String, team: String) {
        add("ticket.escalated", time, ["ticket": .string(ticket), "team": .string(team)])
    }

    /// A `policy.set` of the `sla` policy.
    mutating func sla(_ time: String, _ value: JSONObject) {
        add("policy.set", time, ["name": "sla", "value": .object(value)])
    }

    /// Events with time ≤ `asOf`, in (time, position) order.
    func visible(asOf: Instant) -> [Event] {
        events.filter { $0.time <= asOf }.sorted { ($0.time, $0.position) < ($1.time, $1.position) }
    }

    /// The view fed every event up to `asOf`, in (time, position) order, or in position order
    /// (as a live projection meets a backfilled event) when `byPosition`.
    func view(asOf: String, byPosition: Bool = false) -> SupportView {
        var view = SupportView()
        let asOf = Self.t(asOf)
        let feed = byPosition ? events.filter { $0.time <= asOf } : visible(asOf: asOf)
        for event in feed { view.apply(event) }
        return view
    }

    /// The query as of `asOf` with the log's policies.
    func query(asOf: String, from: String? = nil, to: String? = nil) -> ViewQuery {
        var policies = PolicyTimeline()
        let t = Self.t(asOf)
        for event in visible(asOf: t) { policies.record(event) }
        return ViewQuery(asOf: t, from: from.map(Self.t), to: to.map(Self.t), policies: policies)
    }

    /// `support tickets` as of `asOf`.
    func tickets(asOf: String, from: String? = nil, to: String? = nil) throws -> [JSONValue] {
        try view(asOf: asOf).tickets(query(asOf: asOf, from: from, to: to))["tickets"]?.arrayValue ?? []
    }

    /// The row of `ticket` in `support tickets` as of `asOf`.
    func row(_ ticket: String, asOf: String) throws -> JSONValue? {
        try tickets(asOf: asOf).first { $0["ticket"] == .string(ticket) }
    }

    /// `support sla` as of `asOf`.
    func slaReport(asOf: String, from: String? = nil, to: String? = nil) throws -> JSONValue {
        try view(asOf: asOf).sla(query(asOf: asOf, from: from, to: to))
    }

    /// `support backlog` as of `asOf`.
    func backlog(asOf: String) throws -> [JSONValue] {
        try view(asOf: asOf).backlog(query(asOf: asOf))["tickets"]?.arrayValue ?? []
    }
}
