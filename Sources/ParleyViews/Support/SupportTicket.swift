import ParleyModel

/// What the log says about one support ticket, folded from its `ticket.*` events.
///
/// The fold does not depend on the order events arrive in: the opening is the earliest
/// `ticket.opened` by (time, position), the first response the earliest staff reply, and status
/// changes are kept with their order keys, so that a backfilled event lands where its time says.
/// Events of a ticket not (yet) opened are kept too: they count once the ticket opens, even when
/// they are timed before the opening.
struct SupportTicket: Sendable {
    /// A `ticket.resolved` (`resolved == true`) or `ticket.reopened`.
    struct StatusChange: Sendable {
        var time: Instant
        var position: UInt64
        var resolved: Bool
    }

    /// The first `ticket.opened`.
    struct Opening: Sendable {
        var time: Instant
        var position: UInt64
        var member: String
    }

    var id: String
    var opening: Opening?
    /// The time of the earliest `ticket.replied` with `staff: true`.
    var firstStaffReply: Instant?
    var statusChanges: [StatusChange] = []
    /// Each escalation team with the time of its earliest `ticket.escalated`.
    var teams: [String: Instant] = [:]
    /// The time of the earliest `ticket.escalated`, with or without a team.
    var firstEscalation: Instant?

    init(id: String) { self.id = id }

    /// Folds one `ticket.*` event in; other types are ignored. O(1) amortized.
    mutating func record(_ event: Event) {
        switch event.type {
        case "ticket.opened":
            if let o = opening, (o.time, o.position) <= (event.time, event.position) { return }
            opening = Opening(time: event.time, position: event.position, member: event.data["member"]?.stringValue ?? "")
        case "ticket.replied":
            guard event.data["staff"]?.boolValue == true else { return }
            firstStaffReply = min(firstStaffReply ?? event.time, event.time)
        case "ticket.escalated":
            firstEscalation = min(firstEscalation ?? event.time, event.time)
            if let team = event.data["team"]?.stringValue {
                teams[team] = min(teams[team] ?? event.time, event.time)
            }
        case "ticket.resolved", "ticket.reopened":
            statusChanges.append(StatusChange(time: event.time, position: event.position, resolved: event.type == "ticket.resolved"))
        default:
            return
        }
    }

    /// The latest status change with time ≤ `asOf` when it is a `ticket.resolved`: the ticket
    /// is resolved as of `asOf` since that instant. `nil` when the ticket is open.
    func resolution(asOf: Instant) -> Instant? {
        var latest: StatusChange?
        for change in statusChanges where change.time <= asOf {
            if let l = latest, (l.time, l.position) > (change.time, change.position) { continue }
            latest = change
        }
        guard let latest, latest.resolved else { return nil }
        return latest.time
    }

    /// The escalation teams known as of `asOf`, sorted bytewise.
    func teams(asOf: Instant) -> [String] {
        teams.compactMap { $0.value <= asOf ? $0.key : nil }.sorted { $0.utf8Precedes($1) }
    }
}

/// How a ticket stands as of T under the `sla` policy of its opening (`views.md`, "Support").
struct TicketStanding: Sendable {
    var ticket: String
    var member: String
    var opened: Instant
    /// The latest `ticket.resolved` when the ticket is resolved; `nil` when it is open.
    var resolvedAt: Instant?
    /// The earliest staff reply, possibly before the opening.
    var firstResponse: Instant?
    /// Business microseconds from the opening to max(opening, first response).
    var frtMicroseconds: Int64?
    /// `met`, `breached` or `pending`.
    var sla: String
    var escalated: Bool
    var teams: [String]
    /// Business microseconds from the opening to the latest `ticket.resolved`, resolved tickets only.
    var resolutionMicroseconds: Int64?
    /// When the first response falls due, for tickets without one (`nil` if the calendar never opens).
    var due: Instant?

    var isResolved: Bool { resolvedAt != nil }

    /// Judges `ticket`, opened, as of `asOf` under `policy` read through `calendar`.
    init(_ ticket: SupportTicket, opening: SupportTicket.Opening, asOf: Instant, policy: SLAPolicy, calendar: BusinessCalendar, withDue: Bool) {
        self.ticket = ticket.id
        member = opening.member
        opened = opening.time
        resolvedAt = ticket.resolution(asOf: asOf)
        firstResponse = ticket.firstStaffReply.flatMap { $0 <= asOf ? $0 : nil }
        let target = policy.firstResponseS
        if let firstResponse {
            let frt = calendar.businessMicroseconds(from: opened, to: max(opened, firstResponse))
            frtMicroseconds = frt
            sla = Double(frt) / 1_000_000 <= target ? "met" : "breached"
            due = nil
        } else {
            frtMicroseconds = nil
            let waited = calendar.businessMicroseconds(from: opened, to: resolvedAt ?? asOf)
            if Double(waited) / 1_000_000 > target {
                sla = "breached"
            } else {
                sla = resolvedAt == nil ? "pending" : "met"
            }
            due = withDue ? calendar.instant(after: opened, businessSeconds: target) : nil
        }
        escalated = ticket.firstEscalation.map { $0 <= asOf } ?? false
        teams = ticket.teams(asOf: asOf)
        resolutionMicroseconds = resolvedAt.map { calendar.businessMicroseconds(from: opened, to: $0) }
    }
}
