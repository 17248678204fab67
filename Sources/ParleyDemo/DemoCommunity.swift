public import ParleyModel

/// A realistic synthetic brand community, the same for the same seed: members whose activity
/// follows a power law (so an active core emerges), brand posts of every kind, member posts,
/// comments and reactions, tickets answered inside and outside working hours, escalations, ideas
/// through to shipped and announced, moderation, and policies.
public struct DemoCommunity {
    /// The last instant of the demo (events fall in the `days` before it).
    public var until: Instant
    public var days: Int
    public var members: Int
    /// Multiplies the daily activity (contributions, tickets): 1 is a small brand, 150 makes a
    /// log of about a million events in 90 days, for benchmarks.
    public var intensity = 1
    var rng: SeededGenerator
    var events: [NewEvent] = []
    var counter = 0
    /// Posts so far, newest last, for comments and reactions to land on.
    var posts: [String] = []

    public init(seed: UInt64, until: Instant, days: Int = 90, members: Int = 300) {
        self.until = until
        self.days = days
        self.members = members
        self.rng = SeededGenerator(seed: seed)
        self.seed = seed
    }

    let seed: UInt64

    /// The events, in time order.
    public mutating func generate() -> [NewEvent] {
        events = []
        let start = until.adding(days: -days)
        policies(at: start.adding(days: -1))
        let roster = members(from: start)
        var ideas = IdeaBoard()
        for day in 0..<days {
            let midnight = start.adding(days: day)
            let weekday = (Instant.daysFromCivilDay(midnight) + 3) % 7  // 0 = Monday
            brandPosts(on: midnight, day: day, weekend: weekday >= 5)
            memberActivity(on: midnight, day: day, roster: roster, ideas: &ideas)
            tickets(on: midnight, day: day, roster: roster)
            moderation(on: midnight, day: day, roster: roster)
        }
        ideas.progress(&self, start: start)
        events.removeAll { $0.time > until }
        events.sort { $0.time < $1.time }
        return events
    }

    // MARK: Building blocks

    mutating func add(_ stream: String, _ type: String, _ time: Instant, _ data: JSONObject) {
        counter += 1
        events.append(NewEvent(id: "demo-\(seed)-\(counter)", stream: stream, type: type, time: time, source: "demo", data: data))
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// A member drawn with a power-law weight: low numbers are far more active.
    mutating func activeMember(_ roster: [String]) -> String {
        let u = Double.random(in: 0..<1, using: &rng)
        let index = Int(Double(roster.count) * u * u * u)
        return roster[min(index, roster.count - 1)]
    }

    /// An instant on the day starting at `midnight`, between the local hours given (UTC+1 as a
    /// plain approximation of the brand's Berlin audience).
    mutating func at(_ midnight: Instant, hours: ClosedRange<Int>) -> Instant {
        midnight.adding(seconds: Double(int(hours) * 3600 + int(0...3599) - 3600))
    }

    mutating func policies(at t: Instant) {
        add("policy:sla", "policy.set", t, ["name": "sla", "value": [
            "first_response_s": 7200, "timezone": "Europe/Berlin",
            "hours": ["mon": [["09:00", "13:00"], ["14:00", "18:00"]], "tue": [["09:00", "13:00"], ["14:00", "18:00"]],
                      "wed": [["09:00", "13:00"], ["14:00", "18:00"]], "thu": [["09:00", "13:00"], ["14:00", "18:00"]],
                      "fri": [["09:00", "13:00"], ["14:00", "17:00"]]],
            "holidays": ["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"],
        ]])
        add("policy:community", "policy.set", t, ["name": "community", "value": ["timezone": "Europe/Berlin", "activist_min": 8]])
        add("policy:content", "policy.set", t, ["name": "content", "value": ["timezone": "Europe/Berlin", "stop_words": ["scam", "idiot"]]])
        add("policy:product", "policy.set", t, ["name": "product", "value": ["timezone": "Europe/Berlin"]])
    }

    mutating func members(from start: Instant) -> [String] {
        let roster = (1...members).map { "m\(String(1000 + $0).dropFirst())" }
        for (i, member) in roster.enumerated() where chance(0.7) {
            let joined = start.adding(days: int(-120...(days - 1))).adding(seconds: Double(int(0...86_399)))
            add("member:\(member)", "member.joined", joined, ["member": .string(member), "handle": .string("@\(member)"), "platform": .string(pick(["telegram", "github", "instagram"]))])
            _ = i
        }
        for member in roster.prefix(2) {
            add("member:\(member)", "member.role_assigned", start.adding(days: 1), ["member": .string(member), "role": "moderator", "by": "brand"])
        }
        for member in roster[2..<5] {
            add("member:\(member)", "member.role_assigned", start.adding(days: 2), ["member": .string(member), "role": "expert", "by": "brand"])
        }
        add("member:\(roster[4])", "member.role_revoked", start.adding(days: days / 2), ["member": .string(roster[4]), "role": "expert", "by": "brand"])
        return roster
    }

    mutating func brandPosts(on midnight: Instant, day: Int, weekend: Bool) {
        let count = (weekend ? int(0...1) : (chance(0.1) ? 3 : int(1...2))) * intensity
        for n in 0..<count {
            let post = "b\(day)-\(n)"
            let kind = pick(["engaging", "engaging", "engaging", "educational", "educational", "promotional"])
            let format = pick(["text", "image", "image", "video", "carousel", "poll", "story"])
            var data: JSONObject = [
                "post": .string(post), "author": "brand", "kind": .string(kind), "format": .string(format),
                "channel": .string(pick(["telegram", "instagram"])),
                "next_step": .string(format == "poll" ? "poll" : pick(["poll", "form", "thread", "faq", "event", "none"])),
                "text": .string("A \(kind) post, day \(day)"),
                "links": [.string(chance(0.8) ? "https://brand.example/p/\(post)?utm_source=\(format)" : "https://brand.example/p/\(post)")],
            ]
            if kind == "promotional" { data["ad_label"] = .bool(chance(0.75)) }
            if format == "video" { data["captions"] = .bool(chance(0.7)) }
            add("post:\(post)", "post.published", at(midnight, hours: 8...20), data)
            posts.append(post)
        }
    }
}

extension Instant {
    /// Days since 1970-01-01 of the UTC date of `t`.
    static func daysFromCivilDay(_ t: Instant) -> Int {
        Int((t.microseconds / 86_400_000_000) - (t.microseconds < 0 && t.microseconds % 86_400_000_000 != 0 ? 1 : 0))
    }
}

/// A small seeded generator (SplitMix64), so a seed always gives the same community.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
