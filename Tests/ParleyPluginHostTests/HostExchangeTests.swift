import Foundation
import Testing
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyTestSupport

/// The host driving a well-behaved plugin (a Python script) through the whole exchange.
@Suite struct HostExchangeTests {
    @Test func replaysEmitsCheckpointsGoesLiveAndResumesFromTheStoredCheckpoint() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: true), comment(2, help: false), comment(3, help: true)])
            let script = try ScriptPlugin.write(to: dir)
            let out = dir.appendingPathComponent("out.jsonl").path
            let committer = GroupCommitter(log: log)
            defer { committer.shutdown() }
            let logs = LogRecorder()
            let configuration = fastConfiguration("helpbot", command: [script], environment: ["OUT": out, "MODE": "good"], config: ["k": "v"])

            let host = try makeHost(configuration, log: log, committer: committer, logs: logs)
            try await withRunningHost(host) {
                // Replay: 3 comments, 2 emits; the emitted positions are the tickets in the log.
                try await eventually("the replay's emits and checkpoint") {
                    ScriptPlugin.records(out, kind: "emitted").count == 2 && host.status.checkpoint >= 3
                }
                for record in ScriptPlugin.records(out, kind: "emitted") {
                    let positions = record["positions"] as? [Int] ?? []
                    #expect(positions.count == 1)
                    let stored = try log.event(at: UInt64(positions[0]))
                    #expect(stored?.type == "ticket.opened")
                    #expect(stored?.source == "helpbot")
                    #expect(stored?.id == "helpbot:c\((record["ref"] as? String == "event-1") ? 1 : 3)")
                }
                let hello = ScriptPlugin.records(out, kind: "hello")
                #expect(hello.first?["checkpoint"] as? Int == 0)
                #expect((hello.first?["config"] as? [String: String]) == ["k": "v"])
                #expect(ScriptPlugin.records(out, kind: "event").compactMap { $0["position"] as? Int } == [1, 2, 3])
                // caught_up names the head when the replay ended: 3, or 5 if the two tickets came first.
                #expect([3, 5].contains(ScriptPlugin.records(out, kind: "caught_up").first?["position"] as? Int ?? 0))

                // Live: a new comment reaches the plugin once the host is told the log grew.
                let live = try log.append([comment(4, help: true)])
                host.logAdvanced(to: live.positions[0])
                try await eventually("the live event's ticket") { try log.read(type: "ticket.opened").count == 3 }
                // The plugin confirms what it was sent: the comment at 6 (the ticket at 7 is not its type).
                try await eventually("the checkpoint past the live event") { host.status.checkpoint >= 6 }
                #expect(host.status.caughtUp && host.status.running && host.status.restarts == 0)
                #expect(host.status.eventsDelivered == 4)
            }
            let stored = try PluginCheckpoints(log: log).position(of: "helpbot")
            #expect(stored == 6)

            // A restart starts after the stored checkpoint: only the new comment is replayed.
            _ = try log.append([comment(5, help: false)])
            let again = try makeHost(configuration, log: log, committer: committer, logs: logs)
            try await withRunningHost(again) {
                try await eventually("the second run's checkpoint") { again.status.checkpoint >= 8 }
            }
            let hellos = ScriptPlugin.records(out, kind: "hello")
            #expect(hellos.last?["checkpoint"] as? Int == 6)
            #expect(ScriptPlugin.records(out, kind: "event").compactMap { $0["position"] as? Int } == [1, 2, 3, 6, 8])
            #expect(try log.read(type: "ticket.opened").count == 3)
        }
    }

    @Test func gitHubWebhookRoundTripAppendsATicketAndABadSignatureAppendsNothing() async throws {
        try await withTemporaryLog { log, _ in
            let secret = "It's a Secret to Everybody"
            let committer = GroupCommitter(log: log)
            defer { committer.shutdown() }
            let configuration = fastConfiguration(
                "github", command: [try productBinary("parley-plugin-github")], environment: ["GITHUB_WEBHOOK_SECRET": secret])
            let host = try makeHost(configuration, log: log, committer: committer, logs: LogRecorder())
            let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../ParleyPluginTests/Fixtures/github-webhooks/issues/opened.payload.json")
            let body = Array(try Data(contentsOf: fixture))
            try await withRunningHost(host) {
                try await eventually("the github plugin caught up") { host.status.caughtUp }
                let good = await host.deliverWebhook(
                    headers: ["X-GitHub-Event": "issues", "X-Hub-Signature-256": GitHubSignature.header(body, secret: secret)],
                    body: body, timeout: .seconds(30))
                #expect(good.status == 202 && good.error == nil)
                let tickets = try log.read(type: "ticket.opened")
                #expect(tickets.map(\.id) == ["gh:issues:444500041:opened"])
                #expect(tickets.first?.stream == "ticket:gh-Codertocat/Hello-World-1")

                let head = try log.head()
                let bad = await host.deliverWebhook(
                    headers: ["X-GitHub-Event": "issues", "X-Hub-Signature-256": GitHubSignature.header(body, secret: "wrong")],
                    body: body, timeout: .seconds(30))
                #expect(bad.status == 401)
                #expect(bad.error?.contains("signature") == true)
                #expect(try log.head() == head)
            }
            let down = await host.deliverWebhook(headers: [:], body: [], timeout: .seconds(1))
            #expect(down.status == 503)
        }
    }
}
