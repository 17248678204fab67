extension PolicySet {
    /// The four policies as JSON values in the shape of `views.md`, every field filled in.
    public var json: JSONValue {
        ["sla": sla.json, "community": community.json, "content": content.json, "product": product.json]
    }
}

extension SLAPolicy {
    /// The policy in the shape of `views.md`.
    public var json: JSONValue {
        let hoursJSON: JSONValue
        switch hours {
        case .always:
            hoursJSON = "24x7"
        case .weekly(let days):
            var o: JSONObject = [:]
            for (index, name) in PolicyParser.weekdays.enumerated() {
                o[name] = .array((days[index + 1] ?? []).map { [.string(Self.clock($0.lowerBound)), .string(Self.clock($0.upperBound))] })
            }
            hoursJSON = .object(o)
        }
        return [
            "first_response_s": .number(firstResponseS), "timezone": .string(timezone), "hours": hoursJSON,
            "holidays": .array(holidays.sorted().map { .string($0) }),
        ]
    }

    static func clock(_ minute: MinuteOfDay) -> String {
        let h = minute / 60, m = minute % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }
}

extension CommunityPolicy {
    /// The policy in the shape of `views.md`.
    public var json: JSONValue {
        [
            "window_days": .number(windowDays), "newcomer_days": .number(newcomerDays), "activist_min": .number(activistMin),
            "timezone": .string(timezone), "hero_weights": .object(JSONObject(heroWeights.mapValues { JSONValue.number($0) })),
        ]
    }
}

extension ContentPolicy {
    /// The policy in the shape of `views.md`.
    public var json: JSONValue {
        [
            "timezone": .string(timezone), "targets": .object(JSONObject(targets.mapValues { JSONValue.number($0) })),
            "max_brand_posts_per_day": .number(maxBrandPostsPerDay), "stop_words": .array(stopWords.map { .string($0) }),
        ]
    }
}

extension ProductPolicy {
    /// The policy in the shape of `views.md`.
    public var json: JSONValue {
        ["impact_high": .number(impactHigh), "cost_low": .number(costLow), "timezone": .string(timezone)]
    }
}

extension PolicyTimeline {
    /// The four policies in force at `t`.
    public func inForce(at t: Instant) -> PolicySet {
        var set = PolicySet()
        set.sla = sla(at: t)
        set.community = community(at: t)
        set.content = content(at: t)
        set.product = product(at: t)
        return set
    }
}
