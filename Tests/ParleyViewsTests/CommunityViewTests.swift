import ParleyModel
import Testing
@testable import ParleyViews

@Suite struct CommunityViewTests {
    static let asOf = "2026-03-31T00:00:00Z"

    /// Eight members covering every role and the window edge, plus the brand acting everywhere.
    static var roster: EventScript {
        var s = EventScript()
        for m in ["m-mod", "m-exp", "m-rev", "m-act", "m-dor"] { s.add("member.joined", "2026-01-01T00:00:00Z", ["member": .string(m)]) }
        s.add("member.role_assigned", "2026-01-02T00:00:00Z", ["member": "m-mod", "role": "moderator"])
        s.add("post.published", "2026-03-10T00:00:00Z", ["post": "p1", "author": "m-mod", "kind": "ugc"])
        s.add("comment.posted", "2026-03-11T00:00:00Z", ["comment": "c1", "post": "p1", "author": "m-mod"])
        s.add("reaction.added", "2026-03-12T00:00:00Z", ["target": "p1", "member": "m-mod"])
        // Expert: assigned, revoked, assigned again.
        s.add("member.role_assigned", "2026-01-02T00:00:00Z", ["member": "m-exp", "role": "expert"])
        s.add("member.role_revoked", "2026-02-01T00:00:00Z", ["member": "m-exp", "role": "expert"])
        s.add("member.role_assigned", "2026-02-15T00:00:00Z", ["member": "m-exp", "role": "expert"])
        // A moderator no more: falls through to regular.
        s.add("member.role_assigned", "2026-01-02T00:00:00Z", ["member": "m-rev", "role": "moderator"])
        s.add("member.role_revoked", "2026-03-01T00:00:00Z", ["member": "m-rev", "role": "moderator"])
        s.add("post.shared", "2026-03-05T00:00:00Z", ["post": "p1", "member": "m-rev"])
        // A newcomer with enough contributions to be an activist; the second exactly 7 days later.
        s.add("idea.proposed", "2026-03-20T10:00:00Z", ["idea": "i1", "author": "m-new", "title": "t"])
        s.add("idea.voted", "2026-03-27T10:00:00Z", ["idea": "i1", "member": "m-new"])
        s.add("post.published", "2026-03-15T00:00:00Z", ["post": "p2", "author": "m-act", "kind": "ugc"])
        s.add("poll.voted", "2026-03-16T00:00:00Z", ["post": "p2", "member": "m-act", "option": "a"])
        // Exactly T − 30 days: outside the window.
        s.add("post.published", "2026-03-01T00:00:00Z", ["post": "p3", "author": "m-dor", "kind": "ugc"])
        // Revoked before assigned: known from the assignment only.
        s.add("member.role_revoked", "2026-01-05T00:00:00Z", ["member": "m-ra", "role": "moderator"])
        s.add("member.role_assigned", "2026-01-06T00:00:00Z", ["member": "m-ra", "role": "moderator"])
        // Exactly T − 14 days: not a newcomer.
        s.add("member.joined", "2026-03-17T00:00:00Z", ["member": "m-edge"])
        // The brand is never a member, whatever it does.
        s.add("member.role_assigned", "2026-03-02T00:00:00Z", ["member": "brand", "role": "moderator"])
        s.add("post.published", "2026-03-20T00:00:00Z", ["post": "p4", "author": "brand", "kind": "engaging"])
        s.add("reaction.added", "2026-03-20T00:00:00Z", ["target": "p1", "member": "brand"])
        // Flags: two spam and one toxic inside, one spam on the edge.
        s.add("moderation.flagged", "2026-03-01T00:00:00Z", ["target": "p1", "member": "m-mod", "reason": "spam"])
        s.add("moderation.flagged", "2026-03-02T00:00:00Z", ["target": "p1", "member": "m-mod", "reason": "spam"])
        s.add("moderation.flagged", "2026-03-03T00:00:00Z", ["target": "p1", "member": "m-mod", "reason": "spam"])
        s.add("moderation.flagged", "2026-03-30T23:59:59Z", ["target": "p1", "member": "m-act", "reason": "toxic"])
        return s
    }

    static let policy: JSONObject = ["community": ["activist_min": 2]]

