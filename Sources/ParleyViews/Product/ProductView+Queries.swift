public import ParleyModel

extension ProductView {
    /// `parley product ideas`: the ideas not merged, as of T, under the product policy at T.
    ///
    /// - Returns: `{"ideas": [{"idea", "title", "author", "status", "votes", "impact", "cost",
    ///   "quadrant", "proposed"}]}` by votes descending, then proposed time, then idea id;
    ///   `impact` and `cost` are `null` for unestimated ideas.
    /// - Complexity: O(e log e + v + m) for e ideas, v vote histories and m merges.
    public func ideas(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let policy = q.policies.product(at: q.asOf)
        let rows = resolve(asOf: q.asOf).listed.map { idea -> JSONValue in
            .object([
                "idea": .string(idea.id),
                "title": .string(idea.title),
                "author": .string(idea.author),
                "status": .string(idea.status),
                "votes": .int(Int64(idea.voters.count)),
                "impact": idea.estimate.map { .int($0.impact) } ?? .null,
                "cost": idea.estimate.map { .int($0.cost) } ?? .null,
                "quadrant": .string(idea.quadrant(policy)),
                "proposed": .string(idea.proposed.rfc3339),
            ])
        }
        return .object(["ideas": .array(rows)])
    }

    /// The statuses of ideas still to be built, which the matrix shows.
    static let matrixStatuses: Set<String> = ["open", "under_review", "planned", "in_progress"]

    /// The five quadrants, in the order tables show them.
    static let quadrants = ["quick_win", "major_project", "fill_in", "thankless", "unestimated"]

    /// `parley product matrix`: the ids of the ideas open, under review, planned or in progress,
    /// by quadrant, each list in the order of `ideas`.
    ///
    /// - Returns: `{"quick_win", "major_project", "fill_in", "thankless", "unestimated"}`.
    public func matrix(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let policy = q.policies.product(at: q.asOf)
        var lists: [String: [JSONValue]] = Dictionary(uniqueKeysWithValues: Self.quadrants.map { ($0, []) })
        for idea in resolve(asOf: q.asOf).listed where Self.matrixStatuses.contains(idea.status) {
            lists[idea.quadrant(policy)]!.append(.string(idea.id))
        }
        return .object(JSONObject(lists.mapValues { JSONValue.array($0) }))
    }

    /// `parley product proposals`: ideas proposed per calendar month of the product policy's zone.
    ///
    /// `proposed` counts every idea proposed in the month (merged ones too); `valid` leaves out
    /// those declined or merged as of T. Months without proposals are left out.
    ///
    /// - Returns: `{"months": [{"month", "proposed", "valid"}]}`, months ascending.
    public func proposals(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let book = resolve(asOf: q.asOf)
        let policy = q.policies.product(at: q.asOf)
        guard !book.proposed.isEmpty else { return .object(["months": []]) }
        let clock = ZoneClock(identifier: policy.timezone)
        var months: [String: (proposed: Int64, valid: Int64)] = [:]
        for (id, p) in book.proposed {
            let month = ZoneClock.monthText(clock.localDay(p.time))
            let valid = book.mergedInto[id] == nil && book.statusOf[id] != "declined"
            months[month, default: (0, 0)].proposed += 1
            if valid { months[month]!.valid += 1 }
        }
        let rows = months.keys.sorted().map { month -> JSONValue in
            .object(["month": .string(month), "proposed": .int(months[month]!.proposed), "valid": .int(months[month]!.valid)])
        }
        return .object(["months": .array(rows)])
    }
}
