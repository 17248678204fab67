public import ParleyModel

extension SupportView {
    /// `parley support sla`: counts of met, breached and pending first responses, attainment,
    /// first-response and resolution statistics, open/resolved/escalated counts, over the tickets
    /// opened in the window `(from, to]` (default: every ticket opened as of T).
    ///
    /// `first_response` is over the tickets with a first response; `resolution` over the resolved
    /// tickets. Extra keys: `from`, `to` (the window of opening times).
    public func sla(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let figures: SLAFigures
        if isCurrent(q) {
            figures = current.sla { makeCurrentSLA() }.figures(asOf: q.asOf)
        } else {
            var tally = SLATally()
            forEachVerdict(q, withDue: false) { _, _, verdict in tally.add(verdict) }
            figures = tally.figures()
        }
        return figures.json(Window(q), asOf: q.asOf)
    }

    /// `parley support tickets`: every ticket opened in the window, by opening time, then ticket
    /// id, with its member, status, sla, `frt_s`, escalation, teams, `resolution_s` and `due`
    /// (extra key; `null` for tickets with a first response). Extra key: `first_response`.
    public func tickets(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let rows = standings(q, withTeams: true).map { s -> JSONValue in
            let v = s.verdict
            return .object([
                "ticket": .string(s.ticket),
                "member": .string(s.member),
                "opened": .string(s.opened.rfc3339),
                "status": .string(v.isResolved ? "resolved" : "open"),
                "sla": .string(v.sla.text),
                "frt_s": Self.seconds(v.frt),
                "first_response": v.firstResponse.map { .string($0.rfc3339) } ?? .null,
                "escalated": .bool(v.escalated),
                "teams": .array(s.teams.map { .string($0) }),
                "resolution_s": Self.seconds(v.resolution),
                "due": v.due.map { .string($0.rfc3339) } ?? .null,
            ])
        }
        return .object(["tickets": .array(rows)])
    }

    /// `parley support backlog`: the open tickets of the window, those with a `due` first by
    /// `due`, then by opening time, then ticket id.
    public func backlog(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let rows = backlogStandings(q).map { s -> JSONValue in
            .object([
                "ticket": .string(s.ticket),
                "member": .string(s.member),
                "opened": .string(s.opened.rfc3339),
                "sla": .string(s.verdict.sla.text),
                "due": s.verdict.due.map { .string($0.rfc3339) } ?? .null,
            ])
        }
        return .object(["tickets": .array(rows)])
    }

    /// The open tickets of the window, those with a `due` first by `due`, then by opening time,
    /// then ticket id.
    func backlogStandings(_ q: ViewQuery) -> [TicketStanding] {
        var open = standings(q, openOnly: true, withTeams: false, ordered: false)
        open.sort { a, b in
            switch (a.verdict.due, b.verdict.due) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            return a.opened != b.opened ? a.opened < b.opened : a.ticket.utf8Precedes(b.ticket)
        }
        return open
    }

    /// Microseconds as a JSON number of seconds, `null` for none.
    static func seconds(_ micros: Int64?) -> JSONValue {
        micros.map { JSONValue.number(Double($0) / 1_000_000) } ?? .null
    }

    /// `part / whole`, `null` when `whole` is 0.
    static func ratio(_ part: Int, _ whole: Int) -> JSONValue {
        whole == 0 ? .null : .double(Double(part) / Double(whole))
    }

    /// `{count, mean_s, median_s, p90_s}` of durations in microseconds; nearest-rank percentiles
    /// (k = ⌈p·n⌉, computed exactly in integers); `null` statistics over no values.
    static func statistics(_ micros: [Int64]) -> JSONValue {
        let n = micros.count
        guard n > 0 else { return ["count": 0, "mean_s": nil, "median_s": nil, "p90_s": nil] }
        let sorted = micros.sorted()
        // Summed as seconds in Double: microseconds of a million long tickets overflow Int64.
        let total = sorted.reduce(0.0) { $0 + Double($1) / 1_000_000 }
        return .object([
            "count": .int(Int64(n)),
            "mean_s": .number(total / Double(n)),
            "median_s": seconds(sorted[(n + 1) / 2 - 1]),
            "p90_s": seconds(sorted[(9 * n + 9) / 10 - 1]),
        ])
    }
}

/// The figures of `support sla` over a set of tickets.
struct SLAFigures: Sendable {
    var tickets = 0, met = 0, breached = 0, pending = 0
    var resolved = 0, escalated = 0, resolvedUnescalated = 0
    /// Statistics of the first-response times and of the resolution times.
    var firstResponse: JSONValue = SupportView.statistics([])
    var resolution: JSONValue = SupportView.statistics([])

    /// The answer of `support sla` over the tickets of `window`, as of `asOf`.
    func json(_ window: SupportView.Window, asOf: Instant) -> JSONValue {
        .object([
            "as_of": .string(asOf.rfc3339),
            "from": window.lower.map { .string($0.rfc3339) } ?? .null,
            "to": .string(window.upper.rfc3339),
            "tickets": .int(Int64(tickets)),
            "met": .int(Int64(met)),
            "breached": .int(Int64(breached)),
            "pending": .int(Int64(pending)),
            "attainment": SupportView.ratio(met, met + breached),
            "first_response": firstResponse,
            "open": .int(Int64(tickets - resolved)),
            "resolved": .int(Int64(resolved)),
            "escalated": .int(Int64(escalated)),
            "resolved_without_escalation": SupportView.ratio(resolvedUnescalated, resolved),
            "resolution": resolution,
        ])
    }
}

/// Sums ticket verdicts into ``SLAFigures``.
struct SLATally {
    private var counts = SLAFigures()
    private var frts: [Int64] = []
    private var resolutions: [Int64] = []

    /// Counts a ticket with its verdict.
    mutating func add(_ v: TicketVerdict) {
        switch v.sla {
        case .met: counts.met += 1
        case .breached: counts.breached += 1
        case .pending: counts.pending += 1
        }
        addOpenUnanswered(v)
    }

    /// Counts a ticket with its verdict but its `sla` (counted elsewhere).
    mutating func addOpenUnanswered(_ v: TicketVerdict) {
        counts.tickets += 1
        if let frt = v.frt { frts.append(frt) }
        if v.escalated { counts.escalated += 1 }
        if v.isResolved {
            counts.resolved += 1
            if !v.escalated { counts.resolvedUnescalated += 1 }
        }
        if let r = v.resolution { resolutions.append(r) }
    }

    /// The figures, with the statistics of the durations counted.
    func figures() -> SLAFigures {
        var f = counts
        f.firstResponse = SupportView.statistics(frts)
        f.resolution = SupportView.statistics(resolutions)
        return f
    }
}
