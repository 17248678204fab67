import ParleyModel
import Testing
@testable import ParleyViews

@Suite struct ProductViewTests {
    static let asOf = "2026-03-31T00:00:00Z"

    static var backlog: EventScript {
        var s = EventScript()
        func estimate(_ idea: String, _ impact: Int64, _ cost: Int64, _ time: String) {
            s.add("idea.estimated", time, ["idea": .string(idea), "impact": .int(impact), "cost": .int(cost)])
        }
        s.propose("q1", by: "a1", at: "2026-03-01T00:00:00Z")
        estimate("q1", 5, 1, "2026-03-02T00:00:00Z")
        estimate("q1", 3, 2, "2026-03-03T00:00:00Z") // the latest wins: quick_win at the thresholds
        s.status("q1", "planned", at: "2026-03-04T00:00:00Z")
        s.vote("q1", "m1", at: "2026-03-02T00:00:00Z")
        s.vote("q1", "m2", at: "2026-03-02T00:00:00Z")
        s.propose("q2", by: "a2", at: "2026-03-01T00:00:00Z")
        estimate("q2", 3, 3, "2026-03-02T00:00:00Z")
        s.vote("q2", "m3", at: "2026-03-02T00:00:00Z")
        s.vote("q2", "m4", at: "2026-03-02T00:00:00Z")
        s.vote("q2", "brand", at: "2026-03-02T00:00:00Z")
        s.propose("q3", by: "a3", at: "2026-03-02T00:00:00Z")
        estimate("q3", 2, 2, "2026-03-03T00:00:00Z")
        s.status("q3", "under_review", at: "2026-03-04T00:00:00Z")
        s.vote("q3", "m1", at: "2026-03-03T00:00:00Z")
        s.vote("q3", "m1", at: "2026-03-04T00:00:00Z", unvote: true)
        s.vote("q3", "m1", at: "2026-03-05T00:00:00Z")
        s.vote("q3", "m2", at: "2026-03-03T00:00:00Z")
        s.vote("q3", "m2", at: "2026-03-04T00:00:00Z", unvote: true)
        s.propose("q4", by: "a4", at: "2026-03-02T00:00:00Z")
        estimate("q4", 2, 3, "2026-03-03T00:00:00Z")
        s.status("q4", "in_progress", at: "2026-03-04T00:00:00Z")
        s.propose("q5", by: "a5", at: "2026-03-03T00:00:00Z")
        s.status("q5", "shipped", at: "2026-03-04T00:00:00Z")
        s.propose("q6", by: "a6", at: "2026-03-04T00:00:00Z")
        estimate("q6", 5, 5, "2026-03-05T00:00:00Z")
        s.status("q6", "declined", at: "2026-03-06T00:00:00Z")
        // A chain q8 → q7 → q1 whose voters overlap q1's.
        s.propose("q7", by: "a7", at: "2026-03-05T00:00:00Z")
        s.vote("q7", "m5", at: "2026-03-05T00:00:00Z")
        s.vote("q7", "m1", at: "2026-03-05T00:00:00Z")
        s.propose("q8", by: "a8", at: "2026-03-06T00:00:00Z")
        s.vote("q8", "m6", at: "2026-03-06T00:00:00Z")
        s.merge("q8", into: "q7", at: "2026-03-07T00:00:00Z")
        s.merge("q7", into: "q1", at: "2026-03-08T00:00:00Z")
        // Into an idea not yet proposed: ignored.
        s.propose("z1", by: "a9", at: "2026-03-01T12:00:00Z")
        s.vote("z1", "m7", at: "2026-03-02T00:00:00Z")
        s.merge("z1", into: "q9", at: "2026-03-09T00:00:00Z")
        s.propose("q9", by: "a9", at: "2026-03-10T00:00:00Z")
        // A cycle: c2 → c1 would close c1 → c2; ignored. Merging into oneself too.
        s.propose("c1", by: "a10", at: "2026-03-11T00:00:00Z")
        s.propose("c2", by: "a11", at: "2026-03-11T01:00:00Z")
        s.vote("c1", "m8", at: "2026-03-11T00:00:00Z")
        s.vote("c2", "m9", at: "2026-03-11T02:00:00Z")
        s.merge("c1", into: "c2", at: "2026-03-12T00:00:00Z")
        s.merge("c2", into: "c1", at: "2026-03-13T00:00:00Z")
        s.merge("q4", into: "q4", at: "2026-03-14T00:00:00Z")
        return s
    }

