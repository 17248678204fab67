import Testing
import ParleyModel
@testable import ParleyViews

/// An instant from RFC 3339 text (tests only: the text is known to be valid).
private func t(_ text: String) -> Instant {
    (try? Instant(rfc3339: text)) ?? Instant(microseconds: 0)
}

/// An `sla` policy from its JSON fields, as a `policy.set` would give it.
private func policy(_ value: JSONObject) throws -> SLAPolicy {
    var set = PolicySet()
    try set.set(name: "sla", value: value)
    return set.sla
}

private func calendar(_ value: JSONObject = [:]) throws -> BusinessCalendar {
    BusinessCalendar(try policy(value))
}

@Suite struct BusinessCalendarTests {
    @Test func fridayEveningToMonday() throws {
        let cal = try calendar()
        // 2026-03-06 is a Friday: 17:00–18:00 Friday, then 09:00–10:00 Monday.
        #expect(cal.businessSeconds(from: t("2026-03-06T17:00:00Z"), to: t("2026-03-09T10:00:00Z")) == 7200)
        #expect(cal.instant(after: t("2026-03-06T17:00:00Z"), businessSeconds: 7200) == t("2026-03-09T10:00:00Z"))
        // The weekend alone is closed.
        #expect(cal.businessSeconds(from: t("2026-03-06T18:00:00Z"), to: t("2026-03-09T09:00:00Z")) == 0)
    }

    @Test func emptyAndReversedSpans() throws {
        let cal = try calendar()
        #expect(cal.businessSeconds(from: t("2026-03-04T12:00:00Z"), to: t("2026-03-04T12:00:00Z")) == 0)
        #expect(cal.businessSeconds(from: t("2026-03-04T13:00:00Z"), to: t("2026-03-04T12:00:00Z")) == 0)
        #expect(cal.businessSeconds(from: t("2026-03-04T12:00:00Z"), to: t("2026-03-04T12:00:00.25Z")) == 0.25)
    }

    @Test func dueAtTheEndOfASlotIsThatEnd() throws {
        let cal = try calendar()
        #expect(cal.instant(after: t("2026-03-06T16:00:00Z"), businessSeconds: 7200) == t("2026-03-06T18:00:00Z"))
        // Opened on a Saturday: due two hours into Monday.
        #expect(cal.instant(after: t("2026-03-07T12:00:00Z"), businessSeconds: 7200) == t("2026-03-09T11:00:00Z"))
        #expect(cal.instant(after: t("2026-03-07T12:00:00Z"), businessSeconds: 0.5) == t("2026-03-09T09:00:00.5Z"))
    }

    @Test func lunchGap() throws {
        let cal = try calendar(["hours": ["mon": [["09:00", "12:00"], ["13:00", "18:00"]]]])
        // 2026-03-09 is a Monday: 11:00–12:00 and 13:00–14:00.
        #expect(cal.businessSeconds(from: t("2026-03-09T11:00:00Z"), to: t("2026-03-09T14:00:00Z")) == 7200)
        #expect(cal.businessSeconds(from: t("2026-03-09T12:10:00Z"), to: t("2026-03-09T12:50:00Z")) == 0)
        #expect(cal.instant(after: t("2026-03-09T11:00:00Z"), businessSeconds: 3600) == t("2026-03-09T12:00:00Z"))
        #expect(cal.instant(after: t("2026-03-09T11:00:00Z"), businessSeconds: 3601) == t("2026-03-09T13:00:01Z"))
        // Days missing from `hours` are closed: the next open time is the next Monday.
        #expect(cal.instant(after: t("2026-03-09T17:00:00Z"), businessSeconds: 7200) == t("2026-03-16T10:00:00Z"))
    }

    @Test func holiday() throws {
        let cal = try calendar(["holidays": ["2026-03-09"]])
        #expect(cal.businessSeconds(from: t("2026-03-06T17:00:00Z"), to: t("2026-03-10T10:00:00Z")) == 7200)
        #expect(cal.instant(after: t("2026-03-06T17:00:00Z"), businessSeconds: 7200) == t("2026-03-10T10:00:00Z"))
        #expect(cal.isOpen(at: t("2026-03-09T12:00:00Z")) == false)
        #expect(cal.isOpen(at: t("2026-03-10T12:00:00Z")))
    }

