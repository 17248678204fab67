import ParleyModel

/// What the log says about one support ticket, folded from its `ticket.*` events.
///
/// The fold does not depend on the order events arrive in: the opening is the earliest
/// `ticket.opened` by (time, position), the first response the earliest staff reply, and status
/// changes are kept with their order keys, so that a backfilled event lands where its time says.
/// Events of a ticket not (yet) opened are kept too: they count once the ticket opens, even when
/// they are timed before the opening.
///
/// An opened ticket also carries its business times under the `sla` policy of its opening
/// (``times`` and each status change's ``StatusChange/business``), which depend on nothing but
/// its events and that policy: ``SupportView`` computes them when the ticket or the policy
/// changes, so that a query judges the ticket without reading the calendar.
struct SupportTicket: Sendable {
    /// A `ticket.resolved` (`resolved == true`) or `ticket.reopened`.
    struct StatusChange: Sendable {
        var time: Instant
        var position: UInt64
        var resolved: Bool
        /// Business microseconds from the opening to `time` (a memo; 0 until computed, and for
        /// a `ticket.reopened`).
        var business: Int64 = 0
    }

    /// The first `ticket.opened`.
    struct Opening: Sendable {
        var time: Instant
        var position: UInt64
        var member: String
    }

    /// When the business time since the opening first exceeds the policy's `first_response_s`.
    enum Breach: Sendable, Equatable {
        /// Never: the calendar never opens, or no business time can exceed the target.
        case never
        /// At this instant: business time from the opening to T exceeds the target iff T ≥ it.
        case at(Instant)
        /// Not known (beyond the calendar's search range): judged from the calendar at T.
        case unknown
    }

    /// The business times of an opened ticket under the `sla` policy of its opening.
    struct Times: Sendable, Equatable {
        /// The least business time, in microseconds, that exceeds `first_response_s` (`nil`:
        /// none does). A time is "more than the target" iff it is ≥ this.
        var threshold: Int64?
        /// Business microseconds from the opening to max(opening, first staff reply).
        var frt: Int64?
        /// When the first response falls due (`nil` if the calendar never opens).
        var due: Instant?
        /// When an unanswered, open ticket turns from pending to breached.
        var breach: Breach

        /// Whether `micros` of business time exceed `first_response_s`.
        func exceeds(_ micros: Int64) -> Bool { threshold.map { micros >= $0 } ?? false }
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
    /// The memo of business times; `nil` until the ticket is opened (see ``SupportView``).
    var times: Times?

    init(id: String) { self.id = id }

    /// What one event changed in a ticket, so that only the business times it affects are
    /// computed again.
    enum Change {
        case nothing, opening, firstStaffReply, statusChange, escalation
    }

    /// Folds one `ticket.*` event in; other types are ignored. O(1) amortized.
    @discardableResult
    mutating func record(_ event: Event) -> Change {
        switch event.type {
        case "ticket.opened":
            if let o = opening, (o.time, o.position) <= (event.time, event.position) { return .nothing }
            opening = Opening(time: event.time, position: event.position, member: event.data["member"]?.stringValue ?? "")
            return .opening
        case "ticket.replied":
            guard event.data["staff"]?.boolValue == true else { return .nothing }
            if let first = firstStaffReply, first <= event.time { return .nothing }
            firstStaffReply = event.time
            return .firstStaffReply
        case "ticket.escalated":
            firstEscalation = min(firstEscalation ?? event.time, event.time)
            if let team = event.data["team"]?.stringValue {
                teams[team] = min(teams[team] ?? event.time, event.time)
            }
            return .escalation
        case "ticket.resolved", "ticket.reopened":
            statusChanges.append(StatusChange(time: event.time, position: event.position, resolved: event.type == "ticket.resolved"))
            return .statusChange
        default:
            return .nothing
        }
    }

    /// The index in ``statusChanges`` of the latest status change with time ≤ `asOf` when it is
    /// a `ticket.resolved`: the ticket is resolved as of `asOf` since that change. `nil` when the
    /// ticket is open.
    func resolvingChange(asOf: Instant) -> Int? {
        var latest: Int?
        for (i, change) in statusChanges.enumerated() where change.time <= asOf {
            if let l = latest, (statusChanges[l].time, statusChanges[l].position) > (change.time, change.position) { continue }
            latest = i
        }
        guard let latest, statusChanges[latest].resolved else { return nil }
        return latest
    }

    /// The time of the latest status change with time ≤ `asOf` when it is a `ticket.resolved`.
    func resolution(asOf: Instant) -> Instant? {
        resolvingChange(asOf: asOf).map { statusChanges[$0].time }
    }

    /// The escalation teams known as of `asOf`, sorted bytewise.
    func teams(asOf: Instant) -> [String] {
        if teams.isEmpty { return [] }
        return teams.compactMap { $0.value <= asOf ? $0.key : nil }.sorted { $0.utf8Precedes($1) }
    }
}
