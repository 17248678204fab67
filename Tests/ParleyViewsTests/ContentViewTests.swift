import ParleyModel
import Testing
@testable import ParleyViews

@Suite struct ContentViewTests {
    static let asOf = "2026-03-31T00:00:00Z"
    static let tokyo: JSONObject = ["content": ["timezone": "Asia/Tokyo", "stop_words": ["Free", "guarantee"]]]

    /// Five brand posts and one member post in the window; Tokyo is UTC+9.
    static var log: EventScript {
        var s = EventScript()
        func post(_ id: String, _ time: String, _ author: String, _ kind: String, _ extra: JSONObject = [:]) {
            var data: JSONObject = ["post": .string(id), "author": .string(author), "kind": .string(kind)]
            data.merge(extra) { $1 }
            s.add("post.published", time, data)
        }
        post("b0", "2026-02-20T00:00:00Z", "brand", "engaging")
        post("bx", "2026-03-01T00:00:00Z", "brand", "engaging") // exactly `from`: outside
        post("b1", "2026-03-10T14:00:00Z", "brand", "engaging", ["next_step": "poll"]) // Tokyo 03-10 23:00
        post("b2", "2026-03-10T15:00:00Z", "brand", "educational", ["format": "video", "captions": false]) // Tokyo 03-11
        post("b3", "2026-03-10T16:00:00Z", "brand", "promotional", ["ad_label": false])
        post("b4", "2026-03-10T20:00:00Z", "brand", "engaging", ["next_step": "none"])
        post("b5", "2026-03-11T10:00:00Z", "brand", "promotional",
             ["ad_label": true, "format": "video", "captions": true, "next_step": "form"])
        post("u1", "2026-03-12T00:00:00Z", "m0", "engaging") // Tokyo 09h
        // Later posts with taken ids are ignored, in the window or not.
        post("b1", "2026-03-20T00:00:00Z", "brand", "promotional", ["format": "video"])
        post("b0", "2026-03-15T00:00:00Z", "brand", "promotional")
        // Engagement and contributions (Tokyo hours in comments).
        s.add("reaction.added", "2026-03-12T01:00:00Z", ["target": "u1", "member": "m1"]) // 10h
        s.add("reaction.added", "2026-03-12T02:00:00Z", ["target": "u1", "member": "brand"])
        s.add("comment.posted", "2026-03-12T01:30:00Z", ["comment": "c1", "post": "u1", "author": "m2"]) // 10h
        s.add("post.shared", "2026-03-13T05:00:00Z", ["post": "b3", "member": "m3"]) // 14h
        s.add("poll.voted", "2026-03-13T05:10:00Z", ["post": "b3", "member": "m4", "option": "a"]) // 14h
        s.add("post.saved", "2026-03-13T06:00:00Z", ["post": "b3", "member": "m4"])
        s.add("reaction.removed", "2026-03-13T07:00:00Z", ["target": "b3", "member": "m4"])
        s.add("comment.posted", "2026-03-05T01:00:00Z", ["comment": "c2", "post": "b1", "author": "m5"]) // 10h, before b1
        s.add("reaction.added", "2026-03-14T00:00:00Z", ["target": "c9", "member": "m1"]) // 09h
        s.add("idea.voted", "2026-03-20T05:20:00Z", ["idea": "i1", "member": "m6"]) // 14h
        s.add("idea.proposed", "2026-03-20T05:30:00Z", ["idea": "i2", "author": "brand", "title": "t"])
        return s
    }

