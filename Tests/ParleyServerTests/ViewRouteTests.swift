import Foundation
import NIOHTTP1
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyConfiguration
import ParleyServer
import ParleyTestSupport
import ParleyViews
import Testing

/// `/v1/views/{view}/{query}`: the CLI's JSON, kept current as events arrive.
@Suite struct ViewRouteTests {
    static let seed = """
    {"stream":"ticket:1","type":"ticket.opened","time":"2026-03-02T09:00:00Z","data":{"ticket":"1","member":"ann"}}
    {"stream":"ticket:1","type":"ticket.replied","time":"2026-03-02T09:30:00Z","data":{"ticket":"1","by":"sue","staff":true}}
    {"stream":"ticket:2","type":"ticket.opened","time":"2026-03-02T10:00:00Z","data":{"ticket":"2","member":"bob"}}
    {"stream":"post:1","type":"post.published","time":"2026-03-02T08:00:00Z","data":{"post":"1","author":"brand","kind":"engaging"}}
    """

    @Test func everyQueryAnswersTheJSONOfTheIndex() async throws {
        try await withDaemon { api, daemon in
            #expect(try await api.post(Self.seed, ndjson: true).status == 201)
            let asOf = "2026-03-05T00:00:00Z"
            for name in ViewQueryName.replayable {
                let answer = try await api.send(.GET, "/v1/views/\(name.rawValue)?as_of=\(asOf)")
                #expect(answer.status == 200, "\(name.rawValue): \(answer.text)")
                let index = try ViewIndex(log: daemon.log)
                let expected = try index.answer(ViewRequest(name: name, parameters: ["as_of": asOf]))
                #expect(answer.body == JSONWriter.encode(expected) + [0x0A], "\(name.rawValue)")
            }
            let sla = try await api.send(.GET, "/v1/views/support/sla?as_of=\(asOf)&at_position=1")
            #expect(sla.json.objectValue?["tickets"]?.intValue == 1)
        }
    }

