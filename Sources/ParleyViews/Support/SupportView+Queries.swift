public import ParleyModel

extension SupportView {
    /// `parley support sla`: counts of met, breached and pending first responses, attainment,
    /// first-response and resolution statistics, open/resolved/escalated counts, over the tickets
    /// opened in the window `(from, to]` (default: every ticket opened as of T).
    ///
    /// `first_response` is over the tickets with a first response; `resolution` over the resolved
    /// tickets. Extra keys: `from`, `to` (the window of opening times).
    public func sla(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let all = standings(q, withDue: false, ordered: false)
        var met = 0, breached = 0, pending = 0, resolved = 0, escalated = 0, resolvedUnescalated = 0
        var frts: [Int64] = [], resolutions: [Int64] = []
        for s in all {
            switch s.sla {
            case "met": met += 1
            case "breached": breached += 1
            default: pending += 1
            }
            if let frt = s.frtMicroseconds { frts.append(frt) }
            if s.escalated { escalated += 1 }
            if s.isResolved {
                resolved += 1
                if !s.escalated { resolvedUnescalated += 1 }
            }
            if let r = s.resolutionMicroseconds { resolutions.append(r) }
        }
        let window = Window(q)
        return .object([
            "as_of": .string(q.asOf.rfc3339),
            "from": window.lower.map { .string($0.rfc3339) } ?? .null,
            "to": .string(window.upper.rfc3339),
            "tickets": .int(Int64(all.count)),
            "met": .int(Int64(met)),
            "breached": .int(Int64(breached)),
            "pending": .int(Int64(pending)),
            "attainment": Self.ratio(met, met + breached),
            "first_response": Self.statistics(frts),
            "open": .int(Int64(all.count - resolved)),
            "resolved": .int(Int64(resolved)),
            "escalated": .int(Int64(escalated)),
            "resolved_without_escalation": Self.ratio(resolvedUnescalated, resolved),
            "resolution": Self.statistics(resolutions),
        ])
    }

    /// `parley support tickets`: every ticket opened in the window, by opening time, then ticket
    /// id, with its member, status, sla, `frt_s`, escalation, teams, `resolution_s` and `due`
    /// (extra key; `null` for tickets with a first response). Extra key: `first_response`.
    public func tickets(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let rows = standings(q, withDue: true).map { s -> JSONValue in
            .object([
                "ticket": .string(s.ticket),
                "member": .string(s.member),
                "opened": .string(s.opened.rfc3339),
                "status": .string(s.isResolved ? "resolved" : "open"),
                "sla": .string(s.sla),
                "frt_s": Self.seconds(s.frtMicroseconds),
                "first_response": s.firstResponse.map { .string($0.rfc3339) } ?? .null,
                "escalated": .bool(s.escalated),
                "teams": .array(s.teams.map { .string($0) }),
                "resolution_s": Self.seconds(s.resolutionMicroseconds),
                "due": s.due.map { .string($0.rfc3339) } ?? .null,
            ])
        }
        return .object(["tickets": .array(rows)])
    }

    /// `parley support backlog`: the open tickets of the window, those with a `due` first by
    /// `due`, then by opening time, then ticket id.
    public func backlog(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        var open = standings(q, withDue: true).filter { !$0.isResolved }
        open.sort { a, b in
            switch (a.due, b.due) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            return a.opened != b.opened ? a.opened < b.opened : a.ticket.utf8Precedes(b.ticket)
        }
        let rows = open.map { s -> JSONValue in
            .object([
                "ticket": .string(s.ticket),
                "member": .string(s.member),
                "opened": .string(s.opened.rfc3339),
                "sla": .string(s.sla),
                "due": s.due.map { .string($0.rfc3339) } ?? .null,
            ])
        }
        return .object(["tickets": .array(rows)])
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
