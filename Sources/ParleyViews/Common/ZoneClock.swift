import ParleyModel

/// Local wall-clock readings of instants in one IANA time zone.
///
/// A thin reader over ``BusinessCalendar/Zone``, whose transition table is built once per
/// process and per zone, so every reading is a binary search.
struct ZoneClock: Sendable {
    /// The zone; `nil` for UTC (and unknown names, which validated policies exclude).
    private let zone: BusinessCalendar.Zone?

    /// A clock for the IANA zone `identifier`.
    init(identifier: String) {
        zone = identifier == "UTC" || identifier == "Etc/UTC" ? nil : BusinessCalendar.Zone.named(identifier)
    }

    /// Whole seconds since the epoch, rounded down.
    static func floorSeconds(_ t: Instant) -> Int64 {
        let (q, r) = t.microseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return r < 0 ? q - 1 : q
    }

    /// The zone's offset from UTC, in seconds, at the instant `seconds` after the epoch.
    func offset(atSeconds seconds: Int64) -> Int64 {
        zone?.offset(atSecond: seconds) ?? 0
    }

    /// Local seconds since 1970-01-01T00:00 local time at `t`.
    func localSeconds(_ t: Instant) -> Int64 {
        let s = Self.floorSeconds(t)
        return s + offset(atSeconds: s)
    }

    /// The local date of `t`, as days since 1970-01-01.
    func localDay(_ t: Instant) -> Int {
        let s = localSeconds(t)
        return Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
    }

    /// The local hour 0–23 of `t`.
    func localHour(_ t: Instant) -> Int {
        let s = localSeconds(t)
        let r = s % 86_400
        return Int((r < 0 ? r + 86_400 : r) / 3600)
    }

    /// The instant of local midnight starting the local date `day` (days since 1970-01-01).
    ///
    /// A midnight that does not exist (clocks jump forward) reads with the offset in force before
    /// the jump, so it lands after the gap; one that occurs twice is its first occurrence — the
    /// rule `views.md` gives for business hours.
    func startOfDay(_ day: Int) -> Instant {
        zone?.instant(localDay: day, minute: 0) ?? Instant(microseconds: Int64(day) * 86_400_000_000)
    }

    /// `YYYY-MM-DD` of a local date given as days since 1970-01-01.
    static func dateText(_ day: Int) -> String {
        let (y, m, d) = Instant.civilFromDays(day)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// `YYYY-MM` of the month holding a local date given as days since 1970-01-01.
    static func monthText(_ day: Int) -> String {
        let (y, m, _) = Instant.civilFromDays(day)
        return pad(y, 4) + "-" + pad(m, 2)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let t = String(v)
        return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
    }
}
