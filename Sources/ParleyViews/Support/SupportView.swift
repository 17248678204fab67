public import ParleyModel

/// The support view (`views.md`, "Support"): tickets, first responses against the `sla` policy of
/// each ticket's opening, status, escalations and resolution times, as of T.
///
/// `apply` folds `ticket.*` events into one record per ticket in O(1) amortized, and computes the
/// business times of the ticket an event changed under the `sla` policy of its opening (a memo:
/// a few calendar steps per event). A query under the log's own policies then judges a ticket
/// without reading the calendar, in time linear in the tickets of its window; a query at a T no
/// earlier than every ticket event (the usual "now") reads figures kept per state of the view
/// and only counts, in O(log n), the unanswered tickets whose first response fell due by T. A
/// `--policy` what-if over `sla` judges every ticket from the calendar, as the memo does not
/// hold for it.
public struct SupportView: Sendable {
    /// Every ticket any `ticket.*` event named, opened or not.
    var records = TicketRecords()
    /// The `sla` policies of the `policy.set` events taken in: what the memo is computed under.
    var slaPolicies = SLAPolicyHistory()
    /// The latest time of a `ticket.*` event taken in; `nil` before the first one.
    var latestTicketTime: Instant?
    /// Answers at or after ``latestTicketTime``, kept for this state of the view: copies share
    /// it until one of them changes.
    var current = SupportCurrentCache()

    /// An empty view.
    public init() {}

    /// Takes in one event of the log; events come in (time, position) order, though the result
    /// does not depend on it. Types other than `ticket.opened`, `ticket.replied`,
    /// `ticket.escalated`, `ticket.resolved`, `ticket.reopened` and `policy.set` are ignored.
    public mutating func apply(_ event: Event) {
        if event.type == "policy.set" {
            guard let from = slaPolicies.record(event) else { return }
            // Tickets opened since the change may be under another policy now.
            for i in records.values.indices {
                guard let opening = records.values[i].opening, opening.time >= from else { continue }
                records.values[i].computeTimes(under: slaPolicies.inForce(at: opening.time))
            }
            forgetCurrent()
            return
        }
        guard event.type.hasPrefix("ticket."), let id = event.data["ticket"]?.stringValue else { return }
        switch event.type {
        case "ticket.opened", "ticket.replied", "ticket.escalated", "ticket.resolved", "ticket.reopened":
            let policies = slaPolicies
            records.update(id) { $0.take(event, policies: policies) }
            latestTicketTime = max(latestTicketTime ?? event.time, event.time)
            forgetCurrent()
        default:
            return
        }
    }

    /// Drops the answers kept for the state before a change (a fresh cache when a copy shares it).
    private mutating func forgetCurrent() {
        if isKnownUniquelyReferenced(&current) {
            current.clear()
        } else {
            current = SupportCurrentCache()
        }
    }

    /// The window of opening times a query selects, `(lower, upper]`: by default every ticket
    /// opened as of T; `--to` caps it (never beyond T), `--from` starts it.
    struct Window {
        var lower: Instant?
        var upper: Instant

        init(_ q: ViewQuery) {
            lower = q.from
            upper = min(q.to ?? q.asOf, q.asOf)
        }

        func contains(_ t: Instant) -> Bool {
            t <= upper && (lower.map { $0 < t } ?? true)
        }
    }

    /// Whether the query judges every opened ticket with T no earlier than every ticket event,
    /// under the log's own `sla` policies: then only the unanswered open tickets depend on T.
    func isCurrent(_ q: ViewQuery) -> Bool {
        guard q.from == nil, slaPolicies.matches(q.policies) else { return false }
        guard let latest = latestTicketTime else { return true }
        return q.asOf >= latest && (q.to.map { $0 >= latest } ?? true)
    }

    /// Calls `body` with each ticket opened in the query's window and its verdict as of T, in no
    /// particular order: from the memo when the query's policies are the log's, else from the
    /// calendar. `withDue` also computes dues on the calendar path.
    func forEachVerdict(_ q: ViewQuery, withDue: Bool, memo: Bool = true, _ body: (SupportTicket, SupportTicket.Opening, TicketVerdict) -> Void) {
        let window = Window(q)
        let useMemo = memo && slaPolicies.matches(q.policies)
        var calendars = SLACalendarCache()
        for ticket in records.values {
            guard let opening = ticket.opening, opening.time <= q.asOf, window.contains(opening.time) else { continue }
            if useMemo, let times = ticket.times {
                body(ticket, opening, ticket.verdict(asOf: q.asOf, opened: opening.time, times: times) {
                    slaPolicies.inForce(at: opening.time).calendar
                })
            } else {
                let policy = q.policies.sla(at: opening.time)
                let calendar = calendars.calendar(for: policy)
                body(ticket, opening, ticket.verdict(asOf: q.asOf, opened: opening.time, policy: policy, calendar: calendar, withDue: withDue))
            }
        }
    }

