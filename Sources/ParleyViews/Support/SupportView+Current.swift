import Foundation
import ParleyModel

/// The `sla` figures of every opened ticket as of any T no earlier than the latest ticket event,
/// under the log's policies: all of them hold for every such T but the split of the unanswered
/// open tickets between `pending` and `breached`, kept as the sorted instants they breach at.
struct CurrentSLA: Sendable {
    /// Every figure but the unanswered open tickets'.
    var figures = SLAFigures()
    /// When each unanswered open ticket breaches, ascending.
    var breaches = SortedInstants()
    /// Unanswered open tickets that never breach.
    var neverBreached = 0
    /// Unanswered open tickets whose breach is judged from the calendar at T (opening, memo,
    /// calendar): none unless a due lies beyond the calendar's search range.
    var judgedAtT: [(opened: Instant, times: SupportTicket.Times, calendar: BusinessCalendar)] = []

    /// The figures as of `asOf`.
    func figures(asOf: Instant) -> SLAFigures {
        var breached = breaches.countThrough(asOf)
        for t in judgedAtT where t.times.exceeds(t.calendar.businessMicroseconds(from: t.opened, to: asOf)) { breached += 1 }
        var f = figures
        f.breached += breached
        f.pending += breaches.count + neverBreached + judgedAtT.count - breached
        return f
    }
}

/// What the current-state answers of one state of a ``SupportView`` keep, built on first use and
/// dropped when the view changes. A reference shared by the copies of that state (``LiveViews``
/// copies its views per query), under a lock, so that answering stays a non-mutating read.
final class SupportCurrentCache: @unchecked Sendable {
    private let lock = NSLock()
    private var sla: CurrentSLA?

    init() {}

    /// Drops everything kept.
    func clear() {
        lock.lock()
        sla = nil
        lock.unlock()
    }

    /// The current `sla` figures, built by `make` on first use.
    func sla(_ make: () -> CurrentSLA) -> CurrentSLA {
        lock.lock()
        defer { lock.unlock() }
        if let sla { return sla }
        let made = make()
        sla = made
        return made
    }
}

extension SupportView {
    /// The `sla` figures of every opened ticket at any T ≥ ``latestTicketTime`` (see
    /// ``isCurrent(_:)``). Complexity: O(n log n) in the tickets, once per state.
    func makeCurrentSLA() -> CurrentSLA {
        var current = CurrentSLA()
        var tally = SLATally()
        var breaches: [Instant] = []
        let asOf = latestTicketTime ?? Instant(microseconds: .min)
        for ticket in records.values {
            guard let opening = ticket.opening, let times = ticket.times else { continue }
            let calendar = { slaPolicies.inForce(at: opening.time).calendar }
            let verdict = ticket.verdict(asOf: asOf, opened: opening.time, times: times, calendar: calendar)
            guard verdict.firstResponse == nil, !verdict.isResolved else {
                tally.add(verdict)
                continue
            }
            // Unanswered and open at every T ≥ asOf: pending until its breach.
            tally.addOpenUnanswered(verdict)
            switch times.breach {
            case .never: current.neverBreached += 1
            case .at(let instant): breaches.append(instant)
            case .unknown: current.judgedAtT.append((opening.time, times, calendar()))
            }
        }
        current.breaches = SortedInstants(sorted: breaches.sorted())
        current.figures = tally.figures()
        return current
    }
}
