import ParleyModel
import ParleyPluginProtocol
import ParleyViews

/// The sla-watch plugin: keeps every open ticket that has no staff reply yet, and on each tick
/// escalates (`ticket.escalated`, reason `sla_due_soon` or `sla_breached`) those whose first
/// response falls due within `warn_before_s` or is overdue, under the `sla` policy in force at
/// the ticket's opening — once per ticket (id `sla-watch:<ticket>:escalated`).
///
/// A ticket leaves the watch for good once a staff member replies or it is escalated; the
/// plugin keeps its checkpoint below the opening of the earliest ticket it still watches and
/// below the first `sla` policy.set, so that a restart rebuilds the watch and the policies.
struct SLAWatchHandler: PluginHandler {
    private var config = SLAWatchConfig()
    /// Opened tickets still watched, by id.
    private var watched: [String: TicketWatch] = [:]
    /// Tickets that need no escalation any more (a staff reply, or already escalated).
    private var settled: Set<String> = []
    private var policies = SLAPolicyHistory()

    init() {}

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        config = try SLAWatchConfig(config: PluginConfig(hello.config), source: context.source(or: "sla-watch"))
        return PluginHello(subscribe: ["ticket.*", "policy.set"], tickSeconds: config.tickSeconds)
    }

    /// The id of the escalation this plugin makes for `ticket`.
    static func escalationID(_ ticket: String) -> String { "sla-watch:\(ticket):escalated" }

    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] {
        if event.type == "policy.set" {
            if policies.record(event) {
                for key in watched.keys { watched[key]?.due = nil }
            }
            return []
        }
        guard let ticket = event.data["ticket"]?.stringValue else { return [] }
        switch event.type {
        case "ticket.opened":
            guard watched[ticket] == nil, !settled.contains(ticket) else { return [] }
            watched[ticket] = TicketWatch(openedAt: event.time, openedPosition: event.position)
        case "ticket.replied" where event.data["staff"]?.boolValue == true:
            settle(ticket)
        case "ticket.escalated" where event.id == Self.escalationID(ticket):
            settle(ticket)
        case "ticket.resolved":
            watched[ticket]?.resolved = true
        case "ticket.reopened":
            watched[ticket]?.resolved = false
        default:
            break
        }
        return []
    }

    private mutating func settle(_ ticket: String) {
        watched[ticket] = nil
        settled.insert(ticket)
    }

    mutating func onTick(now: Instant, context: PluginContext) -> [NewEvent] {
        var events: [NewEvent] = []
        for ticket in watched.keys.sorted(by: { $0.utf8Precedes($1) }) {
            guard var watch = watched[ticket], !watch.resolved else { continue }
            if watch.due == nil {
                let policy = policies.inForce(at: watch.openedAt).policy
                watch.due = .some(BusinessCalendar(policy).instant(after: watch.openedAt, businessSeconds: policy.firstResponseS))
                watched[ticket] = watch
            }
            guard let due = watch.due ?? nil,
                let (reason, time) = watch.escalation(due: due, now: now, warnBefore: config.warnBeforeSeconds)
            else { continue }
            events.append(NewEvent(
                id: Self.escalationID(ticket), stream: "ticket:\(ticket)", type: "ticket.escalated", time: time,
                source: config.source,
                data: ["ticket": .string(ticket), "team": .string(config.team), "by": .string(config.source), "reason": .string(reason)],
                meta: ["due": .string(due.rfc3339)]
            ))
            settle(ticket)
            context.log(.info, "ticket \(ticket): escalated to \(config.team) (\(reason), due \(due.rfc3339))")
        }
        return events
    }

    /// The earliest position a restart must replay from: the opening of the earliest watched
    /// open ticket, or the first `sla` policy.set if that came earlier. Every policy is kept, not
    /// only those of the tickets watched now: a ticket opened after a restart is judged under
    /// the one in force at its opening time, which may be any of them (a restart that forgot
    /// them judged new tickets under the defaults).
    var retainedFrom: UInt64? {
        var floor = policies.firstPosition
        for watch in watched.values where !watch.resolved {
            floor = min(floor ?? watch.openedPosition, watch.openedPosition)
        }
        return floor
    }
}