    /// An event another process (the CLI) appended a moment ago is in the next view answer,
    /// without waiting for the daemon's poll of the log (30 s here).
    @Test func aViewQueryHoldsWhatTheCLIJustAppended() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var limits = testLimits()
        limits.viewPollSeconds = 30
        try await withDaemon(limits: limits, directory: directory) { api, _ in
            #expect(try await api.post(Self.seed, ndjson: true).status == 201)
            let asOf = "2026-03-05T00:00:00Z"
            #expect(try await api.send(.GET, "/v1/views/support/sla?as_of=\(asOf)").json.objectValue?["tickets"]?.intValue == 2)
            for ticket in 3...4 {
                let append = try CLIThroughServerTests.run(
                    ["append", "--stream", "ticket:\(ticket)", "--type", "ticket.opened", "--time", "2026-03-03T09:00:00Z",
                     "--data", "{\"ticket\":\"\(ticket)\",\"member\":\"cy\"}"],
                    stdin: nil, environment: ["PARLEY_DATA": directory])
                #expect(append.status == 0, "\(append.err)")
                let sla = try await api.send(.GET, "/v1/views/support/sla?as_of=\(asOf)")
                #expect(sla.json.objectValue?["tickets"]?.intValue == Int64(ticket), "\(sla.text)")
            }
        }
    }

    /// The daemon hands the events it appends to its views rather than decoding them again:
    /// what it indexed from them equals a replay of the log, whatever the events held.
    @Test func viewsOfHandedEventsEqualAReplay() async throws {
        try await withDaemon { api, daemon in
            let mixed = Self.seed + """

            {"stream":"ticket:3","type":"ticket.opened","time":"2026-03-02T11:00:00.5+01:00","data":{"ticket":"3","member":"zoë 😀","note":"a\\nb"},"meta":{"n":1.0,"x":[-0.0,1e300]}}
            {"id":"i1","stream":"idea:1","type":"idea.proposed","time":"2026-03-03T09:00:00Z","data":{"idea":"1","title":"Dark mode","author":"ann"}}
            {"id":"i1","stream":"idea:1","type":"idea.proposed","time":"2026-03-03T09:00:00Z","data":{"idea":"1","title":"Dark mode","author":"ann"}}
            """
            #expect(try await api.post(mixed, ndjson: true).status == 201)
            #expect(try await api.post(Self.seed.split(separator: "\n").prefix(2).joined(separator: "\n"), ndjson: true).status == 201)
            #expect(try await api.post(#"{"stream":"ticket:9","type":"ticket.opened","time":"2026-03-02T09:00:00Z","expected_version":3,"data":{"ticket":"9","member":"x"}}"#).status == 409)
            // A query waits until the views hold everything appended before it.
            #expect(try await api.send(.GET, "/v1/views/support/sla").status == 200)
            let index = try ViewIndex(log: daemon.log)
            #expect(try index.checkpoint() == (try daemon.log.head()))
            let asOf = try Instant(rfc3339: "2026-03-05T00:00:00Z")
            let stored = ViewAudit.digests(of: try index.views(asOf: asOf), asOf: asOf)
            let replayed = ViewAudit.digests(of: try ViewAudit.replay(daemon.log, asOf: asOf), asOf: asOf)
            #expect(stored.map(\.digest) == replayed.map(\.digest))
        }
    }

    /// Graceful shutdown during the start's catch-up over a log the views have never seen ends
    /// it at its next chunk rather than after the whole log. The next start goes on from there
    /// and answers as a replay does, and the state it stores at its exit holds the head.
    @Test func aShutdownDuringTheStartsCatchUpStopsItThere() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (tickets, time) = (10_000, "2026-03-02T09:00:00Z")
        try await withDaemon(directory: directory) { api, _ async throws in
            for batch in 0..<10 {
                let lines = (0..<tickets / 10).map { ticketOpened("s\(batch)-\($0)", time: time) }
                #expect(try await api.post(lines.joined(separator: "\n"), ndjson: true).status == 201)
            }
        }
        // Lose the views: the next start indexes and folds every event again.
        try FileManager.default.removeItem(atPath: directory + "/views")
        var limits = testLimits()
        limits.viewCatchUpChunk = 10  // 1,000 transactions of the index to catch up
        let logs = LogRecorder()
        let readyAtShutdown = try await withDaemon(limits: limits, directory: directory, logger: logs.logger) { _, daemon in
            daemon.views.isReady
        }
        #expect(!readyAtShutdown)
        let stopped = try #require(logs.all.first { $0.contains("stopped before the views caught up") }, "\(logs.all)")
        let indexed = try #require(stopped.split(separator: " ").first { $0.hasPrefix("view.indexed=") }.flatMap { Int($0.dropFirst(13)) })
        #expect(indexed > 0 && indexed < tickets, "\(stopped)")
        #expect(!logs.all.contains { $0.hasPrefix("info: views caught up") }, "\(logs.all)")

        let asOf = "2026-03-05T00:00:00Z"
        try await withDaemon(directory: directory) { api, daemon async throws in
            #expect(try await api.post(ticketOpened("after", time: time)).status == 201)
            let sla = try await api.send(.GET, "/v1/views/support/sla?as_of=\(asOf)")
            #expect(sla.json.objectValue?["tickets"]?.intValue == Int64(tickets + 1), "\(sla.text)")
            let expected = try ViewIndex(log: daemon.log).answer(ViewRequest(name: .supportSLA, parameters: ["as_of": asOf]))
            #expect(sla.body == JSONWriter.encode(expected) + [0x0A])
        }
        try await withDaemon(directory: directory) { _, daemon in
            let (stored, head) = (try ViewIndex(log: daemon.log).snapshotPosition(), try daemon.log.head())
            #expect(stored == head, "the state stored at the last exit")
        }
    }

    /// Events appended after the views' last catch-up are folded in before the daemon stores
    /// the views at its exit, so that the next start begins at the head. Two catch-ups see to
    /// it: the one the shutdown cuts the wait short for, and the service's last, for what
    /// requests still in flight append; the test fails only when both are gone.
    @Test func theStateStoredAtExitHoldsTheLastAppends() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var limits = testLimits()
        limits.viewCatchUpIntervalSeconds = 3600  // no catch-up after the start's until the exit
        let appended = 3
        try await withDaemon(limits: limits, directory: directory) { api, _ in
            for i in 1...appended { #expect(try await api.post(ticketOpened("late-\(i)")).status == 201) }
            let ready = try await api.send(.GET, "/readyz").json.objectValue
            #expect(ready?["head"]?.intValue == Int64(appended))
            #expect(ready?["views"]?.intValue == 0, "the views caught up before the exit: the test proves nothing")
        }
        let index = try ViewIndex(log: EventLog(directory: directory, create: false))
        #expect(try index.checkpoint() == UInt64(appended))
        #expect(try index.snapshotPosition() == UInt64(appended))
    }

    @Test func viewsFollowAppendsImmediately() async throws {
        try await withDaemon { api, _ in
            for i in 1...5 {
                #expect(try await api.post(ticketOpened("v\(i)")).status == 201)
                let sla = try await api.send(.GET, "/v1/views/support/sla?as_of=2026-03-02T12:00:00Z")
                #expect(sla.json.objectValue?["tickets"]?.intValue == Int64(i))
            }
        }
    }

    @Test func badQueriesAreNamed() async throws {
        try await withDaemon { api, _ in
            let unknown = try await api.send(.GET, "/v1/views/support/nothing")
            #expect(unknown.status == 404)
            #expect(unknown.error?.contains("support/nothing") == true)
            let badTime = try await api.send(.GET, "/v1/views/support/sla?as_of=yesterday")
            #expect(badTime.status == 400)
            #expect(badTime.json.objectValue?["field"]?.stringValue == "as_of")
            // At position 0: before the first event, so nothing yet.
            let before = try await api.send(.GET, "/v1/views/community/summary?at_position=0&as_of=2026-03-02T12:00:00Z")
            #expect(before.status == 200)
            #expect(before.json.objectValue?["members"]?.intValue == 0)
            let badWeek = try await api.send(.GET, "/v1/views/community/heroes?week=bad")
            #expect(badWeek.status == 400)
            #expect(badWeek.json.objectValue?["field"]?.stringValue == "week")
            let typo = try await api.send(.GET, "/v1/views/support/sla?asof=2026-03-02T12:00:00Z")
            #expect(typo.status == 400)
            let noDraft = try await api.send(.GET, "/v1/views/content/check")
            #expect(noDraft.status == 400)
            // A parameter the query does not read is refused, not ignored (views.md: windows
            // for the support and content queries, a week for heroes).
            let weekOfSLA = try await api.send(.GET, "/v1/views/support/sla?week=2026-W10")
            #expect(weekOfSLA.status == 400)
            #expect(weekOfSLA.json.objectValue?["field"]?.stringValue == "week")
            #expect(weekOfSLA.error == "week: support/sla does not read it (it reads as_of, from, to)")
            let windowOfIdeas = try await api.send(.GET, "/v1/views/product/ideas?from=2026-03-01T00:00:00Z")
            #expect(windowOfIdeas.error == "from: product/ideas does not read it (it reads as_of)")
            #expect(try await api.send(.GET, "/v1/views/content/mix?from=2026-03-01T00:00:00Z").status == 200)
        }
    }

    @Test func contentCheckTakesTheDraftAndPoliciesComeAsABody() async throws {
        try await withDaemon { api, daemon in
            let draft = "{\"type\":\"post.published\",\"time\":\"2026-03-02T12:00:00Z\",\"data\":{\"post\":\"d1\",\"author\":\"brand\",\"kind\":\"promotional\",\"text\":\"Buy now\"}}"
            let check = try await api.send(.POST, "/v1/views/content/check?as_of=2026-03-02T12:00:00Z", body: Array(draft.utf8))
            #expect(check.status == 200, "\(check.text)")
            var request = ViewRequest(name: .contentCheck)
            request.asOf = try Instant(rfc3339: "2026-03-02T12:00:00Z")
            request.draft = try JSONParser.parse(draft)
            let expected = try ViewIndex(log: daemon.log).answer(request)
            #expect(check.body == JSONWriter.encode(expected) + [0x0A])
            let wrapped = try await api.send(.POST, "/v1/views/content/check?as_of=2026-03-02T12:00:00Z", body: Array("{\"draft\":\(draft)}".utf8))
            #expect(wrapped.body == check.body)

            #expect(try await api.post(Self.seed, ndjson: true).status == 201)
            let policy = "{\"policy\":{\"sla\":{\"first_response_s\":60,\"hours\":\"24x7\"}}}"
            let whatIf = try await api.send(.POST, "/v1/views/support/sla?as_of=2026-03-05T00:00:00Z", body: Array(policy.utf8))
            #expect(whatIf.status == 200, "\(whatIf.text)")
            #expect(whatIf.json.objectValue?["breached"]?.intValue == 2)
            let badPolicy = try await api.send(.POST, "/v1/views/support/sla", body: Array("{\"policy\":{\"sla\":{\"first_respons_s\":60}}}".utf8))
            #expect(badPolicy.status == 400)
            #expect(badPolicy.json.objectValue?["field"]?.stringValue == "policy")
        }
    }
}

