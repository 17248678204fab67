public import ParleyModel

extension ProductView {
    /// `parley product loop`: whether everyone owed word of a shipped idea has been told.
    ///
    /// For each idea not merged whose status is `shipped` as of T, the *owed* members are its
    /// author, the authors of the ideas merged into it and its voters, less the brand and every
    /// member `notified` by an `announcement.published` listing the idea's own id. The loop is
    /// closed when some announcement lists the idea and nobody is owed. Days to announce run from
    /// the latest `idea.status_changed` to `shipped` to the first announcement listing the idea,
    /// 0 when the announcement came first.
    ///
    /// - Returns: `{"shipped", "closed", "closure_rate", "median_days_to_announce",
    ///   "open_loops": [{"idea", "shipped_at", "owed"}]}`, open loops by `shipped_at`, then idea id.
    /// - Complexity: O(e log e + a) for e ideas and a announcement entries.
    public func loop(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let t = q.asOf
        var notified: [String: Set<String>] = [:]
        var firstAnnounced: [String: Instant] = [:]
        for a in announcements.prefix(prefixThrough(announcements, t) { $0.time }) {
            for idea in a.ideas {
                if firstAnnounced[idea] == nil { firstAnnounced[idea] = a.time }
                notified[idea, default: []].formUnion(a.notified)
            }
        }
        var shipped = 0, closed = 0
        var days: [Double] = []
        var open: [(idea: String, shippedAt: Instant, owed: [String])] = []
        for idea in resolve(asOf: t).listed where idea.status == "shipped" {
            shipped += 1
            let shippedAt = idea.shippedAt ?? idea.proposed
            var owed = idea.voters.union(idea.mergedAuthors)
            owed.insert(idea.author)
            owed.remove("brand")
            owed.subtract(notified[idea.id] ?? [])
            if let announced = firstAnnounced[idea.id] {
                days.append(max(0, shippedAt.seconds(to: announced)) / 86_400)
                if owed.isEmpty {
                    closed += 1
                    continue
                }
            }
            open.append((idea.id, shippedAt, owed.sorted { $0.utf8Precedes($1) }))
        }
        open.sort { $0.shippedAt != $1.shippedAt ? $0.shippedAt < $1.shippedAt : $0.idea.utf8Precedes($1.idea) }
        days.sort()
        let median: JSONValue = days.isEmpty ? .null : .number(days[(days.count + 1) / 2 - 1])
        return .object([
            "shipped": .int(Int64(shipped)),
            "closed": .int(Int64(closed)),
            "closure_rate": Share.of(closed, shipped),
            "median_days_to_announce": median,
            "open_loops": .array(open.map {
                .object(["idea": .string($0.idea), "shipped_at": .string($0.shippedAt.rfc3339),
                         "owed": .array($0.owed.map { .string($0) })])
            }),
        ])
    }
}
