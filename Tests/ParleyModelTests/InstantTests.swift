import Testing
@testable import ParleyModel

@Suite struct InstantTests {
    @Test func parsesOffsetsAndFractions() throws {
        let a = try Instant(rfc3339: "2026-03-02T09:15:00Z")
        let b = try Instant(rfc3339: "2026-03-02T11:15:00+02:00")
        #expect(a == b)
        #expect(a.rfc3339 == "2026-03-02T09:15:00Z")
        let c = try Instant(rfc3339: "2026-03-02T09:15:00.123456789-00:30")
        #expect(c.rfc3339 == "2026-03-02T09:45:00.123456Z")
        #expect(try Instant(rfc3339: "2026-03-02T09:15:00.5Z").rfc3339 == "2026-03-02T09:15:00.5Z")
        #expect(try Instant(rfc3339: "1969-12-31T23:59:59.5Z").microseconds == -500_000)
        #expect(try Instant(rfc3339: "2024-02-29t00:00:00z").rfc3339 == "2024-02-29T00:00:00Z")
    }

    @Test(arguments: [
        "2026-03-02", "2026-03-02T09:15:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-03-02T24:00:00Z", "2026-03-02T09:15:00+2:00", "2026-03-02T09:15:00.Z", "2026-03-02T09:15:00Zx",
        // In UTC these fall in year 10000 and year -1, which RFC 3339 cannot write.
        "9999-12-31T23:30:00-01:00", "0000-01-01T00:30:00+01:00",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: InstantSyntaxError.self) { try Instant(rfc3339: text) }
    }

    @Test func theFirstAndLastInstantsOfTheFourDigitYearsRoundTrip() throws {
        for text in ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z"] {
            #expect(try Instant(rfc3339: text).rfc3339 == text)
        }
        #expect(try Instant(rfc3339: "9999-12-31T23:59:59+00:00") == Instant(rfc3339: "9999-12-31T23:59:59Z"))
        #expect(try Instant(rfc3339: "0000-01-01T01:00:00+01:00") == Instant.earliest)
    }

    @Test func civilRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = Instant.civilFromDays(days)
            #expect(Instant.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test func formatRoundTripsAcrossTheRange() throws {
        var state: UInt64 = 12345
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let micros = Int64(bitPattern: state >> 1) % 253_402_300_799_000_000  // before year 10000
            let t = Instant(microseconds: abs(micros))
            let text = t.rfc3339
            #expect(try Instant(rfc3339: text) == t, "\(text)")
            #expect(!text.contains(".") || !text.hasSuffix("0Z"))
        }
        #expect(Instant(microseconds: 1_500_000).rfc3339 == "1970-01-01T00:00:01.5Z")
        #expect(Instant(microseconds: 10).rfc3339 == "1970-01-01T00:00:00.00001Z")
        #expect(Instant(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
    }
}