    /// How each ticket opened in the query's window stands as of T, by opening time, then ticket
    /// id (bytewise). `openOnly` keeps the open tickets alone; `withTeams` fills the teams;
    /// `ordered: false` leaves them in no particular order.
    func standings(_ q: ViewQuery, openOnly: Bool = false, withTeams: Bool, ordered: Bool = true, memo: Bool = true) -> [TicketStanding] {
        var result: [TicketStanding] = []
        result.reserveCapacity(openOnly ? records.count / 4 : records.count)
        forEachVerdict(q, withDue: true, memo: memo) { ticket, opening, verdict in
            if openOnly, verdict.isResolved { return }
            result.append(TicketStanding(
                ticket: ticket.id, member: opening.member, opened: opening.time, verdict: verdict,
                teams: withTeams ? ticket.teams(asOf: q.asOf) : []))
        }
        guard ordered else { return result }
        result.sort { a, b in
            a.opened != b.opened ? a.opened < b.opened : a.ticket.utf8Precedes(b.ticket)
        }
        return result
    }
}

/// The calendars of the few distinct `sla` policies a query meets, built once each.
struct SLACalendarCache {
    private var entries: [(policy: SLAPolicy, calendar: BusinessCalendar)] = []
    private var last = -1

    /// The calendar of `policy`, built on first use.
    mutating func calendar(for policy: SLAPolicy) -> BusinessCalendar {
        if last >= 0, entries[last].policy == policy { return entries[last].calendar }
        if let i = entries.firstIndex(where: { $0.policy == policy }) {
            last = i
            return entries[i].calendar
        }
        entries.append((policy, BusinessCalendar(policy)))
        last = entries.count - 1
        return entries[last].calendar
    }
}

extension SupportTicket {
    /// Folds `event` in and brings the memo up to date under `policies` (the policy in force at
    /// the opening).
    mutating func take(_ event: Event, policies: SLAPolicyHistory) {
        let change = record(event)
        guard change != .nothing, change != .escalation, let opening else { return }
        updateTimes(after: change, under: policies.inForce(at: opening.time))
    }
}

/// The support view's tickets by id: the tickets in the order they were first named, and where
/// each one is. A dictionary of whole tickets moved and rehashed every one of them each time it
/// doubled: half of the support view's time under ingest of new tickets.
struct TicketRecords: Sendable {
    /// The tickets; their ids never change in place.
    var values: [SupportTicket] = []
    /// The place in ``values`` of each id.
    private var places = PlaceIndex()

    var count: Int { values.count }

    /// The ticket `id`, if any event named it.
    subscript(id: String) -> SupportTicket? {
        guard case .found(let place) = lookup(id, hash: id.hashValue) else { return nil }
        return values[place]
    }

    mutating func reserveCapacity(_ count: Int) {
        values.reserveCapacity(count)
        places.reserveCapacity(count)
    }

    /// Changes the ticket `id` with `body`, starting from an empty one when it is new.
    mutating func update(_ id: String, _ body: (inout SupportTicket) -> Void) {
        body(&values[place(of: id, orAppending: SupportTicket(id: id)).place])
    }

    /// Puts `ticket` in, in place of the one with its id if there is one.
    mutating func insert(_ ticket: SupportTicket) {
        let (place, appended) = place(of: ticket.id, orAppending: ticket)
        if !appended { values[place] = ticket }
    }

    /// The place of the ticket `id`, or of `ticket` appended when there is none.
    private mutating func place(of id: String, orAppending ticket: @autoclosure () -> SupportTicket) -> (place: Int, appended: Bool) {
        let hash = id.hashValue
        switch lookup(id, hash: hash) {
        case .found(let place):
            return (place, false)
        case .absent(let slot):
            values.append(ticket())
            return (places.insert(hash: hash, at: slot), true)
        }
    }

    private func lookup(_ id: String, hash: Int) -> PlaceIndex.Lookup {
        places.lookup(hash: hash) { values[$0].id == id }
    }
}
