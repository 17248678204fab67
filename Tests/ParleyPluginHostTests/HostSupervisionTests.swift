import Foundation
import Logging
import Testing
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyTestSupport

/// Plugins that misbehave: the host logs, stops and restarts them with back-off, and stays up.
@Suite struct HostSupervisionTests {
    /// Runs the script plugin in `mode` under a host and hands both to `body`.
    func withScript(
        _ mode: String, events: [NewEvent] = [], _ body: (PluginHost, EventLog, String, LogRecorder) async throws -> Void
    ) async throws {
        try await withTemporaryLog { log, dir in
            if !events.isEmpty { _ = try log.append(events) }
            let script = try ScriptPlugin.write(to: dir)
            let out = dir.appendingPathComponent("out.jsonl").path
            let committer = GroupCommitter(log: log)
            defer { committer.shutdown() }
            let logs = LogRecorder()
            let host = try makeHost(
                fastConfiguration(mode, command: [script], environment: ["OUT": out, "MODE": mode]), log: log, committer: committer, logs: logs)
            try await withRunningHost(host) { try await body(host, log, out, logs) }
            #expect(!host.status.running)
        }
    }

    @Test func crashingPluginIsRestartedWithGrowingDelays() async throws {
        try await withScript("crash") { host, _, out, logs in
            try await eventually("four starts") { ScriptPlugin.records(out, kind: "start").count >= 4 && host.status.restarts >= 3 }
            // The delays the host chose double from the first (50 ms in the fast configuration);
            // measured gaps would also hold the machine's load, so the chosen ones are checked.
            let delays = Array(host.status.restartDelays.prefix(3))
            #expect(delays == [.milliseconds(50), .milliseconds(100), .milliseconds(200)])
            #expect(host.status.lastError?.contains("exited with status 3") == true)
            #expect(host.status.lastError?.contains("boom") == true)
            #expect(logs.contains("boom"))
        }
    }

    @Test func pluginSilentAtHelloIsRestartedAfterTheHandshakeTimeout() async throws {
        try await withScript("silent") { host, _, out, _ in
            try await eventually("a restart") { ScriptPlugin.records(out, kind: "start").count >= 2 }
            #expect(host.status.lastError?.contains("did not answer hello") == true)
        }
    }

    @Test func hangingPluginAnswers504AndIsRestarted() async throws {
        try await withScript("hang") { host, _, out, _ in
            try await eventually("caught up") { host.status.caughtUp }
            // What is left of a caller's deadline is rarely round: it is said to a tenth.
            let answer = await host.deliverWebhook(headers: [:], body: Array("{}".utf8), timeout: .microseconds(299_997))
            #expect(answer.status == 504)
            #expect(answer.error == "plugin hang did not answer within 0.3 s", "\(answer.error ?? "")")
            try await eventually("a restart") { ScriptPlugin.records(out, kind: "start").count >= 2 && host.status.restarts >= 1 }
            #expect(host.status.lastError?.contains("taken for hung") == true)
        }
    }

    @Test func floodOfGarbageIsLoggedStoppedAndRestarted() async throws {
        try await withScript("flood") { host, _, out, logs in
            try await eventually("two restarts") { host.status.restarts >= 2 }
            #expect(host.status.lastError?.contains("malformed line") == true)
            #expect(logs.contains("malformed line", atLeast: .error))
            #expect(ScriptPlugin.records(out, kind: "start").count >= 2)
        }
    }

    @Test func malformedEmitIsRejectedAndAppendsNothing() async throws {
        try await withScript("bad-emit", events: [comment(1, help: false)]) { host, log, out, _ in
            try await eventually("the rejection") { !ScriptPlugin.records(out, kind: "rejected").isEmpty }
            let rejected = ScriptPlugin.records(out, kind: "rejected")[0]
            #expect(rejected["ref"] as? String == "bad-1")
            #expect((rejected["error"] as? String)?.contains("data.ticket") == true)
            #expect(try log.head() == 1)
            #expect(host.status.restarts == 0 && host.status.emitsRejected == 1)
            // The plugin is still served: a webhook round trip works.
            let answer = await host.deliverWebhook(headers: [:], body: [], timeout: .seconds(30))
            #expect(answer.status == 202)
        }
    }

    @Test func backoffDoublesUpToItsMaximum() {
        let b = RestartBackoff(initial: .milliseconds(500), maximum: .seconds(30), healthyAfter: .seconds(60))
        #expect(b.delay(afterFailures: 1) == .milliseconds(500))
        #expect(b.delay(afterFailures: 2) == .seconds(1))
        #expect(b.delay(afterFailures: 7) == .seconds(30))
        #expect(b.delay(afterFailures: 100) == .seconds(30))
    }
}
