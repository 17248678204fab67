import Testing
import ParleyModel
@testable import ParleyViews

private func t(_ text: String) -> Instant {
    (try? Instant(rfc3339: text)) ?? Instant(microseconds: 0)
}

private func calendar(_ value: JSONObject) throws -> BusinessCalendar {
    var set = PolicySet()
    try set.set(name: "sla", value: value)
    return BusinessCalendar(set.sla)
}

@Suite struct BusinessCalendarDSTTests {
    @Test func berlinSpringForward() throws {
        // 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST.
        let whole = try calendar(["timezone": "Europe/Berlin", "hours": ["sun": [["01:00", "04:00"]]]])
        #expect(whole.businessSeconds(from: t("2026-03-28T00:00:00Z"), to: t("2026-03-30T00:00:00Z")) == 2 * 3600)
        // 02:30 does not exist: read at +01:00, it is 01:30Z (03:30 CEST).
        let inGap = try calendar(["timezone": "Europe/Berlin", "hours": ["sun": [["02:30", "04:00"]]]])
        #expect(inGap.businessSeconds(from: t("2026-03-28T00:00:00Z"), to: t("2026-03-30T00:00:00Z")) == 1800)
        #expect(inGap.instant(after: t("2026-03-28T00:00:00Z"), businessSeconds: 60) == t("2026-03-29T01:31:00Z"))
        // A slot wholly inside the gap ends (03:00 CEST = 01:00Z) before it starts: empty that day.
        let empty = try calendar(["timezone": "Europe/Berlin", "hours": ["sun": [["02:30", "03:00"]]]])
        #expect(empty.businessSeconds(from: t("2026-03-28T00:00:00Z"), to: t("2026-03-30T00:00:00Z")) == 0)
        #expect(empty.instant(after: t("2026-03-28T00:00:00Z"), businessSeconds: 60) == t("2026-04-05T00:31:00Z"))
    }

    @Test func berlinFallBack() throws {
        // 2026-10-25 (Sunday): 03:00 CEST goes back to 02:00 CET.
        let whole = try calendar(["timezone": "Europe/Berlin", "hours": ["sun": [["01:00", "04:00"]]]])
        #expect(whole.businessSeconds(from: t("2026-10-24T00:00:00Z"), to: t("2026-10-26T00:00:00Z")) == 4 * 3600)
        // 02:30 occurs twice: its first occurrence (CEST) is 00:30Z; 03:30 CET is 02:30Z.
        let repeated = try calendar(["timezone": "Europe/Berlin", "hours": ["sun": [["02:30", "03:30"]]]])
        #expect(repeated.businessSeconds(from: t("2026-10-24T00:00:00Z"), to: t("2026-10-26T00:00:00Z")) == 2 * 3600)
        #expect(repeated.instant(after: t("2026-10-25T00:00:00Z"), businessSeconds: 3600) == t("2026-10-25T01:30:00Z"))
    }

    @Test func berlinWeekdaysAcrossTheChange() throws {
        let cal = try calendar(["timezone": "Europe/Berlin"])
        // Friday 2026-03-27 17:00–18:00 CET (16:00–17:00Z), Monday 09:00 CEST is 07:00Z.
        #expect(cal.businessSeconds(from: t("2026-03-27T16:00:00Z"), to: t("2026-03-30T08:00:00Z")) == 7200)
        #expect(cal.instant(after: t("2026-03-27T16:00:00Z"), businessSeconds: 7200) == t("2026-03-30T08:00:00Z"))
        // Friday 2026-10-23 17:00 CEST (15:00Z) to Monday 10:00 CET (09:00Z).
        #expect(cal.instant(after: t("2026-10-23T15:00:00Z"), businessSeconds: 7200) == t("2026-10-26T09:00:00Z"))
    }

