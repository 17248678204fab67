public import ParleyModel

extension CommunityView {
    /// The community policy's window and thresholds as of one T.
    struct Frame {
        var asOf: Instant
        var windowStart: Instant
        var newcomerSince: Instant
        var policy: CommunityPolicy

        init(_ q: ViewQuery) {
            asOf = q.asOf
            policy = q.policies.community(at: q.asOf)
            windowStart = q.asOf.adding(seconds: -policy.windowDays * 86_400)
            newcomerSince = q.asOf.adding(seconds: -policy.newcomerDays * 86_400)
        }

        func role(of m: Member) -> String {
            m.role(at: asOf, windowStart: windowStart, newcomerSince: newcomerSince, activistMin: policy.activistMin)
        }
    }

    /// The members known as of `t`, with their ids.
    func known(asOf t: Instant) -> [(id: String, member: Member)] {
        members.compactMap { id, m in
            guard let f = m.firstSeen, f <= t else { return nil }
            return (id, m)
        }
    }

    /// `parley community summary`: members, active, roles, core share, D7/D30 return, UGC, flags.
    ///
    /// - Returns: `{"as_of", "members", "active", "core", "roles", "core_share", "d7_return",
    ///   "d30_return", "ugc", "flags"}`.
    /// - Complexity: O(m log c).
    public func summary(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let frame = Frame(q)
        let t = q.asOf
        let d7 = t.adding(days: -7), d30 = t.adding(days: -30)
        var roles: [String: Int64] = ["moderator": 0, "expert": 0, "newcomer": 0, "activist": 0, "regular": 0, "dormant": 0]
        var count: Int64 = 0, active: Int64 = 0, core: Int64 = 0
        var returned7 = (eligible: 0, returned: 0), returned30 = (eligible: 0, returned: 0)
        for (_, m) in known(asOf: t) {
            count += 1
            let role = frame.role(of: m)
            roles[role, default: 0] += 1
            if m.contributions.count(after: frame.windowStart, through: t) > 0 {
                active += 1
                if role == "activist" || role == "expert" || role == "moderator" { core += 1 }
            }
            let first = m.firstSeen!
            if first <= d7 {
                returned7.eligible += 1
                if m.contributions.contains(from: first.adding(days: 7), through: t) { returned7.returned += 1 }
            }
            if first <= d30 {
                returned30.eligible += 1
                if m.contributions.contains(from: first.adding(days: 30), through: t) { returned30.returned += 1 }
            }
        }
        var flagCounts: JSONObject = [:]
        var total: Int64 = 0
        for reason in Self.flagReasons {
            let n = Int64(flags[reason]?.count(after: frame.windowStart, through: t) ?? 0)
            flagCounts[reason] = .int(n)
            total += n
        }
        flagCounts["total"] = .int(total)
        return .object([
            "as_of": .string(t.rfc3339),
            "members": .int(count),
            "active": .int(active),
            "core": .int(core),
            "roles": .object(JSONObject(roles.mapValues { JSONValue.int($0) })),
            "core_share": Share.of(Int(core), Int(count)),
            "d7_return": Share.of(returned7.returned, returned7.eligible),
            "d30_return": Share.of(returned30.returned, returned30.eligible),
            "ugc": .int(Int64(ugcPosts.count(after: frame.windowStart, through: t))),
            "flags": .object(flagCounts),
        ])
    }

    /// `parley community members`: each member known as of T, by member id (bytewise).
    ///
    /// - Returns: `{"members": [{"member", "first_seen", "role", "contributions", "last_active"}]}`,
    ///   `contributions` counting those in the window, `last_active` the latest contribution or `null`.
    /// - Complexity: O(m log m + m log c).
    public func members(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let frame = Frame(q)
        let t = q.asOf
        let rows = known(asOf: t).sorted { $0.id.utf8Precedes($1.id) }.map { id, m -> JSONValue in
            .object([
                "member": .string(id),
                "first_seen": .string(m.firstSeen!.rfc3339),
                "role": .string(frame.role(of: m)),
                "contributions": .int(Int64(m.contributions.count(after: frame.windowStart, through: t))),
                "last_active": m.contributions.last(through: t).map { .string($0.rfc3339) } ?? .null,
            ])
        }
        return .object(["members": .array(rows)])
    }

    /// `parley community heroes`: the top 10 members by weighted contributions in an ISO week.
    ///
    /// `text` as an ISO week (`2026-W10`), or an error naming `parameter`.
    static func week(_ text: String, parameter: String = "week") throws(ViewQueryError) -> ISOWeek {
        guard let week = ISOWeek(text: text) else {
            throw ViewQueryError(parameter: parameter, "must be an ISO week YYYY-Www (W01…W52, or W53 in years that have it), got \"\(text)\"")
        }
        return week
    }

    /// Checks that `text` is an ISO week (`2026-W10`), before a query reads anything.
    ///
    /// - Throws: ``ViewQueryError`` naming `parameter` when it is not an existing week.
    public static func checkWeek(_ text: String, parameter: String) throws(ViewQueryError) {
        _ = try week(text, parameter: parameter)
    }

    /// The week (`q.week`, default the week holding T) runs from Monday 00:00 to the next Monday
    /// 00:00 local time in the community policy's zone; only events with time ≤ T count.
    ///
    /// - Returns: `{"week", "heroes": [{"member", "score"}]}`, by score descending, then member id.
    /// - Throws: ``ViewQueryError`` for `--week` when it is not an existing `YYYY-Www` week.
    /// - Complexity: O(m log c + k) for k contributions in the week.
    public func heroes(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let t = q.asOf
        let policy = q.policies.community(at: t)
        let week: ISOWeek
        if let text = q.week {
            week = try Self.week(text)
        } else {
            week = ISOWeek(holding: ZoneClock(identifier: policy.timezone).localDay(t))
        }
        let monday = week.monday
        let clock = ZoneClock(identifier: policy.timezone)
        let start = clock.startOfDay(monday), end = clock.startOfDay(monday + 7)
        let weights: [ContributionKind: Double] = [
            .post: policy.heroWeights["post"] ?? 3, .comment: policy.heroWeights["comment"] ?? 2,
            .idea: policy.heroWeights["idea"] ?? 3, .other: policy.heroWeights["other"] ?? 1,
        ]
        var scores: [(member: String, score: Double)] = []
        for (id, m) in members {
            let lo = m.contributions.countBefore(start)
            let hi = min(m.contributions.countBefore(end), m.contributions.countThrough(t))
            guard lo < hi else { continue }
            var score = 0.0
            for i in lo..<hi { score += weights[m.kinds[i]]! }
            scores.append((id, score))
        }
        scores.sort { $0.score != $1.score ? $0.score > $1.score : $0.member.utf8Precedes($1.member) }
        let top = scores.prefix(10).map { JSONValue.object(["member": .string($0.member), "score": .number($0.score)]) }
        return .object(["week": .string(week.text), "heroes": .array(Array(top))])
    }
}

/// Ratios as `views.md` prints them.
enum Share {
    /// `numerator / denominator` as a JSON number, `null` when the denominator is 0.
    static func of(_ numerator: Int, _ denominator: Int) -> JSONValue {
        denominator == 0 ? .null : .double(Double(numerator) / Double(denominator))
    }
}
