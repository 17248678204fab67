/// Reads one policy object field by field, refusing unknown fields, wrong JSON types and values
/// out of range with an error that names the field.
///
/// A field given as `null` is the same as absent (`events.md` says so of an event's optional
/// fields, and every policy field is optional): it takes its default, and a day of `hours`
/// given as `null` is closed.
struct PolicyParser {
    var object: JSONObject
    var prefix: String

    init(object: JSONObject, prefix: String) {
        self.object = Self.present(object)
        self.prefix = prefix
    }

    /// `object` without its members given as `null`.
    static func present(_ object: JSONObject) -> JSONObject { object.filter { !$0.value.isNull } }

    func fail(_ field: String, _ reason: String) -> EventValidationError {
        EventValidationError(field: prefix + field, reason)
    }

    func onlyKnown(_ allowed: [String], in object: JSONObject, at path: String = "") throws(EventValidationError) {
        for key in object.keys.sorted(by: { $0.utf8Precedes($1) }) where !allowed.contains(key) {
            throw fail(path + key, "is not a field of this policy (known: \(allowed.joined(separator: ", ")))")
        }
    }

    func number(_ key: String, in object: JSONObject? = nil, at path: String = "") throws(EventValidationError) -> Double? {
        guard let v = (object ?? self.object)[key] else { return nil }
        guard let d = v.doubleValue else { throw fail(path + key, "must be a number, got \(v.typeName)") }
        return d
    }

    /// A number as the user would have written it: `0`, not `0.0`.
    static func shown(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }

    func nonNegative(_ key: String) throws(EventValidationError) -> Double? {
        guard let d = try number(key) else { return nil }
        guard d >= 0 else { throw fail(key, "must not be negative, got \(Self.shown(d))") }
        return d
    }

    func timezone() throws(EventValidationError) -> String? {
        guard let v = object["timezone"] else { return nil }
        guard let name = v.stringValue else { throw fail("timezone", "must be a string, got \(v.typeName)") }
        guard Policies.isKnownTimeZone(name) else { throw fail("timezone", "is not a known IANA time zone: \"\(name)\"") }
        return name
    }

