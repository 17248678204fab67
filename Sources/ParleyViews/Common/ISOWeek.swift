import ParleyModel

/// An ISO 8601 week, `YYYY-Www`: Monday to Sunday, week 1 holding the year's first Thursday.
struct ISOWeek: Sendable, Equatable {
    /// The ISO week-numbering year.
    var year: Int
    /// 1…52, or 53 in years that have one.
    var week: Int

    /// The week `year`-W`week`, if such a week exists.
    init?(year: Int, week: Int) {
        guard week >= 1, week <= Self.weeks(inYear: year) else { return nil }
        self.year = year
        self.week = week
    }

    /// Parses `YYYY-Www` exactly (four-digit year, `-W`, two-digit week).
    init?(text: String) {
        let b = Array(text.utf8)
        guard b.count == 8, b[4] == UInt8(ascii: "-"), b[5] == UInt8(ascii: "W") else { return nil }
        let digits = [0, 1, 2, 3, 6, 7]
        guard digits.allSatisfy({ b[$0] >= 0x30 && b[$0] <= 0x39 }) else { return nil }
        let value = { (i: Int) in Int(b[i] - 0x30) }
        let year = value(0) * 1000 + value(1) * 100 + value(2) * 10 + value(3)
        self.init(year: year, week: value(6) * 10 + value(7))
    }

    /// The week holding a date given as days since 1970-01-01.
    init(holding day: Int) {
        let thursday = day - (Self.weekday(day) - 1) + 3
        let (y, _, _) = Instant.civilFromDays(thursday)
        year = y
        week = (thursday - Instant.daysFromCivil(year: y, month: 1, day: 1)) / 7 + 1
    }

    /// ISO weekday of a date given as days since 1970-01-01: 1 = Monday … 7 = Sunday.
    static func weekday(_ day: Int) -> Int {
        let r = (day + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    /// The Monday of the week, as days since 1970-01-01.
    var monday: Int {
        let jan4 = Instant.daysFromCivil(year: year, month: 1, day: 4)
        return jan4 - (Self.weekday(jan4) - 1) + (week - 1) * 7
    }

    /// 53 when December 28 (always in the year's last week) falls in week 53, else 52.
    static func weeks(inYear year: Int) -> Int {
        let dec28 = Instant.daysFromCivil(year: year, month: 12, day: 28)
        let jan4 = Instant.daysFromCivil(year: year, month: 1, day: 4)
        let firstMonday = jan4 - (weekday(jan4) - 1)
        return (dec28 - firstMonday) / 7 + 1
    }

    /// `YYYY-Www`.
    var text: String { ZoneClock.pad(year, 4) + "-W" + ZoneClock.pad(week, 2) }
}