    @Test func newYorkWholeSundays() throws {
        let cal = try calendar(["timezone": "America/New_York", "hours": ["sun": [["00:00", "24:00"]]]])
        // 2026-03-08 has 23 hours, 2026-11-01 has 25.
        #expect(cal.businessSeconds(from: t("2026-03-07T00:00:00Z"), to: t("2026-03-10T00:00:00Z")) == 23 * 3600)
        #expect(cal.businessSeconds(from: t("2026-10-31T00:00:00Z"), to: t("2026-11-03T00:00:00Z")) == 25 * 3600)
        // Sunday 2026-11-01 starts at 04:00Z (EDT) and ends at 05:00Z Monday (EST).
        #expect(cal.instant(after: t("2026-10-31T00:00:00Z"), businessSeconds: 25 * 3600) == t("2026-11-02T05:00:00Z"))
    }

    @Test func newYorkSlotStraddlingTheChange() throws {
        // 01:00–04:00 local on 2026-03-08: 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z.
        let cal = try calendar(["timezone": "America/New_York", "hours": ["sun": [["01:00", "04:00"]]]])
        #expect(cal.businessSeconds(from: t("2026-03-08T00:00:00Z"), to: t("2026-03-09T00:00:00Z")) == 2 * 3600)
        // On 2026-11-01: 01:00 EDT (first) = 05:00Z, 04:00 EST = 09:00Z.
        #expect(cal.businessSeconds(from: t("2026-11-01T00:00:00Z"), to: t("2026-11-02T00:00:00Z")) == 4 * 3600)
        #expect(cal.isOpen(at: t("2026-11-01T05:00:00Z")))
        #expect(cal.isOpen(at: t("2026-11-01T04:59:59Z")) == false)
    }

    @Test func slotsOverlappingAcrossTheGapCountOnce() throws {
        // views.md: business time is "the number of seconds of [a, b) that fall inside an open
        // slot"; a nonexistent local time "is read with the offset in force before the jump".
        // New York, Sunday 2026-03-08 (02:00 EST jumps to 03:00 EDT):
        // [01:00, 02:30) is 06:00Z–07:30Z (02:30 read at −05:00), [03:00, 04:00) is 07:00Z–08:00Z.
        // They share 07:00Z–07:30Z: the union is 06:00Z–08:00Z, two hours, not two and a half.
        let ny = try calendar([
            "timezone": "America/New_York", "hours": ["sun": [["01:00", "02:30"], ["03:00", "04:00"]]],
        ])
        #expect(ny.businessSeconds(from: t("2026-03-08T00:00:00Z"), to: t("2026-03-09T00:00:00Z")) == 2 * 3600)
        #expect(ny.businessSeconds(from: t("2026-03-08T07:15:00Z"), to: t("2026-03-08T07:45:00Z")) == 1800)
        // 1h45 of business time from 06:00Z: 07:45Z (not 07:15Z, which double counting gives).
        #expect(ny.instant(after: t("2026-03-08T00:00:00Z"), businessSeconds: 6300) == t("2026-03-08T07:45:00Z"))
        // Berlin, Sunday 2026-03-29 (02:00 CET jumps to 03:00 CEST): [02:30, 02:45) is read
        // 01:30Z–01:45Z, after [03:00, 04:00) = 01:00Z–02:00Z which holds it: one hour in all.
        let berlin = try calendar([
            "timezone": "Europe/Berlin", "hours": ["sun": [["02:30", "02:45"], ["03:00", "04:00"]]],
        ])
        #expect(berlin.businessSeconds(from: t("2026-03-29T00:00:00Z"), to: t("2026-03-30T00:00:00Z")) == 3600)
        #expect(berlin.instant(after: t("2026-03-29T00:00:00Z"), businessSeconds: 3000) == t("2026-03-29T01:50:00Z"))
    }

    @Test func aYearInBerlinWithHolidays() throws {
        // 2026: 261 weekdays, 2 of them holidays, 9 hours each; every slot lies at a whole offset.
        let cal = try calendar(["timezone": "Europe/Berlin", "holidays": ["2026-01-01", "2026-12-25", "2026-12-26"]])
        let a = t("2025-12-31T23:00:00Z"), b = t("2026-12-31T23:00:00Z")
        #expect(cal.businessSeconds(from: a, to: b) == 259 * 9 * 3600)
        #expect(cal.instant(after: a, businessSeconds: 259 * 9 * 3600) == t("2026-12-31T17:00:00Z"))
    }
}