    @Test func ideasOrderMergesVotesAndQuadrants() throws {
        let s = Self.backlog
        let json = try s.product(asOf: Self.asOf).ideas(s.query(Self.asOf))
        let rows = json["ideas"]!.arrayValue!
        #expect(rows.map { $0["idea"]!.stringValue! } == ["q1", "q2", "c2", "z1", "q3", "q4", "q5", "q6", "q9"])
        #expect(rows.map { $0["votes"]!.intValue! } == [4, 2, 2, 1, 1, 0, 0, 0, 0])
        #expect(rows.map { $0["quadrant"]!.stringValue! } == [
            "quick_win", "major_project", "unestimated", "unestimated", "fill_in", "thankless", "unestimated", "major_project", "unestimated",
        ])
        #expect(rows[0] == ["idea": "q1", "title": "Title of q1", "author": "a1", "status": "planned", "votes": 4,
                            "impact": 3, "cost": 2, "quadrant": "quick_win", "proposed": "2026-03-01T00:00:00Z"])
        #expect(rows[2]["impact"] == .null)
        #expect(rows[6]["status"] == "shipped")
    }

    @Test func matrixListsIdeasStillToBuild() throws {
        let s = Self.backlog
        let json = try s.product(asOf: Self.asOf).matrix(s.query(Self.asOf))
        #expect(json == ["quick_win": ["q1"], "major_project": ["q2"], "fill_in": ["q3"], "thankless": ["q4"], "unestimated": ["c2", "z1", "q9"]])
        let strict = try s.product(asOf: Self.asOf).matrix(s.query(Self.asOf, policy: ["product": ["impact_high": 5, "cost_low": 3]]))
        #expect(strict == ["quick_win": [], "major_project": [], "fill_in": ["q1", "q2", "q3", "q4"], "thankless": [], "unestimated": ["c2", "z1", "q9"]])
    }

    @Test func laterMergeReplacesEarlierAndUnlocksAnother() throws {
        var s = EventScript()
        for (i, idea) in ["r1", "r2", "r3"].enumerated() {
            s.propose(idea, by: "a\(i)", at: "2026-03-01T00:00:00Z")
            s.vote(idea, "m\(i)", at: "2026-03-02T00:00:00Z")
        }
        s.merge("r1", into: "r2", at: "2026-03-03T00:00:00Z")
        s.merge("r2", into: "r1", at: "2026-03-04T00:00:00Z") // cycle: ignored
        s.merge("r1", into: "r3", at: "2026-03-05T00:00:00Z") // replaces r1 → r2
        s.merge("r2", into: "r1", at: "2026-03-06T00:00:00Z") // now r2 → r1 → r3
        s.merge("x", into: "r3", at: "2026-03-06T00:00:00Z") // x never proposed: ignored
        s.vote("x", "m9", at: "2026-03-06T00:00:00Z")
        let json = try s.product(asOf: Self.asOf).ideas(s.query(Self.asOf))
        #expect(json == ["ideas": [["idea": "r3", "title": "Title of r3", "author": "a2", "status": "open", "votes": 3,
                                    "impact": nil, "cost": nil, "quadrant": "unestimated", "proposed": "2026-03-01T00:00:00Z"]]])
        // As of the 5th, r2 still stands alone, and r1 ends in r3.
        let before = try s.product(asOf: "2026-03-05T00:00:00Z").ideas(s.query("2026-03-05T00:00:00Z"))
        #expect(before["ideas"]!.arrayValue!.map { $0["idea"]!.stringValue! } == ["r3", "r2"])
    }

    @Test func backfilledEventsAreOrderedByTime() throws {
        var s = EventScript()
        s.propose("b1", by: "a", at: "2026-02-10T00:00:00Z")
        s.vote("b1", "m1", at: "2026-03-08T00:00:00Z")
        s.vote("b1", "m2", at: "2026-03-08T00:00:00Z")
        s.vote("b1", "m2", at: "2026-03-08T00:00:00Z", unvote: true) // same time, later position: counts as latest
        let before = try s.product(asOf: Self.asOf).proposals(s.query(Self.asOf))
        #expect(before == ["months": [["month": "2026-02", "proposed": 1, "valid": 1]]])
        // Appended later, timed earlier: an unvote before the vote, and a decline in the past.
        s.vote("b1", "m1", at: "2026-03-07T00:00:00Z", unvote: true)
        s.status("b1", "declined", at: "2026-02-20T00:00:00Z")
        let ideas = try s.product(asOf: Self.asOf).ideas(s.query(Self.asOf))
        #expect(ideas["ideas"]?.arrayValue?.first?["votes"] == 1)
        #expect(ideas["ideas"]?.arrayValue?.first?["status"] == "declined")
        let after = try s.product(asOf: Self.asOf).proposals(s.query(Self.asOf))
        #expect(after == ["months": [["month": "2026-02", "proposed": 1, "valid": 0]]])
    }

    @Test func proposalsByLocalMonth() throws {
        var s = EventScript()
        s.propose("p1", by: "a", at: "2026-03-01T05:00:00Z") // Los Angeles: Feb 28, 21:00
        s.propose("p2", by: "a", at: "2026-03-01T09:00:00Z") // Mar 1
        s.propose("p3", by: "a", at: "2026-04-01T06:59:59Z") // Mar 31, 23:59:59 PDT
        s.propose("p4", by: "a", at: "2026-04-01T07:00:00Z") // Apr 1
        s.propose("p5", by: "a", at: "2026-03-15T00:00:00Z")
        s.merge("p5", into: "p2", at: "2026-03-16T00:00:00Z")
        s.status("p3", "declined", at: "2026-04-02T00:00:00Z")
        s.propose("p1", by: "b", at: "2026-04-02T00:00:00Z") // not a new idea
        let t = "2026-04-30T00:00:00Z"
        let la = try s.product(asOf: t).proposals(s.query(t, policy: ["product": ["timezone": "America/Los_Angeles"]]))
        #expect(la == ["months": [
            ["month": "2026-02", "proposed": 1, "valid": 1],
            ["month": "2026-03", "proposed": 3, "valid": 1],
            ["month": "2026-04", "proposed": 1, "valid": 1],
        ]])
        let utc = try s.product(asOf: t).proposals(s.query(t))
        #expect(utc == ["months": [["month": "2026-03", "proposed": 3, "valid": 2], ["month": "2026-04", "proposed": 2, "valid": 1]]])
        let none = try EventScript().product(asOf: t).proposals(s.query(t))
        #expect(none == ["months": []])
    }
}
