import Testing
import ParleyModel
@testable import ParleyViews

/// Tickets judged one by one (default policy: UTC, Monday–Friday 09:00–18:00, 7200 s).
@Suite struct SupportViewTests {
    @Test func fridayEveningAnsweredMonday() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-06T17:00:00Z")
        log.open("t2", "2026-03-06T17:00:00Z", member: "m-2")
        log.reply("t1", "2026-03-09T10:00:00Z")
        log.reply("t2", "2026-03-09T10:00:01Z")
        let rows = try log.tickets(asOf: "2026-03-10T00:00:00Z")
        #expect(rows == [
            ["ticket": "t1", "member": "m-1", "opened": "2026-03-06T17:00:00Z", "status": "open", "sla": "met",
             "frt_s": 7200, "first_response": "2026-03-09T10:00:00Z", "escalated": false, "teams": [],
             "resolution_s": nil, "due": nil],
            ["ticket": "t2", "member": "m-2", "opened": "2026-03-06T17:00:00Z", "status": "open", "sla": "breached",
             "frt_s": 7201, "first_response": "2026-03-09T10:00:01Z", "escalated": false, "teams": [],
             "resolution_s": nil, "due": nil],
        ])
    }

    @Test func unansweredTicketTurnsFromPendingToBreached() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-06T17:00:00Z")
        for asOf in ["2026-03-08T12:00:00Z", "2026-03-09T09:30:00Z", "2026-03-09T10:00:00Z"] {
            let row = try log.row("t1", asOf: asOf)
            #expect(row?["sla"] == "pending", "as of \(asOf)")
            #expect(row?["due"] == "2026-03-09T10:00:00Z")
            #expect(row?["frt_s"] == .null)
        }
        #expect(try log.row("t1", asOf: "2026-03-09T10:00:00.5Z")?["sla"] == "breached")
        #expect(try log.backlog(asOf: "2026-03-09T10:00:00.5Z") == [
            ["ticket": "t1", "member": "m-1", "opened": "2026-03-06T17:00:00Z", "sla": "breached", "due": "2026-03-09T10:00:00Z"],
        ])
    }

    @Test func lunchGap() throws {
        var log = SupportLog()
        let lunch: JSONValue = [["09:00", "12:00"], ["13:00", "18:00"]]
        log.sla("2026-03-01T00:00:00Z", ["hours": ["mon": lunch, "tue": lunch, "wed": lunch, "thu": lunch, "fri": lunch]])
        log.open("t1", "2026-03-09T11:00:00Z")
        log.reply("t1", "2026-03-09T14:00:00Z")
        log.open("t2", "2026-03-09T11:30:00Z")
        let t1 = try log.row("t1", asOf: "2026-03-09T14:00:00Z")
        #expect(t1?["frt_s"] == 7200)
        #expect(t1?["sla"] == "met")
        let t2 = try log.row("t2", asOf: "2026-03-09T14:00:00Z")
        #expect(t2?["sla"] == "pending")
        #expect(t2?["due"] == "2026-03-09T14:30:00Z")
    }

    @Test func holiday() throws {
        var log = SupportLog()
        log.sla("2026-03-01T00:00:00Z", ["holidays": ["2026-03-09"]])
        log.open("t1", "2026-03-06T17:00:00Z")
        log.reply("t1", "2026-03-10T10:00:00Z")
        log.open("t2", "2026-03-06T17:00:00Z")
        #expect(try log.row("t1", asOf: "2026-03-11T00:00:00Z")?["frt_s"] == 7200)
        #expect(try log.row("t1", asOf: "2026-03-11T00:00:00Z")?["sla"] == "met")
        #expect(try log.row("t2", asOf: "2026-03-10T09:59:00Z")?["sla"] == "pending")
        #expect(try log.row("t2", asOf: "2026-03-10T09:59:00Z")?["due"] == "2026-03-10T10:00:00Z")
    }

    @Test func daylightSavingTime() throws {
        var log = SupportLog()
        log.sla("2026-03-01T00:00:00Z", ["timezone": "Europe/Berlin"])
        // Friday 17:00 CET to Monday 10:00 CEST: two business hours.
        log.open("t1", "2026-03-27T16:00:00Z")
        log.reply("t1", "2026-03-30T08:00:00Z")
        log.open("t2", "2026-03-27T16:00:00Z")
        // Friday 17:00 CEST to Monday 10:00 CET.
        log.open("t3", "2026-10-23T15:00:00Z")
        #expect(try log.row("t1", asOf: "2026-03-31T00:00:00Z")?["frt_s"] == 7200)
        #expect(try log.row("t2", asOf: "2026-03-31T00:00:00Z")?["due"] == "2026-03-30T08:00:00Z")
        #expect(try log.row("t2", asOf: "2026-03-30T08:00:00Z")?["sla"] == "pending")
        #expect(try log.row("t2", asOf: "2026-03-30T08:00:01Z")?["sla"] == "breached")
        #expect(try log.row("t3", asOf: "2026-10-24T00:00:00Z")?["due"] == "2026-10-26T09:00:00Z")
    }

    @Test func replyBeforeTheOpeningIsTheFirstResponse() throws {
        var log = SupportLog()
        log.reply("t1", "2026-03-04T08:00:00Z")
        log.open("t1", "2026-03-04T10:00:00Z")
        log.reply("t1", "2026-03-04T11:00:00Z")
        // Before the opening the ticket does not exist.
        #expect(try log.tickets(asOf: "2026-03-04T09:00:00Z") == [])
        let row = try log.row("t1", asOf: "2026-03-04T12:00:00Z")
        #expect(row?["first_response"] == "2026-03-04T08:00:00Z")
        #expect(row?["frt_s"] == 0)
        #expect(row?["sla"] == "met")
        #expect(row?["due"] == .null)
    }

    @Test func reopenThenResolve() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-02T09:00:00Z")
        log.reply("t1", "2026-03-02T09:30:00Z")
        log.resolve("t1", "2026-03-02T10:00:00Z")
        log.reopen("t1", "2026-03-02T11:00:00Z")
        log.resolve("t1", "2026-03-03T10:00:00Z")
        #expect(try log.row("t1", asOf: "2026-03-02T10:30:00Z")?["resolution_s"] == 3600)
        #expect(try log.row("t1", asOf: "2026-03-02T12:00:00Z")?["status"] == "open")
        #expect(try log.row("t1", asOf: "2026-03-02T12:00:00Z")?["resolution_s"] == .null)
        let row = try log.row("t1", asOf: "2026-03-04T00:00:00Z")
        #expect(row?["status"] == "resolved")
        #expect(row?["resolution_s"] == 36000)
        #expect(row?["sla"] == "met")
    }

    @Test func resolvedWithoutResponseIsJudgedAtItsLatestResolution() throws {
        var log = SupportLog()
        log.open("met", "2026-03-02T09:00:00Z")
        log.resolve("met", "2026-03-02T10:00:00Z")
        log.open("late", "2026-03-02T09:00:00Z")
        log.resolve("late", "2026-03-02T12:00:00Z")
        log.open("back", "2026-03-02T09:00:00Z")
        log.resolve("back", "2026-03-02T10:00:00Z")
        log.reopen("back", "2026-03-02T10:30:00Z")
        #expect(try log.row("met", asOf: "2026-03-03T12:00:00Z")?["sla"] == "met")
        #expect(try log.row("met", asOf: "2026-03-03T12:00:00Z")?["due"] == "2026-03-02T11:00:00Z")
        #expect(try log.row("late", asOf: "2026-03-03T12:00:00Z")?["sla"] == "breached")
        #expect(try log.row("back", asOf: "2026-03-02T10:59:00Z")?["sla"] == "pending")
        #expect(try log.row("back", asOf: "2026-03-02T11:00:01Z")?["sla"] == "breached")
    }

    @Test func escalationToTwoTeams() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-02T09:00:00Z")
        log.escalate("t1", "2026-03-02T09:10:00Z", team: "tier2")
        log.escalate("t1", "2026-03-02T09:20:00Z", team: "billing")
        log.escalate("t1", "2026-03-02T09:30:00Z", team: "tier2")
        log.escalate("t1", "2026-03-02T09:40:00Z", team: "Zeta")
        log.open("t2", "2026-03-02T09:00:00Z")
        let row = try log.row("t1", asOf: "2026-03-02T10:00:00Z")
        #expect(row?["escalated"] == true)
        #expect(row?["teams"] == ["Zeta", "billing", "tier2"])
        #expect(try log.row("t1", asOf: "2026-03-02T09:15:00Z")?["teams"] == ["tier2"])
        #expect(try log.row("t2", asOf: "2026-03-02T10:00:00Z")?["escalated"] == false)
    }

    @Test func policyChangeAfterOpeningDoesNotApply() throws {
        var log = SupportLog()
        log.open("before", "2026-03-02T09:00:00Z")
        log.sla("2026-03-02T09:30:00Z", ["first_response_s": 600])
        log.open("same", "2026-03-02T09:30:00Z")
        log.open("after", "2026-03-02T10:00:00Z")
        for ticket in ["before", "same", "after"] { log.reply(ticket, "2026-03-02T10:30:00Z") }
        #expect(try log.row("before", asOf: "2026-03-03T00:00:00Z")?["sla"] == "met")
        #expect(try log.row("before", asOf: "2026-03-03T00:00:00Z")?["frt_s"] == 5400)
        #expect(try log.row("same", asOf: "2026-03-03T00:00:00Z")?["sla"] == "breached")
        #expect(try log.row("after", asOf: "2026-03-03T00:00:00Z")?["sla"] == "breached")
        #expect(try log.row("after", asOf: "2026-03-03T00:00:00Z")?["frt_s"] == 1800)
    }

    @Test(arguments: [false, true])
    func backfilledEventsTakeTheirPlaceInTime(byPosition: Bool) throws {
        var log = SupportLog()
        log.open("t1", "2026-03-02T09:00:00Z")
        log.reply("t1", "2026-03-02T12:00:00Z")
        log.reply("t1", "2026-03-02T10:00:00Z")  // appended later, timed earlier
        log.open("t1", "2026-03-02T08:30:00Z", member: "m-2")
        let view = log.view(asOf: "2026-03-03T00:00:00Z", byPosition: byPosition)
        let rows = try view.tickets(log.query(asOf: "2026-03-03T00:00:00Z"))["tickets"]?.arrayValue
        #expect(rows?.first?["first_response"] == "2026-03-02T10:00:00Z")
        #expect(rows?.first?["frt_s"] == 3600)
        #expect(rows?.first?["opened"] == "2026-03-02T08:30:00Z")
        #expect(rows?.first?["member"] == "m-2")
    }

    @Test func laterOpensAndUnopenedTicketsAreIgnored() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-02T09:00:00Z")
        log.open("t1", "2026-03-02T10:00:00Z", member: "m-2")
        log.reply("t1", "2026-03-02T09:05:00Z", staff: false)
        log.reply("t1", "2026-03-02T09:10:00Z", staff: true, isPublic: false)
        log.reply("ghost", "2026-03-02T09:00:00Z")
        log.resolve("ghost", "2026-03-02T09:30:00Z")
        log.escalate("ghost", "2026-03-02T09:40:00Z", team: "tier2")
        let rows = try log.tickets(asOf: "2026-03-03T00:00:00Z")
        #expect(rows.count == 1)
        #expect(rows.first?["member"] == "m-1")
        #expect(rows.first?["opened"] == "2026-03-02T09:00:00Z")
        #expect(rows.first?["frt_s"] == 600)
        #expect(try log.slaReport(asOf: "2026-03-03T00:00:00Z")["tickets"] == 1)
    }

    @Test func calendarThatNeverOpens() throws {
        var log = SupportLog()
        log.sla("2026-03-01T00:00:00Z", ["hours": [:]])
        log.open("t1", "2026-03-02T09:00:00Z")
        log.reply("t1", "2026-03-05T09:00:00Z")
        log.open("t2", "2026-03-02T09:00:00Z")
        #expect(try log.row("t1", asOf: "2027-01-01T00:00:00Z")?["frt_s"] == 0)
        #expect(try log.row("t2", asOf: "2027-01-01T00:00:00Z")?["sla"] == "pending")
        #expect(try log.backlog(asOf: "2027-01-01T00:00:00Z").map { $0["due"] } == [.null, .null])
    }
}