    mutating func sla() throws(EventValidationError) -> SLAPolicy {
        try onlyKnown(["first_response_s", "timezone", "hours", "holidays"], in: object)
        var p = SLAPolicy()
        if let frt = try number("first_response_s") {
            guard frt > 0 else { throw fail("first_response_s", "must be greater than 0, got \(Self.shown(frt))") }
            p.firstResponseS = frt
        }
        if let tz = try timezone() { p.timezone = tz }
        if let hours = object["hours"] { p.hours = try openingHours(hours) }
        if let h = object["holidays"] {
            guard let items = h.arrayValue else { throw fail("holidays", "must be an array of dates, got \(h.typeName)") }
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue, Self.isDate(s) else {
                    throw fail("holidays[\(i)]", "must be a local date \"YYYY-MM-DD\"")
                }
                p.holidays.insert(s)
            }
        }
        return p
    }

    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    func openingHours(_ value: JSONValue) throws(EventValidationError) -> OpeningHours {
        if value == .string("24x7") { return .always }
        guard let days = value.objectValue.map(Self.present) else {
            throw fail("hours", "must be \"24x7\" or an object of weekdays (mon … sun), got \(value.typeName)")
        }
        try onlyKnown(Self.weekdays, in: days, at: "hours.")
        var weekly: [Int: [Range<MinuteOfDay>]] = [:]
        for (index, day) in Self.weekdays.enumerated() {
            guard let slotsValue = days[day] else { continue }
            let path = "hours.\(day)"
            guard let slots = slotsValue.arrayValue else { throw fail(path, "must be an array of [start, end] slots") }
            var ranges: [Range<MinuteOfDay>] = []
            for (i, slot) in slots.enumerated() {
                guard let pair = slot.arrayValue, pair.count == 2,
                    let start = pair[0].stringValue.flatMap(Self.minuteOfDay),
                    let end = pair[1].stringValue.flatMap(Self.minuteOfDay)
                else { throw fail("\(path)[\(i)]", "must be a slot [\"HH:MM\", \"HH:MM\"]") }
                guard start < end, start < 1440 else { throw fail("\(path)[\(i)]", "must start before it ends") }
                if let last = ranges.last, start < last.upperBound {
                    throw fail("\(path)[\(i)]", "overlaps or is out of order with the slot before it")
                }
                ranges.append(start..<end)
            }
            weekly[index + 1] = ranges
        }
        return .weekly(weekly)
    }

    /// `"HH:MM"` as minutes, 00:00 … 24:00.
    static func minuteOfDay(_ s: String) -> MinuteOfDay? {
        let b = Array(s.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), let h = Int(s.prefix(2)), let m = Int(s.suffix(2)),
            b[0...1].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), b[3...4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            m < 60, h < 24 || (h == 24 && m == 0)
        else { return nil }
        return h * 60 + m
    }

    static func isDate(_ s: String) -> Bool {
        guard s.utf8.count == 10, let t = try? Instant(rfc3339: s + "T00:00:00Z") else { return false }
        return t.rfc3339.hasPrefix(s)
    }

    mutating func community() throws(EventValidationError) -> CommunityPolicy {
        try onlyKnown(["window_days", "newcomer_days", "activist_min", "timezone", "hero_weights"], in: object)
        var p = CommunityPolicy()
        if let v = try nonNegative("window_days") { p.windowDays = v }
        if let v = try nonNegative("newcomer_days") { p.newcomerDays = v }
        if let v = try nonNegative("activist_min") { p.activistMin = v }
        if let tz = try timezone() { p.timezone = tz }
        if let w = object["hero_weights"] {
            guard let weights = w.objectValue.map(Self.present) else { throw fail("hero_weights", "must be an object, got \(w.typeName)") }
            try onlyKnown(["post", "comment", "idea", "other"], in: weights, at: "hero_weights.")
            for key in weights.keys {
                guard let d = try number(key, in: weights, at: "hero_weights.") else { continue }
                guard d >= 0 else { throw fail("hero_weights.\(key)", "must not be negative, got \(Self.shown(d))") }
                p.heroWeights[key] = d
            }
        }
        return p
    }

    mutating func content() throws(EventValidationError) -> ContentPolicy {
        try onlyKnown(["timezone", "targets", "max_brand_posts_per_day", "stop_words"], in: object)
        var p = ContentPolicy()
        if let tz = try timezone() { p.timezone = tz }
        if let v = try nonNegative("max_brand_posts_per_day") { p.maxBrandPostsPerDay = v }
        if let t = object["targets"] {
            guard let targets = t.objectValue.map(Self.present) else { throw fail("targets", "must be an object, got \(t.typeName)") }
            try onlyKnown(["engaging", "ugc", "educational", "promotional"], in: targets, at: "targets.")
            for key in targets.keys {
                guard let d = try number(key, in: targets, at: "targets.") else { continue }
                guard d > 0, d <= 1 else { throw fail("targets.\(key)", "must be in (0, 1], got \(Self.shown(d))") }
                p.targets[key] = d
            }
        }
        if let s = object["stop_words"] {
            guard let words = s.arrayValue else { throw fail("stop_words", "must be an array of strings, got \(s.typeName)") }
            p.stopWords = []
            for (i, w) in words.enumerated() {
                guard let word = w.stringValue else { throw fail("stop_words[\(i)]", "must be a string, got \(w.typeName)") }
                p.stopWords.append(word)
            }
        }
        return p
    }

    mutating func product() throws(EventValidationError) -> ProductPolicy {
        try onlyKnown(["impact_high", "cost_low", "timezone"], in: object)
        var p = ProductPolicy()
        if let v = try nonNegative("impact_high") { p.impactHigh = v }
        if let v = try nonNegative("cost_low") { p.costLow = v }
        if let tz = try timezone() { p.timezone = tz }
        return p
    }
}
