import ParleyModel

/// What sla-watch knows of one ticket it may still have to escalate.
struct TicketWatch: Sendable {
    /// The time of its first `ticket.opened`.
    var openedAt: Instant
    /// The position of that event: replaying from it rebuilds this watch.
    var openedPosition: UInt64
    /// Whether the latest of its `ticket.resolved` / `ticket.reopened` is a resolution.
    var resolved = false
    /// When its first response falls due, once computed (cleared when policies change).
    var due: Instant??

    /// Why a ticket due at `due` is escalated at `now`, and the time the escalation gets, or
    /// `nil` when it is not yet within `warnBefore` seconds of falling due.
    ///
    /// The time is the instant the condition began (the due instant for a breach, `warnBefore`
    /// before it for a warning, never before the opening), so that the event is the same
    /// whenever the tick that finds it comes.
    func escalation(due: Instant, now: Instant, warnBefore: Int64) -> (reason: String, time: Instant)? {
        if now >= due { return ("sla_breached", due) }
        let warnFrom = Instant(microseconds: due.microseconds - warnBefore * 1_000_000)
        guard now >= warnFrom else { return nil }
        return ("sla_due_soon", max(openedAt, warnFrom))
    }
}

/// The `sla` policies seen so far, in (time, position) order.
struct SLAPolicyHistory: Sendable {
    private var changes: [(time: Instant, position: UInt64, policy: SLAPolicy)] = []

    /// Records one `policy.set` of the `sla` policy; others and unreadable values are ignored.
    ///
    /// - Returns: whether the history changed.
    mutating func record(_ event: Event) -> Bool {
        guard event.data["name"]?.stringValue == "sla", let value = event.data["value"]?.objectValue else { return false }
        var set = PolicySet()
        guard (try? set.set(name: "sla", value: value)) != nil else { return false }
        let entry = (time: event.time, position: event.position, policy: set.sla)
        let index = changes.firstIndex { ($0.time, $0.position) > (entry.time, entry.position) } ?? changes.count
        changes.insert(entry, at: index)
        return true
    }

    /// The position of the earliest `policy.set` seen, if any: a ticket opened later may be
    /// timed under any of them, so a restart must see them all again.
    var firstPosition: UInt64? { changes.map(\.position).min() }

    /// The policy in force at `t` (the latest change timed at or before it), with the position
    /// of the event that set it (`nil` for the defaults).
    ///
    /// - Complexity: O(log n).
    func inForce(at t: Instant) -> (policy: SLAPolicy, position: UInt64?) {
        var lo = 0, hi = changes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if changes[mid].time <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? (SLAPolicy(), nil) : (changes[lo - 1].policy, changes[lo - 1].position)
    }
}
