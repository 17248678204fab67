import Foundation

/// A local time of day in minutes after midnight, 0…1440 (`"24:00"` is 1440).
public typealias MinuteOfDay = Int

/// Opening hours of the `sla` policy: every instant, or slots per weekday.
public enum OpeningHours: Sendable, Equatable {
    /// `"24x7"`: open at every instant, holidays included.
    case always
    /// Slots `[start, end)` of local time per weekday (1 = Monday … 7 = Sunday), sorted and
    /// non-overlapping; a day missing is closed.
    case weekly([Int: [Range<MinuteOfDay>]])
}

/// The `sla` policy: first-response target and the business calendar it is measured in.
public struct SLAPolicy: Sendable, Equatable {
    public var firstResponseS: Double = 7200
    /// An IANA zone name.
    public var timezone: String = "UTC"
    public var hours: OpeningHours = .weekly(Dictionary(uniqueKeysWithValues: (1...5).map { ($0, [540..<1080]) }))
    /// Local dates `YYYY-MM-DD` on which no slot opens.
    public var holidays: Set<String> = []
    public init() {}
}

/// The `community` policy.
public struct CommunityPolicy: Sendable, Equatable {
    public var windowDays: Double = 30
    public var newcomerDays: Double = 14
    public var activistMin: Double = 10
    public var timezone: String = "UTC"
    /// Weights of `post`, `comment`, `idea` and `other` contributions in the hero score.
    public var heroWeights: [String: Double] = ["post": 3, "comment": 2, "idea": 3, "other": 1]
    public init() {}
}

/// The `content` policy.
public struct ContentPolicy: Sendable, Equatable {
    public var timezone: String = "UTC"
    /// Target share of each mix kind: `engaging`, `ugc`, `educational`, `promotional`.
    public var targets: [String: Double] = ["engaging": 0.40, "ugc": 0.30, "educational": 0.25, "promotional": 0.05]
    public var maxBrandPostsPerDay: Double = 2
    public var stopWords: [String] = []
    public init() {}
}

/// The `product` policy.
public struct ProductPolicy: Sendable, Equatable {
    public var impactHigh: Double = 3
    public var costLow: Double = 2
    public var timezone: String = "UTC"
    public init() {}
}

/// The four policies in force together.
public struct PolicySet: Sendable, Equatable {
    public var sla = SLAPolicy()
    public var community = CommunityPolicy()
    public var content = ContentPolicy()
    public var product = ProductPolicy()
    public init() {}

    /// The policy names of `views.md`.
    public static let names: [String] = ["sla", "community", "content", "product"]

    /// Replaces the policy `name` by `value` (missing fields take their defaults).
    ///
    /// - Throws: ``EventValidationError`` naming `<prefix><field>` when `value` is not a valid policy.
    public mutating func set(name: String, value: JSONObject, fieldPrefix: String = "data.value.") throws(EventValidationError) {
        var p = PolicyParser(object: value, prefix: fieldPrefix)
        switch name {
        case "sla": sla = try p.sla()
        case "community": community = try p.community()
        case "content": content = try p.content()
        case "product": product = try p.product()
        default:
            throw EventValidationError(field: String(fieldPrefix.dropLast("value.".count)) + "name", "must be one of community, content, product, sla, got \"\(name)\"")
        }
    }
}

/// Checks `policy.set` values at append time.
public enum Policies {
    /// Checks a `policy.set` value; throws naming `data.value.<field>`.
    public static func validate(name: String, value: JSONObject) throws(EventValidationError) {
        var set = PolicySet()
        try set.set(name: name, value: value)
    }

    /// Whether `name` is an IANA time zone this machine knows.
    public static func isKnownTimeZone(_ name: String) -> Bool {
        TimeZone(identifier: name) != nil
    }
}
