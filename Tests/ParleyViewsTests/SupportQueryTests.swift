import Testing
import ParleyModel
@testable import ParleyViews

/// The `sla`, `tickets` and `backlog` queries over several tickets: statistics, windows, order.
@Suite struct SupportQueryTests {
    /// Six tickets on Monday 2026-03-02: four answered after 600, 3600, 1200 and 1800 s (three of
    /// them resolved after 1, 2 and 3 hours, one escalated), one unanswered since 17:00 and one
    /// unanswered since 09:00.
    static var monday: SupportLog {
        var log = SupportLog()
        for (ticket, reply, resolved) in [("a", "09:10", "10:00"), ("b", "10:00", "11:00"), ("c", "09:20", "12:00"), ("d", "09:30", nil)] {
            log.open(ticket, "2026-03-02T09:00:00Z")
            log.reply(ticket, "2026-03-02T\(reply):00Z")
            if let resolved { log.resolve(ticket, "2026-03-02T\(resolved):00Z") }
        }
        log.escalate("c", "2026-03-02T09:50:00Z", team: "tier2")
        log.open("e", "2026-03-02T17:00:00Z")
        log.open("f", "2026-03-02T09:00:00Z")
        return log
    }

    @Test func slaReportWithNearestRankPercentiles() throws {
        let report = try Self.monday.slaReport(asOf: "2026-03-02T18:00:00Z")
        #expect(report == [
            "as_of": "2026-03-02T18:00:00Z", "from": nil, "to": "2026-03-02T18:00:00Z",
            "tickets": 6, "met": 4, "breached": 1, "pending": 1, "attainment": 0.8,
            "first_response": ["count": 4, "mean_s": 1800, "median_s": 1200, "p90_s": 3600],
            "open": 3, "resolved": 3, "escalated": 1, "resolved_without_escalation": .double(2.0 / 3.0),
            "resolution": ["count": 3, "mean_s": 7200, "median_s": 7200, "p90_s": 10800],
        ])
    }

    @Test func attainmentIsNullWithoutMetOrBreached() throws {
        var log = SupportLog()
        #expect(try log.slaReport(asOf: "2026-03-02T18:00:00Z") == [
            "as_of": "2026-03-02T18:00:00Z", "from": nil, "to": "2026-03-02T18:00:00Z",
            "tickets": 0, "met": 0, "breached": 0, "pending": 0, "attainment": nil,
            "first_response": ["count": 0, "mean_s": nil, "median_s": nil, "p90_s": nil],
            "open": 0, "resolved": 0, "escalated": 0, "resolved_without_escalation": nil,
            "resolution": ["count": 0, "mean_s": nil, "median_s": nil, "p90_s": nil],
        ])
        log.open("t1", "2026-03-02T17:00:00Z")
        let report = try log.slaReport(asOf: "2026-03-02T18:00:00Z")
        #expect(report["pending"] == 1)
        #expect(report["attainment"] == .null)
        #expect(report["first_response"]?["mean_s"] == .null)
    }

    @Test func percentilesOfOneAndTenValues() {
        #expect(SupportView.statistics([5_000_000]) == ["count": 1, "mean_s": 5, "median_s": 5, "p90_s": 5])
        let ten = (1...10).map { Int64($0) * 1_000_000 }
        #expect(SupportView.statistics(ten.reversed()) == ["count": 10, "mean_s": 5.5, "median_s": 5, "p90_s": 9])
        #expect(SupportView.statistics([1_500_000, 2_000_000]) == ["count": 2, "mean_s": 1.75, "median_s": 1.5, "p90_s": 2])
    }

    @Test func windowSelectsByOpeningTime() throws {
        var log = SupportLog()
        log.open("t1", "2026-03-02T09:00:00Z")
        log.open("t2", "2026-03-03T09:00:00Z")
        log.open("t3", "2026-03-04T09:00:00Z")
        func ids(_ rows: [JSONValue]) -> [JSONValue] { rows.compactMap { $0["ticket"] } }
        let asOf = "2026-03-05T00:00:00Z"
        #expect(ids(try log.tickets(asOf: asOf)) == ["t1", "t2", "t3"])
        #expect(ids(try log.tickets(asOf: asOf, from: "2026-03-02T09:00:00Z", to: "2026-03-03T09:00:00Z")) == ["t2"])
        #expect(ids(try log.tickets(asOf: asOf, to: "2026-03-03T09:00:00Z")) == ["t1", "t2"])
        #expect(ids(try log.tickets(asOf: asOf, from: "2026-03-03T09:00:00Z")) == ["t3"])
        // `to` beyond T: only tickets opened as of T.
        #expect(ids(try log.tickets(asOf: "2026-03-03T12:00:00Z", to: "2026-03-10T00:00:00Z")) == ["t1", "t2"])
        let report = try log.slaReport(asOf: asOf, from: "2026-03-02T09:00:00Z")
        #expect(report["tickets"] == 2)
        #expect(report["from"] == "2026-03-02T09:00:00Z")
        #expect(report["to"] == "2026-03-05T00:00:00Z")
    }

    @Test func ticketsByOpeningTimeThenBytewiseId() throws {
        var log = SupportLog()
        log.open("b", "2026-03-02T09:00:00Z")
        log.open("a", "2026-03-02T10:00:00Z")
        log.open("B", "2026-03-02T09:00:00Z")
        log.open("é", "2026-03-02T09:00:00Z")
        log.open("z", "2026-03-02T09:00:00Z")
        let ids = try log.tickets(asOf: "2026-03-03T00:00:00Z").compactMap { $0["ticket"] }
        #expect(ids == ["B", "b", "z", "é", "a"])
    }

    @Test func backlogByDueThenOpeningThenId() throws {
        var log = SupportLog()
        log.open("t-a", "2026-03-02T09:00:00Z")  // due 11:00
        log.open("t-b", "2026-03-02T08:00:00Z")  // due 11:00 too, opened earlier
        log.open("t-c", "2026-03-02T10:00:00Z")  // due 12:00
        log.open("t-e", "2026-03-02T07:00:00Z")
        log.open("t-d", "2026-03-02T07:00:00Z")
        log.reply("t-e", "2026-03-02T09:05:00Z")
        log.reply("t-d", "2026-03-02T09:05:00Z")
        log.open("t-f", "2026-03-02T06:00:00Z")
        log.resolve("t-f", "2026-03-02T09:00:00Z")
        let backlog = try log.backlog(asOf: "2026-03-02T10:30:00Z")
        #expect(backlog.compactMap { $0["ticket"] } == ["t-b", "t-a", "t-c", "t-d", "t-e"])
        #expect(backlog.map { $0["due"] ?? .null } == ["2026-03-02T11:00:00Z", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", nil, nil])
        #expect(backlog.first == ["ticket": "t-b", "member": "m-1", "opened": "2026-03-02T08:00:00Z", "sla": "pending", "due": "2026-03-02T11:00:00Z"])
    }

    @Test(arguments: ["2026-03-02T09:15:00Z", "2026-03-02T10:30:00Z", "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z"])
    func eventsAfterAsOfAreIgnored(asOf: String) throws {
        let log = Self.monday
        let everything = log.view(asOf: "2030-01-01T00:00:00Z")
        let q = log.query(asOf: asOf)
        let upToT = log.view(asOf: asOf)
        #expect(try everything.sla(q) == upToT.sla(q))
        #expect(try everything.tickets(q) == upToT.tickets(q))
        #expect(try everything.backlog(q) == upToT.backlog(q))
    }

    @Test func renderedTables() throws {
        let log = Self.monday
        let q = log.query(asOf: "2026-03-02T18:00:00Z")
        let view = log.view(asOf: "2026-03-02T18:00:00Z")
        let backlog = SupportView.renderBacklog(try view.backlog(q))
        #expect(backlog == """
            ticket  member  opened                sla       due
            f       m-1     2026-03-02T09:00:00Z  breached  2026-03-02T11:00:00Z
            e       m-1     2026-03-02T17:00:00Z  pending   2026-03-03T10:00:00Z
            d       m-1     2026-03-02T09:00:00Z  met       -

            """)
        let sla = SupportView.renderSLA(try view.sla(q))
        #expect(sla.contains("attainment                   80.0%\n"))
        #expect(sla.contains("  median                     20m 00s\n"))
        let tickets = SupportView.renderTickets(try view.tickets(q))
        #expect(tickets.split(separator: "\n").count == 7)
        #expect(tickets.contains("c       m-1     2026-03-02T09:00:00Z  resolved  met              20m 00s  yes        tier2      3h 00m  -\n"))
    }
}