    @Test func mixInTokyo() throws {
        let s = Self.log
        let json = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf, policy: Self.tokyo))
        #expect(json["from"] == "2026-03-01T00:00:00Z")
        #expect(json["to"] == "2026-03-31T00:00:00Z")
        #expect(json["posts"] == 6)
        #expect(json["brand_posts"] == 5)
        let third = 2.0 / 6, sixth = 1.0 / 6
        let mix: JSONValue = ["engaging": .double(third), "ugc": .double(sixth), "educational": .double(sixth), "promotional": .double(third)]
        #expect(json["mix"] == mix)
        #expect(json["target"] == ["engaging": 0.4, "ugc": 0.3, "educational": 0.25, "promotional": 0.05])
        let deviation: JSONValue = [
            "engaging": .double((third - 0.4) * 100), "ugc": .double((sixth - 0.3) * 100),
            "educational": .double((sixth - 0.25) * 100), "promotional": .double((third - 0.05) * 100),
        ]
        #expect(json["deviation_pp"] == deviation)
        #expect(json["next_step_share"] == .double(0.4))
        #expect(json["days_over_limit"] == [["date": "2026-03-11", "posts": 4]])
        #expect(json["unlabeled_promotions"] == ["b3"])
        #expect(json["videos_without_captions"] == ["b2"])
        #expect(json["top_posts"] == [
            ["post": "b3", "engagement": 3], ["post": "u1", "engagement": 3], ["post": "b1", "engagement": 1],
            ["post": "b2", "engagement": 0], ["post": "b4", "engagement": 0], ["post": "b5", "engagement": 0],
        ])
        // 10h and 14h hold three contributions each: the earlier wins.
        #expect(json["best_hour"] == 10)
    }

    @Test func mixInUTCDatesAndHoursDiffer() throws {
        let s = Self.log
        let json = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf))
        #expect(json["days_over_limit"] == [["date": "2026-03-10", "posts": 4]])
        #expect(json["best_hour"] == 1)
    }

    @Test func explicitWindowAndDefaultFrom() throws {
        let s = Self.log
        let json = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf, to: "2026-03-10T20:00:00Z"))
        #expect(json["from"] == "2026-02-08T20:00:00Z")
        #expect(json["posts"] == 6) // b0, bx, b1…b4
        let narrow = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf, from: "2026-03-10T14:00:00Z", to: "2026-03-10T16:00:00Z"))
        #expect(narrow["posts"] == 2) // b2, b3
        #expect(narrow["best_hour"] == .null)
    }

    @Test func noPostsGiveNulls() throws {
        let s = EventScript()
        let json = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf))
        #expect(json["posts"] == 0)
        #expect(json["mix"] == ["engaging": nil, "ugc": nil, "educational": nil, "promotional": nil])
        #expect(json["deviation_pp"] == ["engaging": nil, "ugc": nil, "educational": nil, "promotional": nil])
        #expect(json["next_step_share"] == .null)
        #expect(json["best_hour"] == .null)
        #expect(json["top_posts"] == [])
        #expect(json["days_over_limit"] == [])
    }

    @Test func topPostsKeepsTen() throws {
        var s = EventScript()
        for i in 0..<11 {
            s.add("post.published", "2026-03-02T00:00:00Z", ["post": .string("p\(i)"), "author": "m", "kind": "ugc"])
        }
        s.add("post.saved", "2026-03-03T00:00:00Z", ["post": "p9", "member": "m"])
        let json = try s.content(asOf: Self.asOf).mix(s.query(Self.asOf))
        let ids = json["top_posts"]!.arrayValue!.map { $0["post"]!.stringValue! }
        #expect(ids == ["p9", "p0", "p1", "p10", "p2", "p3", "p4", "p5", "p6", "p7"])
        #expect(json["mix"]?["ugc"] == 1)
        #expect(json["next_step_share"] == .null)
    }

    static func names(_ json: JSONValue) -> [String] { json["checks"]!.arrayValue!.map { $0["name"]!.stringValue! } }
    static func verdicts(_ json: JSONValue) -> [Bool] { json["checks"]!.arrayValue!.map { $0["ok"]!.boolValue! } }
    static let checkNames = ["next_step", "ad_label", "captions", "utm", "stop_words", "daily_limit"]

    @Test func draftPassingEveryCheck() throws {
        let s = Self.log
        let draft: JSONValue = [
            "post": "d1", "kind": "promotional", "ad_label": true, "format": "video", "captions": true, "next_step": "form",
            "links": ["https://x.example/a?utm_source=", "https://x.example/b?x=1&utm_source=nl#f"], "text": "Learn more",
        ]
        // Bare data is timed at T: Tokyo 2026-03-31, with no brand posts yet.
        let json = try s.content(asOf: Self.asOf).check(draft: draft, s.query(Self.asOf, policy: Self.tokyo))
        #expect(json["ok"] == true)
        #expect(Self.names(json) == Self.checkNames)
        #expect(Self.verdicts(json) == [true, true, true, true, true, true])
    }

    @Test func draftFailingEveryCheck() throws {
        let s = Self.log
        let draft: JSONValue = [
            "type": "post.published", "time": "2026-03-11T12:00:00+09:00",
            "data": [
                "post": "d2", "kind": "promotional", "format": "video",
                "links": ["https://x.example/?a=1", "https://x.example/#utm_source=1", "https://x.example/?utm_source=1"],
                "text": "Totally FREE stuff",
            ],
        ]
        let json = try s.content(asOf: Self.asOf).check(draft: draft, s.query(Self.asOf, policy: Self.tokyo))
        #expect(json["ok"] == false)
        #expect(Self.names(json) == Self.checkNames)
        #expect(Self.verdicts(json) == [false, false, false, false, false, false])
    }

    @Test func nonPromotionalTextlessLinklessDraftPassesThoseChecks() throws {
        let s = Self.log
        let json = try s.content(asOf: Self.asOf).check(draft: ["post": "d3", "kind": "engaging", "format": "image", "author": "m1"],
                                                         s.query(Self.asOf, policy: Self.tokyo))
        // Only next_step fails; a member's draft passes the daily limit.
        #expect(Self.verdicts(json) == [false, true, true, true, true, true])
    }

    @Test func dailyLimitLeavesOutTheDraftsOwnPost() throws {
        let s = Self.log
        let q = s.query(Self.asOf, policy: ["content": ["timezone": "Asia/Tokyo", "max_brand_posts_per_day": 1]])
        let view = s.content(asOf: Self.asOf)
        func limit(_ post: String, _ time: String, author: String? = nil) throws -> Bool {
            var data: JSONObject = ["post": .string(post), "kind": "engaging"]
            if let author { data["author"] = .string(author) }
            let json = try view.check(draft: ["type": "post.published", "time": .string(time), "data": .object(data)], q)
            return json["checks"]!.arrayValue![5]["ok"]!.boolValue!
        }
        // Tokyo 2026-03-10 holds only b1 (its UTC date also holds b2…b4).
        #expect(try limit("n1", "2026-03-10T14:30:00Z") == false)
        #expect(try limit("b1", "2026-03-10T14:30:00Z") == true)
        #expect(try limit("n1", "2026-03-09T15:00:00Z") == false) // Tokyo 03-10 00:00
        #expect(try limit("n1", "2026-03-09T14:59:59Z") == true) // Tokyo 03-09 23:59:59
        #expect(try limit("n1", "2026-03-11T00:00:00Z", author: "m1") == true)
    }

    @Test func malformedDraftsNameTheField() {
        let s = Self.log
        let view = s.content(asOf: Self.asOf)
        let q = s.query(Self.asOf)
        func parameter(_ draft: JSONValue) -> String? {
            do { _ = try view.check(draft: draft, q) } catch { return error.parameter }
            return nil
        }
        #expect(parameter(["type": "comment.posted", "data": ["post": "p", "kind": "ugc"]]) == "draft.type")
        #expect(parameter(["kind": "engaging"]) == "draft.post")
        #expect(parameter(["type": "post.published", "data": ["post": "p"]]) == "draft.data.kind")
        #expect(parameter(["post": "p", "kind": "news"]) == "draft.kind")
        #expect(parameter(["type": "post.published", "time": "yesterday", "data": ["post": "p", "kind": "ugc"]]) == "draft.time")
        #expect(parameter("draft") == "draft")
    }
}
