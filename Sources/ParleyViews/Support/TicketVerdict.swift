import ParleyModel

/// A ticket's `sla` as of T: `met`, `breached` or `pending`.
enum SLAState: UInt8, Sendable {
    case met, breached, pending

    /// The word `views.md` prints.
    var text: String {
        switch self {
        case .met: return "met"
        case .breached: return "breached"
        case .pending: return "pending"
        }
    }
}

/// How an opened ticket stands as of T under the `sla` policy of its opening (`views.md`,
/// "Support"), in numbers: what every support query reads.
struct TicketVerdict: Sendable, Equatable {
    /// The latest `ticket.resolved` when the ticket is resolved; `nil` when it is open.
    var resolvedAt: Instant?
    /// Business microseconds from the opening to `resolvedAt`, resolved tickets only.
    var resolution: Int64?
    /// The earliest staff reply, possibly before the opening.
    var firstResponse: Instant?
    /// Business microseconds from the opening to max(opening, first response).
    var frt: Int64?
    var sla: SLAState
    var escalated: Bool
    /// When the first response falls due, for tickets without one (`nil` if the calendar never
    /// opens, and for tickets with one).
    var due: Instant?

    var isResolved: Bool { resolvedAt != nil }
}

extension SupportTicket {
    /// Judges this opened ticket as of `asOf` from its memo (``times``, computed under the
    /// policy of its opening). `calendar` is that policy's calendar, read only for a breach
    /// beyond the calendar's search range.
    ///
    /// Complexity: O(number of status changes), without reading the calendar.
    func verdict(asOf: Instant, opened: Instant, times t: Times, calendar: () -> BusinessCalendar) -> TicketVerdict {
        let change = resolvingChange(asOf: asOf)
        let resolvedAt = change.map { statusChanges[$0].time }
        let resolution = change.map { statusChanges[$0].business }
        let escalated = firstEscalation.map { $0 <= asOf } ?? false
        if let reply = firstStaffReply, reply <= asOf, let frt = t.frt {
            return TicketVerdict(
                resolvedAt: resolvedAt, resolution: resolution, firstResponse: reply, frt: frt,
                sla: t.exceeds(frt) ? .breached : .met, escalated: escalated, due: nil)
        }
        let sla: SLAState
        if let resolution {
            sla = t.exceeds(resolution) ? .breached : .met
        } else {
            let breached: Bool
            switch t.breach {
            case .never: breached = false
            case .at(let instant): breached = asOf >= instant
            case .unknown: breached = t.exceeds(calendar().businessMicroseconds(from: opened, to: asOf))
            }
            sla = breached ? .breached : .pending
        }
        return TicketVerdict(
            resolvedAt: resolvedAt, resolution: resolution, firstResponse: nil, frt: nil, sla: sla, escalated: escalated,
            due: t.due)
    }

    /// Judges this opened ticket as of `asOf` under `policy`, reading `calendar` (its calendar)
    /// for every business time: the path of policy what-ifs, which the memo does not cover.
    /// `withDue` also computes the due instant.
    func verdict(asOf: Instant, opened: Instant, policy: SLAPolicy, calendar: BusinessCalendar, withDue: Bool) -> TicketVerdict {
        let resolvedAt = resolution(asOf: asOf)
        let firstResponse = firstStaffReply.flatMap { $0 <= asOf ? $0 : nil }
        let target = policy.firstResponseS
        let escalated = firstEscalation.map { $0 <= asOf } ?? false
        let resolution = resolvedAt.map { calendar.businessMicroseconds(from: opened, to: $0) }
        if let firstResponse {
            let frt = calendar.businessMicroseconds(from: opened, to: max(opened, firstResponse))
            return TicketVerdict(
                resolvedAt: resolvedAt, resolution: resolution, firstResponse: firstResponse, frt: frt,
                sla: Double(frt) / 1_000_000 <= target ? .met : .breached, escalated: escalated, due: nil)
        }
        let waited = calendar.businessMicroseconds(from: opened, to: resolvedAt ?? asOf)
        let sla: SLAState = Double(waited) / 1_000_000 > target ? .breached : (resolvedAt == nil ? .pending : .met)
        return TicketVerdict(
            resolvedAt: resolvedAt, resolution: resolution, firstResponse: nil, frt: nil, sla: sla, escalated: escalated,
            due: withDue ? calendar.instant(after: opened, businessSeconds: target) : nil)
    }
}

/// How a ticket stands as of T, with what the `tickets` and `backlog` rows print.
struct TicketStanding: Sendable {
    var ticket: String
    var member: String
    var opened: Instant
    var verdict: TicketVerdict
    /// The escalation teams as of T, sorted bytewise (only filled for `tickets`).
    var teams: [String]
}
