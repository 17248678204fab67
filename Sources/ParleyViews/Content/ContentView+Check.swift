public import ParleyModel

extension ContentView {
    /// `parley content check`: lints a draft post against the content policy in force at T.
    ///
    /// The draft is a `post.published` event (timed at its `time`) or its bare `data` (timed at
    /// T); without `author` it is the brand's. The six checks always appear, in this order:
    /// `next_step`, `ad_label`, `captions`, `utm`, `stop_words`, `daily_limit`.
    ///
    /// - Returns: `{"ok", "checks": [{"name", "ok", "message"}]}`; the caller exits 1 when `ok` is
    ///   false.
    /// - Throws: ``ViewQueryError`` naming the draft field at fault when the draft is not a valid
    ///   `post.published` (missing `post` or `kind`, wrong types, another event type).
    /// - Complexity: O(d + log p) for d brand posts around the draft's local date.
    public func check(draft: JSONValue, _ q: ViewQuery) throws(ViewQueryError) -> JSONValue {
        let draft = try ContentDraft(draft, asOf: q.asOf)
        let policy = q.policies.content(at: q.asOf)
        var checks: [JSONValue] = []
        func add(_ name: String, _ ok: Bool, _ message: String) {
            checks.append(.object(["name": .string(name), "ok": .bool(ok), "message": .string(message)]))
        }

        let step = draft.nextStep
        add("next_step", step != "none", step != "none" ? "offers a next step: \(step)" : "offers no next step (next_step is none)")

        if draft.kind == "promotional" {
            add("ad_label", draft.adLabel, draft.adLabel ? "promotional post carries the ad label" : "promotional post lacks ad_label: true")
        } else {
            add("ad_label", true, "not promotional: no ad label needed")
        }

        if draft.format == "video" {
            add("captions", draft.captions, draft.captions ? "video has captions" : "video lacks captions: true")
        } else {
            add("captions", true, "not a video: no captions needed")
        }

        let untagged = draft.links.filter { !ContentDraft.hasUTMSource($0) }
        if draft.links.isEmpty {
            add("utm", true, "no links")
        } else {
            add("utm", untagged.isEmpty, untagged.isEmpty
                ? "every link has utm_source" : "links without utm_source: " + untagged.joined(separator: ", "))
        }

        if let text = draft.text {
            let found = ContentDraft.stopWords(policy.stopWords, in: text)
            add("stop_words", found.isEmpty, found.isEmpty
                ? "no stop words" : "contains stop words: " + found.map { "\"\($0)\"" }.joined(separator: ", "))
        } else {
            add("stop_words", true, "no text")
        }

        if draft.author == "brand" {
            let clock = ZoneClock(identifier: policy.timezone)
            let day = clock.localDay(draft.time)
            let others = brandPosts(onLocalDay: day, clock: clock, asOf: q.asOf, except: draft.post)
            let total = others + 1
            let ok = Double(total) <= policy.maxBrandPostsPerDay
            add("daily_limit", ok, "\(total) brand post\(total == 1 ? "" : "s") on \(ZoneClock.dateText(day)) with this one; the limit is \(AlignedColumns.cell(.number(policy.maxBrandPostsPerDay)))")
        } else {
            add("daily_limit", true, "a member's post: no daily limit")
        }

        let ok = checks.allSatisfy { $0["ok"] == true }
        return .object(["ok": .bool(ok), "checks": .array(checks)])
    }

    /// The number of brand posts as of `asOf` on the local date `day`, leaving out the post `id`.
    func brandPosts(onLocalDay day: Int, clock: ZoneClock, asOf: Instant, except id: String) -> Int {
        // Local dates are within ±26 hours of the UTC date: look two days either side.
        let lo = Instant(microseconds: Int64(day - 2) * 86_400_000_000)
        let hi = min(asOf, Instant(microseconds: Int64(day + 3) * 86_400_000_000))
        return posts(after: lo, through: hi).reduce(0) { n, post in
            n + (post.byBrand && post.id != id && clock.localDay(post.time) == day ? 1 : 0)
        }
    }
}
