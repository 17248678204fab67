public import ParleyModel

extension ContentView {
    /// `parley content mix`: the window's posts against the content policy in force at T.
    ///
    /// The window is `(from, to]`, `to` defaulting to T and `from` to 30 days before `to`; only
    /// events with time ≤ T count.
    ///
    /// - Returns: `{"as_of", "from", "to", "posts", "brand_posts", "mix", "target", "deviation_pp",
    ///   "next_step_share", "days_over_limit", "unlabeled_promotions", "videos_without_captions",
    ///   "top_posts", "best_hour"}`.
    /// - Complexity: O(p log p + c) for p posts and c contributions in the window.
    public func mix(_ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let t = q.asOf
        let to = q.to ?? t
        let from = q.from ?? to.adding(days: -30)
        let end = min(to, t)
        let policy = q.policies.content(at: t)
        let clock = ZoneClock(identifier: policy.timezone)
        let window = posts(after: from, through: end)

        var byKind: [String: Int] = [:]
        var brandPosts = 0, withNextStep = 0
        var brandPerDay: [Int: Int] = [:]
        var unlabeled: [String] = [], uncaptioned: [String] = []
        var ranked: [(post: String, engagement: Int)] = []
        for post in window {
            byKind[post.byBrand ? post.kind : "ugc", default: 0] += 1
            ranked.append((post.id, engagement[post.id]?.countThrough(t) ?? 0))
            guard post.byBrand else { continue }
            brandPosts += 1
            if post.nextStep != "none" { withNextStep += 1 }
            brandPerDay[clock.localDay(post.time), default: 0] += 1
            if post.kind == "promotional" && !post.adLabel { unlabeled.append(post.id) }
            if post.format == "video" && !post.captions { uncaptioned.append(post.id) }
        }

        var mix: JSONObject = [:], target: JSONObject = [:], deviation: JSONObject = [:]
        for kind in Self.mixKinds {
            let goal = policy.targets[kind] ?? ContentPolicy().targets[kind]!
            target[kind] = .number(goal)
            if window.isEmpty {
                mix[kind] = .null
                deviation[kind] = .null
            } else {
                let share = Double(byKind[kind] ?? 0) / Double(window.count)
                mix[kind] = .double(share)
                deviation[kind] = .double((share - goal) * 100)
            }
        }

        let overLimit = brandPerDay.filter { Double($0.value) > policy.maxBrandPostsPerDay }.sorted { $0.key < $1.key }
        ranked.sort { $0.engagement != $1.engagement ? $0.engagement > $1.engagement : $0.post.utf8Precedes($1.post) }
        return .object([
            "as_of": .string(t.rfc3339),
            "from": .string(from.rfc3339),
            "to": .string(to.rfc3339),
            "posts": .int(Int64(window.count)),
            "brand_posts": .int(Int64(brandPosts)),
            "mix": .object(mix),
            "target": .object(target),
            "deviation_pp": .object(deviation),
            "next_step_share": Share.of(withNextStep, brandPosts),
            "days_over_limit": .array(overLimit.map {
                .object(["date": .string(ZoneClock.dateText($0.key)), "posts": .int(Int64($0.value))])
            }),
            "unlabeled_promotions": .array(unlabeled.sorted { $0.utf8Precedes($1) }.map { .string($0) }),
            "videos_without_captions": .array(uncaptioned.sorted { $0.utf8Precedes($1) }.map { .string($0) }),
            "top_posts": .array(ranked.prefix(10).map { .object(["post": .string($0.post), "engagement": .int(Int64($0.engagement))]) }),
            "best_hour": bestHour(after: from, through: end, clock: clock),
        ])
    }

    /// The local hour 0–23 with the most contributions in `(from, to]` (ties: the earliest hour),
    /// or `null` when there are none.
    func bestHour(after from: Instant, through to: Instant, clock: ZoneClock) -> JSONValue {
        guard from < to else { return .null }
        let lo = contributions.countThrough(from), hi = contributions.countThrough(to)
        guard lo < hi else { return .null }
        var perHour = Array(repeating: 0, count: 24)
        for i in lo..<hi { perHour[clock.localHour(contributions.times[i])] += 1 }
        var best = 0
        for hour in 1..<24 where perHour[hour] > perHour[best] { best = hour }
        return .int(Int64(best))
    }
}
