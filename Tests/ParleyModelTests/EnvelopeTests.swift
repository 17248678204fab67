import Testing
@testable import ParleyModel

@Suite struct EnvelopeTests {
    func event(_ text: String) throws -> NewEvent { try NewEvent(json: JSONParser.parse(text)) }

    func field(of text: String) -> String? {
        do {
            _ = try event(text)
            return nil
        } catch let error as EventValidationError {
            return error.field
        } catch {
            return "not a validation error: \(error)"
        }
    }

    @Test func readsAFullEnvelope() throws {
        let e = try event(#"{"id": "gh:1", "stream": "ticket:gh-42", "type": "ticket.replied", "time": "2026-03-02T10:15:00+01:00", "source": "github", "expected_version": 3, "data": {"ticket": "gh-42", "by": "octocat", "staff": true}, "meta": {"correlation": "gh-42"}}"#)
        #expect(e.id == "gh:1")
        #expect(e.category == "ticket")
        #expect(e.time.rfc3339 == "2026-03-02T09:15:00Z")
        #expect(e.expectedVersion == 3)
        #expect(e.meta["correlation"] == "gh-42")
    }

    @Test func defaultsAndIgnoredLogFields() throws {
        let e = try event(#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "position": 9, "version": 2, "recorded": "x", "hash": "y", "meta": null}"#)
        #expect(e.source == "api")
        #expect(e.id == nil)
        #expect(e.meta.isEmpty)
    }

    @Test(arguments: [
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "extra": 1}"#, "extra"),
        (#"{"type": "x", "time": "2026-03-02T10:15:00Z", "data": {}}"#, "stream"),
        (#"{"stream": "", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}}"#, "stream"),
        (#"{"stream": "a\u0085b", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}}"#, "stream"),
        (#"{"stream": "s", "type": "X", "time": "2026-03-02T10:15:00Z", "data": {}}"#, "type"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02 10:15", "data": {}}"#, "time"),
        (#"{"stream": "s", "type": "x", "time": "9999-12-31T23:30:00-01:00", "data": {}}"#, "time"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": []}"#, "data"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z"}"#, "data"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "meta": 1}"#, "meta"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "source": "GitHub"}"#, "source"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "expected_version": -1}"#, "expected_version"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "expected_version": 1.5}"#, "expected_version"),
        (#"{"stream": "s", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}, "id": "\t"}"#, "id"),
        (#"{"stream": "s", "type": "ticket.opened", "time": "2026-03-02T10:15:00Z", "data": {"ticket": "t"}}"#, "data.member"),
        (#"{"stream": "s", "type": "ticket.replied", "time": "2026-03-02T10:15:00Z", "data": {"ticket": "t", "by": "b", "staff": "yes"}}"#, "data.staff"),
        (#"{"stream": "s", "type": "post.published", "time": "2026-03-02T10:15:00Z", "data": {"post": "p", "author": "brand", "kind": "advert"}}"#, "data.kind"),
        (#"{"stream": "s", "type": "post.published", "time": "2026-03-02T10:15:00Z", "data": {"post": "p", "author": "brand", "kind": "ugc", "links": ["a", 1]}}"#, "data.links[1]"),
        (#"{"stream": "s", "type": "idea.estimated", "time": "2026-03-02T10:15:00Z", "data": {"idea": "i", "impact": 6, "cost": 1}}"#, "data.impact"),
        (#"{"stream": "s", "type": "idea.estimated", "time": "2026-03-02T10:15:00Z", "data": {"idea": "i", "impact": 2.5, "cost": 1}}"#, "data.impact"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"timezone": "Mars/Olympus"}}}"#, "data.value.timezone"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"first_reponse_s": 60}}}"#, "data.value.first_reponse_s"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"first_response_s": 0}}}"#, "data.value.first_response_s"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}}}}"#, "data.value.hours.mon[1]"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"hours": {"mon": [["14:00", "18:00"], ["09:00", "12:00"]]}}}}"#, "data.value.hours.mon[1]"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"hours": {"mon": [["9:00", "18:00"]]}}}}"#, "data.value.hours.mon[0]"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "content", "value": {"targets": {"ugc": 0}}}}"#, "data.value.targets.ugc"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "content", "value": {"targets": {"ugc": 1.5}}}}"#, "data.value.targets.ugc"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "community", "value": {"window_days": -1}}}"#, "data.value.window_days"),
        (#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "pricing", "value": {}}}"#, "data.name"),
    ])
    func refusesNamingTheField(_ text: String, _ expected: String) {
        #expect(field(of: text) == expected)
    }

    /// A policy's number is echoed as written: 0, not 0.0.
    @Test func policyNumbersAreEchoedAsWritten() throws {
        for (value, shown) in [("0", "0"), ("-1", "-1"), ("-0.5", "-0.5")] {
            #expect { _ = try event(#"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"first_response_s": "# + value + "}}}") } throws: { error in
                (error as? EventValidationError)?.reason.hasSuffix(", got \(shown)") == true
            }
        }
    }

    /// A control character is named by its code point as Unicode writes them: U+0001, not U+1.
    @Test func namesAControlCharacterByItsCodePoint() throws {
        for (escaped, name) in [(#"\u0001"#, "U+0001"), (#"\u001F"#, "U+001F"), (#"\u0085"#, "U+0085")] {
            #expect { _ = try event(#"{"stream": "a"# + escaped + #"b", "type": "x", "time": "2026-03-02T10:15:00Z", "data": {}}"#) } throws: { error in
                (error as? EventValidationError)?.reason == "must not contain control characters (\(name))"
            }
        }
    }

    @Test func acceptsValidPoliciesAndOptionalNulls() throws {
        _ = try event(#"{"stream": "policy:sla", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"first_response_s": 3600, "timezone": "Europe/Berlin", "hours": {"mon": [["09:00", "12:00"], ["13:00", "24:00"]]}, "holidays": ["2026-12-25"]}}}"#)
        _ = try event(#"{"stream": "policy:sla", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"hours": "24x7"}}}"#)
        _ = try event(#"{"stream": "p", "type": "ticket.opened", "time": "2026-03-02T10:15:00Z", "data": {"ticket": "t", "member": "m", "origin": null, "unknown_extra": [1]}}"#)
        _ = try event(#"{"stream": "p", "type": "some.custom_type", "time": "2026-03-02T10:15:00Z", "data": {"anything": 1}}"#)
        // Descriptive fields whose type the spec leaves open are kept as given.
        _ = try event(#"{"stream": "p", "type": "poll.voted", "time": "2026-03-02T10:15:00Z", "data": {"post": "p", "member": "m", "option": 2}}"#)
        _ = try event(#"{"stream": "t", "type": "ticket.opened", "time": "2026-03-02T10:15:00Z", "data": {"ticket": "t", "member": "m", "priority": 1, "ref": {"url": "x"}}}"#)
    }

    /// A policy field given as `null` is the same as absent: it takes its default (a day of
    /// `hours`, closed). A `null` where a value is required inside a field is still refused.
    @Test func policyFieldsGivenAsNullTakeTheirDefaults() throws {
        func set(_ name: String, _ value: String) throws -> PolicySet {
            var set = PolicySet()
            try set.set(name: name, value: JSONParser.parse(value).objectValue!)
            return set
        }
        let community = try set("community", #"{"window_days": null, "activist_min": 5, "timezone": null, "hero_weights": {"post": null, "comment": 4}}"#).community
        var expected = CommunityPolicy()
        expected.activistMin = 5
        expected.heroWeights["comment"] = 4
        #expect(community == expected)
        let sla = try set("sla", #"{"first_response_s": null, "holidays": null, "hours": {"mon": null, "tue": [["09:00", "17:00"]]}}"#).sla
        #expect(sla.firstResponseS == SLAPolicy().firstResponseS && sla.holidays.isEmpty)
        #expect(sla.hours == .weekly([2: [540..<1020]]))
        #expect(try set("content", #"{"targets": {"ugc": null}, "stop_words": null}"#).content == ContentPolicy())
        #expect(try set("product", #"{"impact_high": null, "cost_low": null}"#).product == ProductPolicy())
        #expect(try set("sla", #"{"hours": null}"#).sla == SLAPolicy())
        #expect(field(of: #"{"stream": "s", "type": "policy.set", "time": "2026-03-02T10:15:00Z", "data": {"name": "sla", "value": {"holidays": [null]}}}"#) == "data.value.holidays[0]")
    }

    @Test func sameFactComparesByValue() throws {
        let a = try event(#"{"id": "x", "stream": "s", "type": "t", "time": "2026-03-02T10:15:00Z", "data": {"n": 1}}"#)
        let b = try event(#"{"id": "x", "stream": "s", "type": "t", "time": "2026-03-02T11:15:00+01:00", "data": {"n": 1.0}, "meta": {}, "source": "api", "expected_version": 7}"#)
        let c = try event(#"{"id": "x", "stream": "s", "type": "t", "time": "2026-03-02T10:15:00Z", "data": {"n": 2}}"#)
        #expect(a.sameFact(as: b))
        #expect(!a.sameFact(as: c))
    }

    @Test func policyTimelineInForceAndOverrides() throws {
        var timeline = PolicyTimeline()
        func policy(_ time: String, _ frt: Int, position: UInt64) throws -> Event {
            Event(position: position, version: 1, recorded: Instant(microseconds: 0), id: "\(position)", stream: "policy:sla", type: "policy.set",
                time: try Instant(rfc3339: time), source: "api", data: ["name": "sla", "value": ["first_response_s": .int(Int64(frt))]], meta: [:])
        }
        timeline.record(try policy("2026-03-01T00:00:00Z", 100, position: 1))
        timeline.record(try policy("2026-03-05T00:00:00Z", 200, position: 2))
        timeline.record(try policy("2026-03-05T00:00:00Z", 300, position: 3))
        #expect(timeline.sla(at: try Instant(rfc3339: "2026-02-01T00:00:00Z")).firstResponseS == 7200)
        #expect(timeline.sla(at: try Instant(rfc3339: "2026-03-01T00:00:00Z")).firstResponseS == 100)
        #expect(timeline.sla(at: try Instant(rfc3339: "2026-03-05T00:00:00Z")).firstResponseS == 300)
        let what = try PolicyTimeline(overrides: ["sla": ["first_response_s": 60]])
        #expect(what.sla(at: try Instant(rfc3339: "2026-03-05T00:00:00Z")).firstResponseS == 60)
        #expect(throws: EventValidationError.self) { try PolicyTimeline(overrides: ["sla": ["hours": "always"]]) }
    }
}