    @Test func summaryRolesReturnUGCAndFlags() throws {
        let s = Self.roster
        let json = try s.community(asOf: Self.asOf).summary(s.query(Self.asOf, policy: Self.policy))
        #expect(json["members"] == 8)
        #expect(json["active"] == 4)
        #expect(json["roles"] == ["moderator": 2, "expert": 1, "newcomer": 1, "activist": 1, "regular": 1, "dormant": 2])
        #expect(json["core_share"] == .double(0.25))
        #expect(json["d7_return"] == .double(5.0 / 8))
        #expect(json["d30_return"] == .double(4.0 / 6))
        #expect(json["ugc"] == 2)
        #expect(json["flags"] == ["total": 3, "toxic": 1, "spam": 2, "offtopic": 0, "rate_limit": 0, "stop_word": 0])
        #expect(json["as_of"] == "2026-03-31T00:00:00Z")
    }

    @Test func membersListedBytewiseWithWindowCounts() throws {
        let s = Self.roster
        let json = try s.community(asOf: Self.asOf).members(s.query(Self.asOf, policy: Self.policy))
        let rows = json["members"]!.arrayValue!
        #expect(rows.map { $0["member"]!.stringValue! } == ["m-act", "m-dor", "m-edge", "m-exp", "m-mod", "m-new", "m-ra", "m-rev"])
        #expect(rows[1] == ["member": "m-dor", "first_seen": "2026-01-01T00:00:00Z", "role": "dormant",
                            "contributions": 0, "last_active": "2026-03-01T00:00:00Z"])
        #expect(rows[4] == ["member": "m-mod", "first_seen": "2026-01-01T00:00:00Z", "role": "moderator",
                            "contributions": 3, "last_active": "2026-03-12T00:00:00Z"])
        #expect(rows[5] == ["member": "m-new", "first_seen": "2026-03-20T10:00:00Z", "role": "newcomer",
                            "contributions": 2, "last_active": "2026-03-27T10:00:00Z"])
        #expect(rows[6] == ["member": "m-ra", "first_seen": "2026-01-06T00:00:00Z", "role": "moderator",
                            "contributions": 0, "last_active": nil])
        #expect(rows[2]["role"] == "dormant")
        #expect(rows[3]["role"] == "expert")
        #expect(rows[7]["role"] == "regular")
    }

    @Test func returnBoundaries() throws {
        var s = EventScript()
        let t = "2026-03-31T00:00:00Z"
        // first_seen exactly T − 7 days qualifies; its contribution exactly at first_seen + 7 days (= T) counts.
        s.add("member.joined", "2026-03-24T00:00:00Z", ["member": "a"])
        s.add("comment.posted", t, ["comment": "c", "post": "p", "author": "a"])
        // One microsecond too late to qualify.
        s.add("member.joined", "2026-03-24T00:00:00.000001Z", ["member": "b"])
        // Qualifies; its only later contribution is a microsecond short of 7 days.
        s.add("member.joined", "2026-03-21T00:00:00Z", ["member": "c"])
        s.add("post.shared", "2026-03-27T23:59:59.999999Z", ["post": "p", "member": "c"])
        let json = try s.community(asOf: t).summary(s.query(t))
        #expect(json["members"] == 3)
        #expect(json["d7_return"] == .double(0.5))
        #expect(json["d30_return"] == .null)
        #expect(json["roles"]?["newcomer"] == 3)
    }

    @Test func emptyCommunityHasNullRatios() throws {
        let s = EventScript()
        let json = try s.community(asOf: Self.asOf).summary(s.query(Self.asOf))
        #expect(json["members"] == 0)
        #expect(json["core_share"] == .null)
        #expect(json["d7_return"] == .null)
        #expect(json["flags"]?["total"] == 0)
    }

    /// New York: EST until 2026-03-08, EDT after; W10 runs [03-02T05:00Z, 03-09T04:00Z).
    static var week10: EventScript {
        var s = EventScript()
        s.add("post.published", "2026-03-02T04:59:59Z", ["post": "p0", "author": "a", "kind": "ugc"])
        s.add("comment.posted", "2026-03-02T05:00:00Z", ["comment": "c1", "post": "p0", "author": "a"])
        s.add("idea.proposed", "2026-03-09T03:59:59Z", ["idea": "i1", "author": "b", "title": "t"])
        s.add("post.published", "2026-03-09T04:00:00Z", ["post": "p1", "author": "b", "kind": "ugc"])
        s.add("reaction.added", "2026-03-05T12:00:00Z", ["target": "p0", "member": "c"])
        s.add("poll.voted", "2026-03-05T12:00:00Z", ["post": "p0", "member": "c", "option": "x"])
        s.add("comment.posted", "2026-03-04T12:00:00Z", ["comment": "c2", "post": "p0", "author": "d"])
        s.add("post.published", "2026-03-04T12:00:00Z", ["post": "p2", "author": "brand", "kind": "engaging"])
        return s
    }

    static let newYork: JSONObject = ["community": ["timezone": "America/New_York", "hero_weights": ["other": 0.5]]]

    @Test func heroesOfAnExplicitWeekInAZone() throws {
        let s = Self.week10
        let json = try s.community(asOf: Self.asOf).heroes(s.query(Self.asOf, week: "2026-W10", policy: Self.newYork))
        #expect(json == ["week": "2026-W10", "heroes": [
            ["member": "b", "score": 3], ["member": "a", "score": 2], ["member": "d", "score": 2], ["member": "c", "score": 1],
        ]])
    }

    @Test func heroesDefaultWeekIsTheLocalWeekHoldingT() throws {
        let s = Self.week10
        // Sunday 23:30 in New York, Monday in UTC: still W10 there; b's idea comes after T.
        let t = "2026-03-09T03:30:00Z"
        let json = try s.community(asOf: t).heroes(s.query(t, policy: Self.newYork))
        #expect(json == ["week": "2026-W10", "heroes": [["member": "a", "score": 2], ["member": "d", "score": 2], ["member": "c", "score": 1]]])
        // The same instant in UTC is W11, where nobody has contributed yet.
        let utc = try s.community(asOf: t).heroes(s.query(t))
        #expect(utc == ["week": "2026-W11", "heroes": []])
    }

    @Test func heroesTopTenOnly() throws {
        var s = EventScript()
        for i in 0..<12 {
            s.add("comment.posted", "2026-03-03T12:00:00Z", ["comment": .string("c\(i)"), "post": "p", "author": .string("m\(i)")])
        }
        s.add("post.published", "2026-03-04T12:00:00Z", ["post": "p", "author": "m7", "kind": "ugc"])
        let json = try s.community(asOf: Self.asOf).heroes(s.query(Self.asOf, week: "2026-W10"))
        let names = json["heroes"]!.arrayValue!.map { $0["member"]!.stringValue! }
        #expect(names == ["m7", "m0", "m1", "m10", "m11", "m2", "m3", "m4", "m5", "m6"])
        #expect(json["heroes"]?.arrayValue?.first?["score"] == 5)
    }

    @Test(arguments: ["2026-W54", "2026-10", "W10", "2026-W00", "2025-W53", "2026-w10", "26-W10", "2026-W1"])
    func malformedWeekIsRefused(_ week: String) {
        let s = EventScript()
        #expect(throws: ViewQueryError.self) { try s.community(asOf: Self.asOf).heroes(s.query(Self.asOf, week: week)) }
        do {
            _ = try s.community(asOf: Self.asOf).heroes(s.query(Self.asOf, week: week))
        } catch {
            #expect(error.parameter == "week")
        }
    }

    @Test func week53InAYearThatHasIt() throws {
        var s = EventScript()
        s.add("comment.posted", "2026-12-28T00:00:00Z", ["comment": "c", "post": "p", "author": "m"])
        s.add("comment.posted", "2027-01-04T00:00:00Z", ["comment": "c2", "post": "p", "author": "m"])
        let t = "2027-02-01T00:00:00Z"
        let json = try s.community(asOf: t).heroes(s.query(t, week: "2026-W53"))
        #expect(json == ["week": "2026-W53", "heroes": [["member": "m", "score": 2]]])
        #expect(ISOWeek(holding: Instant.daysFromCivil(year: 2027, month: 1, day: 3)).text == "2026-W53")
    }
}
