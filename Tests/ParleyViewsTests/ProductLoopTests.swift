import ParleyModel
import Testing
@testable import ParleyViews

@Suite struct ProductLoopTests {
    static let asOf = "2026-03-31T00:00:00Z"

    static func announce(_ s: inout EventScript, _ id: String, at time: String, ideas: [String], notified: [String]) {
        s.add("announcement.published", time, [
            "announcement": .string(id), "ideas": .array(ideas.map { .string($0) }), "notified": .array(notified.map { .string($0) }),
        ])
    }

    static var shipped: EventScript {
        var s = EventScript()
        // s1: everyone told 2.5 days after shipping.
        s.propose("s1", by: "a1", at: "2026-03-01T00:00:00Z")
        s.vote("s1", "m1", at: "2026-03-02T00:00:00Z")
        s.vote("s1", "m2", at: "2026-03-02T00:00:00Z")
        s.status("s1", "shipped", at: "2026-03-10T00:00:00Z")
        announce(&s, "A1", at: "2026-03-12T12:00:00Z", ideas: ["s1"], notified: ["a1", "m1", "m2"])
        // s2: the author told a day later, a voter not.
        s.propose("s2", by: "a2", at: "2026-03-01T00:00:00Z")
        s.vote("s2", "m3", at: "2026-03-02T00:00:00Z")
        s.status("s2", "shipped", at: "2026-03-10T00:00:00Z")
        announce(&s, "A2", at: "2026-03-11T00:00:00Z", ideas: ["s2"], notified: ["a2"])
        // s3: announced before shipping, to its author and those of the idea merged into it.
        s.propose("s3", by: "a3", at: "2026-02-01T00:00:00Z")
        s.propose("s3b", by: "a4", at: "2026-02-02T00:00:00Z")
        s.vote("s3b", "m5", at: "2026-02-03T00:00:00Z")
        s.merge("s3b", into: "s3", at: "2026-02-04T00:00:00Z")
        announce(&s, "A0", at: "2026-03-01T00:00:00Z", ideas: ["s3"], notified: ["a3", "a4", "m5"])
        s.status("s3", "shipped", at: "2026-03-05T00:00:00Z")
        // s4: the brand's own idea, a voter never told, no announcement.
        s.propose("s4", by: "brand", at: "2026-03-01T00:00:00Z")
        s.vote("s4", "m6", at: "2026-03-02T00:00:00Z")
        s.status("s4", "shipped", at: "2026-03-08T00:00:00Z")
        // s5: shipped, never announced; an announcement of another idea names its author.
        s.propose("s5", by: "a5", at: "2026-03-01T00:00:00Z")
        s.status("s5", "shipped", at: "2026-03-09T00:00:00Z")
        announce(&s, "A5", at: "2026-03-20T00:00:00Z", ideas: ["s3b"], notified: ["a5", "m3"])
        // s6: shipped, then reopened: not shipped.
        s.propose("s6", by: "a6", at: "2026-03-01T00:00:00Z")
        s.status("s6", "shipped", at: "2026-03-02T00:00:00Z")
        s.status("s6", "in_progress", at: "2026-03-03T00:00:00Z")
        // s7: shipped twice; the latest counts; announced half a day later to nobody.
        s.propose("s7", by: "a7", at: "2026-03-01T00:00:00Z")
        s.status("s7", "shipped", at: "2026-03-02T00:00:00Z")
        s.status("s7", "in_progress", at: "2026-03-03T00:00:00Z")
        s.status("s7", "shipped", at: "2026-03-06T00:00:00Z")
        announce(&s, "A7", at: "2026-03-06T12:00:00Z", ideas: ["s7"], notified: [])
        return s
    }

    @Test func closingTheLoop() throws {
        let s = Self.shipped
        let json = try s.product(asOf: Self.asOf).loop(s.query(Self.asOf))
        #expect(json["shipped"] == 6)
        #expect(json["closed"] == 2)
        #expect(json["closure_rate"] == .double(2.0 / 6))
        // Days: s3 0, s7 0.5, s2 1, s1 2.5: the median of four is the second.
        #expect(json["median_days_to_announce"] == .double(0.5))
        #expect(json["open_loops"] == [
            ["idea": "s7", "shipped_at": "2026-03-06T00:00:00Z", "owed": ["a7"]],
            ["idea": "s4", "shipped_at": "2026-03-08T00:00:00Z", "owed": ["m6"]],
            ["idea": "s5", "shipped_at": "2026-03-09T00:00:00Z", "owed": ["a5"]],
            ["idea": "s2", "shipped_at": "2026-03-10T00:00:00Z", "owed": ["m3"]],
        ])
    }

    @Test func loopAsOfAnEarlierInstant() throws {
        let s = Self.shipped
        let t = "2026-03-11T00:00:00Z"
        let json = try s.product(asOf: t).loop(s.query(t))
        // s1 is not yet announced; s2's announcement lands exactly at T.
        #expect(json["closed"] == 1)
        #expect(json["median_days_to_announce"] == .double(0.5)) // s3 0, s7 0.5, s2 1
        #expect(json["open_loops"]?.arrayValue?.map { $0["idea"]!.stringValue! } == ["s7", "s4", "s5", "s1", "s2"])
        #expect(json["open_loops"]?.arrayValue?[3]["owed"] == ["a1", "m1", "m2"])
    }

    @Test func noShippedIdeas() throws {
        var s = EventScript()
        s.propose("i", by: "a", at: "2026-03-01T00:00:00Z")
        let json = try s.product(asOf: Self.asOf).loop(s.query(Self.asOf))
        #expect(json == ["shipped": 0, "closed": 0, "closure_rate": nil, "median_days_to_announce": nil, "open_loops": []])
    }
}