/// The in-memory latest views agree with the index, also when an event arrives late.
@Suite struct LiveViewTests {
    @Test func backfilledEventsGiveTheIndexAnswer() async throws {
        try await withDaemon { api, daemon in
            #expect(try await api.post(ticketOpened("late1", time: "2026-03-03T09:00:00Z")).status == 201)
            #expect(try await api.post(ticketOpened("late2", time: "2026-03-04T09:00:00Z")).status == 201)
            let before = try await api.send(.GET, "/v1/views/support/tickets")
            #expect(before.json.objectValue?["tickets"]?.arrayValue?.count == 2)
            // Earlier than everything applied so far: the cache rebuilds.
            #expect(try await api.post(ticketOpened("early", time: "2026-03-01T09:00:00Z")).status == 201)
            #expect(try await api.post("{\"stream\":\"ticket:early\",\"type\":\"ticket.replied\",\"time\":\"2026-03-01T09:05:00Z\",\"data\":{\"ticket\":\"early\",\"by\":\"sue\",\"staff\":true}}").status == 201)
            for name in ["support/tickets", "support/sla", "community/members"] {
                let answer = try await api.send(.GET, "/v1/views/\(name)?as_of=2026-03-10T00:00:00Z")
                let expected = try ViewIndex(log: daemon.log).answer(ViewRequest(name: ViewQueryName(rawValue: name)!, parameters: ["as_of": "2026-03-10T00:00:00Z"]))
                #expect(answer.body == JSONWriter.encode(expected) + [0x0A], "\(name)")
            }
            let tickets = try await api.send(.GET, "/v1/views/support/tickets")
            #expect(tickets.json.objectValue?["tickets"]?.arrayValue?.count == 3)
        }
    }
}
