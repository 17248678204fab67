public import ParleyModel

/// The support view (`views.md`, "Support"): tickets, first responses against the `sla` policy of
/// each ticket's opening, status, escalations and resolution times, as of T.
///
/// `apply` folds `ticket.*` events into one record per ticket in O(1) amortized; a query judges
/// every ticket opened in its window in time roughly linear in their number (business time costs
/// a few steps per week spanned, see ``BusinessCalendar``).
public struct SupportView: Sendable {
    /// Every ticket any `ticket.*` event named, opened or not.
    var records: [String: SupportTicket] = [:]

    /// An empty view.
    public init() {}

    /// Takes in one event of the log; events come in (time, position) order, though the result
    /// does not depend on it. Types other than `ticket.opened`, `ticket.replied`,
    /// `ticket.escalated`, `ticket.resolved` and `ticket.reopened` are ignored.
    public mutating func apply(_ event: Event) {
        guard event.type.hasPrefix("ticket."), let id = event.data["ticket"]?.stringValue else { return }
        switch event.type {
        case "ticket.opened", "ticket.replied", "ticket.escalated", "ticket.resolved", "ticket.reopened":
            records[id, default: SupportTicket(id: id)].record(event)
        default:
            return
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

    /// How each ticket opened in the query's window stands as of T, by opening time, then ticket
    /// id (bytewise). `withDue` also computes dues (only needed by `tickets` and `backlog`);
    /// `ordered: false` skips the sort, for queries that only count.
    func standings(_ q: ViewQuery, withDue: Bool, ordered: Bool = true) -> [TicketStanding] {
        let window = Window(q)
        var calendars = SLACalendarCache()
        var result: [TicketStanding] = []
        for ticket in records.values {
            guard let opening = ticket.opening, opening.time <= q.asOf, window.contains(opening.time) else { continue }
            let policy = q.policies.sla(at: opening.time)
            let calendar = calendars.calendar(for: policy)
            result.append(TicketStanding(ticket, opening: opening, asOf: q.asOf, policy: policy, calendar: calendar, withDue: withDue))
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
