import ParleyModel

/// An idea as of T, with everything merged into it folded in.
struct ResolvedIdea {
    var id: String
    var title: String
    var author: String
    var proposed: Instant
    /// The latest `idea.status_changed`, else `open`.
    var status: String
    /// The time of the latest `idea.status_changed` to `shipped`, if any.
    var shippedAt: Instant?
    /// The latest `idea.estimated`.
    var estimate: (impact: Int64, cost: Int64)?
    /// Members whose latest vote for this idea, or for an idea merged into it, is a vote.
    var voters: Set<String> = []
    /// The authors of the ideas merged into it, transitively.
    var mergedAuthors: Set<String> = []

    /// The impact/cost quadrant under `policy`.
    func quadrant(_ policy: ProductPolicy) -> String {
        guard let estimate else { return "unestimated" }
        let high = Double(estimate.impact) >= policy.impactHigh
        let low = Double(estimate.cost) <= policy.costLow
        switch (high, low) {
        case (true, true): return "quick_win"
        case (true, false): return "major_project"
        case (false, true): return "fill_in"
        case (false, false): return "thankless"
        }
    }
}

/// The ideas as of T: those not merged (in the order of `ideas`), and which ideas were merged.
struct IdeaBook {
    /// Ideas not merged, by votes descending, then proposed time, then idea id.
    var listed: [ResolvedIdea]
    /// Every idea proposed as of T (merged or not), by id.
    var proposed: [String: ProductView.Proposal]
    /// The ideas merged as of T, each into the idea it was last validly merged into.
    var mergedInto: [String: String]
    /// Status of every idea proposed as of T.
    var statusOf: [String: String]
}

extension ProductView {
    /// Resolves the ideas as of `t`.
    ///
    /// Merges are read so: the `idea.merged` events with time ≤ T are taken in event order; one is
    /// ignored when its `idea` is not proposed as of T, when its `into` was not yet proposed at
    /// that point of the order (the first `idea.proposed` of `into` comes later), or when following
    /// `into`'s merges as they stand reaches `idea` (a cycle, merging into itself included).
    /// Otherwise it replaces any earlier merge of the same idea. Each merged idea then ends in the
    /// idea its chain leads to; its author and voters count there.
    func resolve(asOf t: Instant) -> IdeaBook {
        let proposed = proposals.filter { $0.value.time <= t }
        var mergedInto: [String: String] = [:]
        for merge in merges.prefix(prefixThrough(merges, t) { $0.time }) {
            guard proposed[merge.idea] != nil, let target = proposed[merge.into], target.sequence < merge.sequence else { continue }
            var current = merge.into
            while current != merge.idea, let next = mergedInto[current] { current = next }
            guard current != merge.idea else { continue }
            mergedInto[merge.idea] = merge.into
        }
        func end(_ idea: String) -> String {
            var current = idea
            while let next = mergedInto[current] { current = next }
            return current
        }

        var resolved: [String: ResolvedIdea] = [:]
        var statusOf: [String: String] = [:]
        for (id, p) in proposed {
            let history = statuses[id] ?? []
            let n = prefixThrough(history, t) { $0.time }
            let status = n == 0 ? "open" : history[n - 1].status
            statusOf[id] = status
            guard mergedInto[id] == nil else { continue }
            var idea = ResolvedIdea(id: id, title: p.title, author: p.author, proposed: p.time, status: status)
            if status == "shipped" { idea.shippedAt = history[..<n].last { $0.status == "shipped" }?.time }
            let e = estimates[id] ?? []
            let k = prefixThrough(e, t) { $0.time }
            if k > 0 { idea.estimate = (e[k - 1].impact, e[k - 1].cost) }
            resolved[id] = idea
        }
        for (id, p) in proposed {
            let root = end(id)
            if root != id { resolved[root]!.mergedAuthors.insert(p.author) }
            for (member, history) in votes[id] ?? [:] {
                let n = prefixThrough(history, t) { $0.time }
                if n > 0, history[n - 1].voted { resolved[root]!.voters.insert(member) }
            }
        }
        let listed = resolved.values.sorted { a, b in
            if a.voters.count != b.voters.count { return a.voters.count > b.voters.count }
            if a.proposed != b.proposed { return a.proposed < b.proposed }
            return a.id.utf8Precedes(b.id)
        }
        return IdeaBook(listed: listed, proposed: proposed, mergedInto: mergedInto, statusOf: statusOf)
    }
}