    @Test func holidayClosesOnlyItsOwnLocalDate() throws {
        // A slot up to 24:00 belongs to its date: a holiday the next day does not cut it.
        let cal = try calendar(["timezone": "Europe/Berlin", "hours": ["fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]], "holidays": ["2026-03-07"]])
        // Friday 2026-03-06 20:00–24:00 CET = 19:00–23:00Z; Saturday's slot is a holiday.
        #expect(cal.businessSeconds(from: t("2026-03-06T00:00:00Z"), to: t("2026-03-08T00:00:00Z")) == 4 * 3600)
        #expect(cal.instant(after: t("2026-03-06T22:00:00Z"), businessSeconds: 3600) == t("2026-03-06T23:00:00Z"))
        #expect(cal.instant(after: t("2026-03-06T22:00:00Z"), businessSeconds: 3601) == t("2026-03-13T19:00:01Z"))
    }

    @Test func slotUntilMidnight() throws {
        let cal = try calendar(["hours": ["sat": [["20:00", "24:00"]], "sun": [["00:00", "01:00"]]]])
        // Saturday 2026-03-07 20:00 → Sunday 00:00, then Sunday 00:00–01:00: one open stretch.
        #expect(cal.businessSeconds(from: t("2026-03-07T00:00:00Z"), to: t("2026-03-09T00:00:00Z")) == 5 * 3600)
        #expect(cal.instant(after: t("2026-03-07T22:00:00Z"), businessSeconds: 2 * 3600) == t("2026-03-08T00:00:00Z"))
        #expect(cal.instant(after: t("2026-03-07T22:00:00Z"), businessSeconds: 2.5 * 3600) == t("2026-03-08T00:30:00Z"))
    }

    @Test func alwaysOpenIgnoresHolidays() throws {
        let cal = try calendar(["hours": "24x7", "holidays": ["2026-03-07"], "timezone": "Europe/Berlin"])
        #expect(cal.businessSeconds(from: t("2026-03-06T17:00:00Z"), to: t("2026-03-09T10:00:00Z")) == 65 * 3600)
        #expect(cal.instant(after: t("2026-03-06T17:00:00Z"), businessSeconds: 7200) == t("2026-03-06T19:00:00Z"))
        #expect(cal.isOpen(at: t("2026-03-07T12:00:00Z")))
    }

    @Test func neverOpen() throws {
        let cal = try calendar(["hours": [:]])
        #expect(cal.businessSeconds(from: t("2026-01-01T00:00:00Z"), to: t("2027-01-01T00:00:00Z")) == 0)
        #expect(cal.instant(after: t("2026-01-01T00:00:00Z"), businessSeconds: 1) == nil)
        let emptyDays = try calendar(["hours": ["mon": [], "tue": []], "holidays": ["2026-01-05"]])
        #expect(emptyDays.instant(after: t("2026-01-01T00:00:00Z"), businessSeconds: 7200) == nil)
    }

    @Test func manyHolidaysStillEndInADue() throws {
        // Every weekday of 2026 and 2027 a holiday: the first open hour is Monday 2028-01-03.
        var holidays: [JSONValue] = []
        for day in Instant.daysFromCivil(year: 2026, month: 1, day: 1)..<Instant.daysFromCivil(year: 2028, month: 1, day: 1) {
            holidays.append(.string(String(Instant(microseconds: Int64(day) * 86_400_000_000).rfc3339.prefix(10))))
        }
        let cal = try calendar(["holidays": .array(holidays)])
        #expect(cal.instant(after: t("2026-01-01T00:00:00Z"), businessSeconds: 3600) == t("2028-01-03T10:00:00Z"))
        #expect(cal.businessSeconds(from: t("2026-01-01T00:00:00Z"), to: t("2028-01-03T10:00:00Z")) == 3600)
    }

    @Test func aYearOfWeekdays() throws {
        let cal = try calendar()
        // 2026: 261 weekdays of 9 hours.
        #expect(cal.businessSeconds(from: t("2026-01-01T00:00:00Z"), to: t("2027-01-01T00:00:00Z")) == 261 * 9 * 3600)
        #expect(cal.instant(after: t("2026-01-01T00:00:00Z"), businessSeconds: 261 * 9 * 3600) == t("2026-12-31T18:00:00Z"))
    }
}
