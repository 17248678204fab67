import Foundation
import Testing
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyTestSupport

/// The sla-watch plugin under the host, with ticks every 50 ms.
@Suite struct SLAWatchTests {
    @Test func escalatesEachLateTicketExactlyOnceAcrossTicksAndARestart() async throws {
        try await withTemporaryLog { log, _ in
            let now = Date().timeIntervalSince1970
            func ago(_ seconds: Double) -> String { Instant(seconds: now - seconds).rfc3339 }
            func opened(_ t: String, at time: String, _ n: Int) -> NewEvent {
                event("ticket.opened", stream: "ticket:\(t)", id: "o\(n)", time: time, ["ticket": .string(t), "member": "m1"])
            }
            _ = try log.append([
                event("policy.set", stream: "policy:sla", id: "p1", time: "2020-01-01T00:00:00Z",
                      ["name": "sla", "value": ["first_response_s": 3600, "hours": "24x7"]]),
                opened("late", at: ago(7200), 1),  // due an hour ago: breached
                opened("answered", at: ago(7200), 2),
                event("ticket.replied", stream: "ticket:answered", id: "r1", time: ago(7000), ["ticket": "answered", "by": "s1", "staff": true]),
                opened("fresh", at: ago(60), 3),  // due in 59 minutes: not yet
                opened("soon", at: ago(3000), 4),  // due in 10 minutes, within 15: due soon
                opened("closed", at: ago(7200), 5),
                event("ticket.resolved", stream: "ticket:closed", id: "x1", time: ago(7100), ["ticket": "closed"]),
            ])
            let committer = GroupCommitter(log: log)
            defer { committer.shutdown() }
            var configuration = fastConfiguration(
                "sla-watch", command: [try productBinary("parley-plugin-sla-watch")], config: ["team": "leads"])
            configuration.tickSeconds = 0.05
            func escalations() throws -> [Event] { try log.read(type: "ticket.escalated") }

            let host = try makeHost(configuration, log: log, committer: committer, logs: LogRecorder())
            try await withRunningHost(host) {
                try await eventually("two escalations") { try escalations().count == 2 }
                try await Task.sleep(for: .milliseconds(300))  // several more ticks
                #expect(try escalations().count == 2)
                // Emitted, not only stored: an escalation sent again has the same id and time,
                // and the log would keep it once as a duplicate.
                #expect(host.status.eventsEmitted == 2, "the plugin escalated again on later ticks")
            }
            let found = try escalations()
            #expect(found.map(\.id).sorted() == ["sla-watch:late:escalated", "sla-watch:soon:escalated"])
            let reasons = Dictionary(uniqueKeysWithValues: found.map { ($0.data["ticket"]!.stringValue!, $0.data["reason"]!.stringValue!) })
            #expect(reasons == ["late": "sla_breached", "soon": "sla_due_soon"])
            #expect(found.allSatisfy { $0.data["team"] == "leads" && $0.source == "sla-watch" })
            // The watch of "fresh" (and the policy it is judged under, at position 1) holds the checkpoint.
            #expect(try PluginCheckpoints(log: log).position(of: "sla-watch") ?? 0 == 0)

            // A restart replays, finds its own escalations, and escalates nothing twice.
            let again = try makeHost(configuration, log: log, committer: committer, logs: LogRecorder())
            try await withRunningHost(again) {
                try await eventually("the restarted plugin caught up") { again.status.caughtUp }
                try await Task.sleep(for: .milliseconds(300))
                #expect(again.status.eventsEmitted == 0, "the restarted plugin did not recognise its own escalations")
            }
            #expect(try escalations().count == 2)
            #expect(again.status.emitsRejected == 0)
        }
    }

    /// A restart keeps the policies even when no ticket was watched: a ticket opened after it is
    /// judged under the one in force at its opening, not under the defaults.
    @Test func aTicketOpenedAfterARestartIsJudgedUnderTheLogsPolicy() async throws {
        try await withTemporaryLog { log, _ in
            _ = try log.append([event("policy.set", stream: "policy:sla", id: "p1", time: "2020-01-01T00:00:00Z",
                                      ["name": "sla", "value": ["first_response_s": 600, "hours": "24x7"]])])
            let committer = GroupCommitter(log: log)
            defer { committer.shutdown() }
            var configuration = fastConfiguration("sla-watch", command: [try productBinary("parley-plugin-sla-watch")])
            configuration.tickSeconds = 0.05
            let first = try makeHost(configuration, log: log, committer: committer, logs: LogRecorder())
            try await withRunningHost(first) {
                try await eventually("caught up") { first.status.caughtUp }
                try await Task.sleep(for: .milliseconds(300))  // ticks, and checkpoints with them
            }
            // Nothing is watched, yet the policy at position 1 holds the checkpoint.
            #expect(try PluginCheckpoints(log: log).position(of: "sla-watch") ?? 0 == 0)
            // Due in 10 minutes under the policy (within the 15 of warn_before_s), in hours of
            // business under the defaults.
            _ = try log.append([event("ticket.opened", stream: "ticket:new", id: "o1", time: Instant.now.rfc3339, ["ticket": "new", "member": "m1"])])
            let again = try makeHost(configuration, log: log, committer: committer, logs: LogRecorder())
            try await withRunningHost(again) {
                try await eventually("the escalation") { try log.read(type: "ticket.escalated").count == 1 }
                try await Task.sleep(for: .milliseconds(300))  // several more ticks
                #expect(again.status.eventsEmitted == 1, "the plugin escalated again on later ticks")
            }
            #expect(try log.read(type: "ticket.escalated").first?.data["reason"] == "sla_due_soon")
        }
    }
}
