import ParleyModel

/// The `sla` policies of the `policy.set` events the support view was fed, in (time, position)
/// order, each with its calendar and breach threshold: what the business-time memo of a ticket
/// is computed under (the policy in force at its opening).
///
/// A query may use the memo only when its policies say the same (``matches(_:)``): the log's
/// own policies do; a `--policy` what-if over `sla` does not.
struct SLAPolicyHistory: Sendable {
    /// One `sla` policy from `time` on.
    struct Change: Sendable {
        var time: Instant
        var position: UInt64
        var policy: SLAPolicy
        var calendar: BusinessCalendar
        /// The least business microseconds that exceed `first_response_s` (``threshold(exceeding:)``).
        var threshold: Int64?

        init(time: Instant, position: UInt64, policy: SLAPolicy) {
            self.time = time
            self.position = position
            self.policy = policy
            calendar = BusinessCalendar(policy)
            threshold = SLAPolicyHistory.threshold(exceeding: policy.firstResponseS)
        }
    }

    /// The changes, by (time, position).
    private(set) var changes: [Change] = []

    /// The default policy, in force before the first change.
    static let initial = Change(time: Instant(microseconds: .min), position: 0, policy: SLAPolicy())

    init() {}

    /// The policy in force at `t`: the latest change with time ≤ `t`, or the default.
    /// Complexity: O(log n).
    func inForce(at t: Instant) -> Change {
        if changes.isEmpty { return Self.initial }
        var lo = 0, hi = changes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if changes[mid].time <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? Self.initial : changes[lo - 1]
    }

    /// Takes in `event` when it is a `policy.set` of a valid `sla` policy (read as
    /// ``PolicyTimeline/record(_:)`` reads it). Returns the time from which the policy in force
    /// may have changed, `nil` when the event is not such a change.
    mutating func record(_ event: Event) -> Instant? {
        guard event.type == "policy.set", event.data["name"]?.stringValue == "sla",
            let value = event.data["value"]?.objectValue
        else { return nil }
        var set = PolicySet()
        guard (try? set.set(name: "sla", value: value)) != nil else { return nil }
        insert(Change(time: event.time, position: event.position, policy: set.sla))
        return event.time
    }

    /// Inserts `change` at its place by (time, position).
    mutating func insert(_ change: Change) {
        var i = changes.count
        while i > 0, (changes[i - 1].time, changes[i - 1].position) > (change.time, change.position) { i -= 1 }
        changes.insert(change, at: i)
    }

    /// Whether `timeline` puts the same `sla` policy in force at every instant as this history
    /// does (the same changes, no override), so that the memo holds for a query under it.
    /// Complexity: O(number of changes).
    func matches(_ timeline: PolicyTimeline) -> Bool {
        guard let others = timeline.slaChanges, others.count == changes.count else { return false }
        for (mine, other) in zip(changes, others) where mine.time != other.time || mine.policy != other.policy { return false }
        return true
    }

    /// The least `w` of business microseconds with `Double(w) / 1_000_000 > target`, the test
    /// `views.md` states ("exceeds `first_response_s`"); `nil` when no `Int64` does.
    ///
    /// The test is monotone in `w` (conversion and division round monotonically), so a binary
    /// search finds the threshold exactly, whatever the target's fraction.
    static func threshold(exceeding target: Double) -> Int64? {
        func exceeds(_ w: Int64) -> Bool { Double(w) / 1_000_000 > target }
        guard exceeds(.max) else { return nil }
        if exceeds(0) { return 0 }
        var lo: Int64 = 0, hi: Int64 = .max  // !exceeds(lo), exceeds(hi)
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if exceeds(mid) { hi = mid } else { lo = mid }
        }
        return hi
    }
}

extension SupportTicket {
    /// Computes again the part of the memo that `change` affects, under `policy` (the `sla`
    /// policy in force at the opening); everything after an opening, since its time (and so
    /// its policy) moved.
    mutating func updateTimes(after change: Change, under policy: SLAPolicyHistory.Change) {
        guard let opening else {
            times = nil
            return
        }
        guard var t = times, change != .opening else {
            computeTimes(under: policy)
            return
        }
        switch change {
        case .firstStaffReply:
            t.frt = firstStaffReply.map { policy.calendar.businessMicroseconds(from: opening.time, to: max(opening.time, $0)) }
            times = t
        case .statusChange:
            if let i = statusChanges.indices.last, statusChanges[i].resolved {
                statusChanges[i].business = policy.calendar.businessMicroseconds(from: opening.time, to: statusChanges[i].time)
            }
        case .nothing, .opening, .escalation:
            break
        }
    }

    /// Computes the whole memo under `policy`, the `sla` policy in force at the opening.
    mutating func computeTimes(under policy: SLAPolicyHistory.Change) {
        guard let opening else {
            times = nil
            return
        }
        let opened = opening.time
        let calendar = policy.calendar
        let target = policy.policy.firstResponseS
        let due = calendar.instant(after: opened, businessSeconds: target)
        let breach: Breach
        if let w = policy.threshold {
            // `due` is the earliest instant with `needed` business microseconds since the
            // opening; business time adds up over [opened, due) and [due, d), so the earliest
            // instant with `w` ≥ `needed` of them lies `w − needed` business microseconds after it.
            let needed = target.isFinite && target > 0 && target < 1e14 ? Int64((target * 1_000_000).rounded(.up)) : nil
            let at: Instant?
            if let due, let needed, w >= needed {
                at = w == needed ? due : calendar.instant(after: due, businessMicroseconds: w - needed)
            } else {
                at = calendar.instant(after: opened, businessMicroseconds: w)
            }
            if let at {
                breach = .at(at)
            } else {
                breach = calendar.neverOpens ? .never : .unknown
            }
        } else {
            breach = .never
        }
        let frt = firstStaffReply.map { calendar.businessMicroseconds(from: opened, to: max(opened, $0)) }
        times = Times(threshold: policy.threshold, frt: frt, due: due, breach: breach)
        for i in statusChanges.indices {
            statusChanges[i].business = statusChanges[i].resolved ? calendar.businessMicroseconds(from: opened, to: statusChanges[i].time) : 0
        }
    }
}
