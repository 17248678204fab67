import Foundation
import ParleyLog
import ParleyModel
import NIOHTTP1
import Logging
import ParleyConfiguration
import ParleyServer
import ParleyTestSupport
import Testing

/// `/healthz`, `/readyz`, `/metrics` and the plugin webhook seam.
@Suite struct OperationsTests {
    /// Spec: one line per request at `info` with method, route, status and duration (and the
    /// token's name), and no body or secret in any line.
    @Test func eachRequestIsOneInfoLineWithoutBodyOrSecret() async throws {
        let logs = LogRecorder()
        var logger = logs.logger
        logger.logLevel = .info
        try await withDaemon(logger: logger) { api, _ async throws in
            let event = #"{"stream":"ticket:secretive-body","type":"ticket.opened","time":"2026-03-02T09:00:00Z","data":{"ticket":"t1","member":"m1"}}"#
            #expect(try await api.post(event).status == 201)
            #expect(try await api.send(.GET, "/v1/events", token: "not-a-configured-secret").status == 401)
        }
        let requests = logs.all.filter { $0.hasPrefix("info: request ") }
        #expect(requests.count == 2, "\(logs.all)")
        let post = try #require(requests.first { $0.contains("http.method=POST") }, "\(requests)")
        // The token by its name (who appended), never by its secret.
        for part in ["http.route=/v1/events", "http.status=201", "http.duration_ms=", "parley.token=admin"] { #expect(post.contains(part), "\(post)") }
        #expect(requests.contains { $0.contains("http.method=GET") && $0.contains("http.status=401") }, "\(requests)")
        for line in logs.all {
            #expect(!line.contains("secretive-body") && !line.contains(TestTokens.admin) && !line.contains("not-a-configured-secret"), "\(line)")
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await withDaemon { api, _ in
            let health = try await api.send(.GET, "/healthz", token: nil)
            #expect(health.status == 200)
            var ready = try await api.send(.GET, "/readyz", token: nil)
            for _ in 0..<50 where ready.status != 200 {
                try await Task.sleep(for: .milliseconds(50))
                ready = try await api.send(.GET, "/readyz", token: nil)
            }
            #expect(ready.status == 200)
            #expect(ready.json.objectValue?["ready"] == .bool(true))
            #expect(try await api.post("[\(ticketOpened("m1")),\(ticketOpened("m2"))]").status == 201)
            _ = try await api.send(.GET, "/v1/views/support/sla")
            try await Task.sleep(for: .milliseconds(300))
            let metrics = try await api.send(.GET, "/metrics", token: nil)
            #expect(metrics.status == 200)
            let text = metrics.text
            #expect(text.contains("parley_events_appended_total 2"))
            #expect(text.contains("parley_commit_events_bucket"))
            #expect(text.contains("parley_commit_duration_seconds_bucket"))
            #expect(text.contains("parley_http_requests_total{route=\"/v1/events\",method=\"POST\",status=\"201\"} 1"))
            #expect(text.contains("parley_http_request_duration_seconds_bucket{route=\"/v1/events\""))
            #expect(text.contains("parley_view_lag_positions 0"))
            #expect(text.contains("parley_sse_clients"))
            #expect(text.contains("parley_support_sla_breached_tickets"))
            // Every metric the shipped alert rules read is served.
            let rules = try String(contentsOfFile: Self.repository + "/ops/prometheus/alerts.yml", encoding: .utf8)
            let used = Set(rules.matches(of: /parley_[a-z_]+/).map { String($0.output) })
            #expect(used.count >= 6, "\(used)")
            for name in used.sorted() {
                // The name itself, not a longer one it begins (`…_bytes` in `…_bytes_total`).
                let served = ("\n" + text).contains("\n\(name) ") || ("\n" + text).contains("\n\(name){")
                #expect(served, "ops/prometheus/alerts.yml reads \(name), which /metrics does not serve")
            }
        }
    }

    /// `ops/backup`: a copy that `audit verify` passed, under a name of its own; the newest
    /// `PARLEY_BACKUP_KEEP` kept; nothing left behind by a backup that fails or a bad setting.
    @Test func opsBackupKeepsTheNewestVerifiedCopies() async throws {
        let data = temporaryPath(), root = temporaryPath(), stranger = temporaryPath()
        defer { for path in [data, root, stranger] { try? FileManager.default.removeItem(atPath: path) } }
        let script = Self.repository + "/ops/backup"
        let parley = URL(fileURLWithPath: DaemonProcess.executable).deletingLastPathComponent().appendingPathComponent("parley").path
        let append = { (ticket: String) async throws in
            let line = try await runProgram(parley, ["append", "--data", data, "--stream", "ticket:\(ticket)", "--type", "ticket.opened",
                "--time", "2026-03-02T09:00:00Z", "--data", #"{"ticket":"\#(ticket)","member":"m1"}"#])
            #expect(line.status == 0, "\(line.stderr)")
        }
        func backups() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: root).sorted() }
        func head(of backup: String) throws -> UInt64 { try EventLog(directory: root + "/" + backup, create: false).head() }

        try await append("t1")
        let first = try await runProgram(script, [data, root], environment: ["PARLEY_BIN": parley, "PARLEY_BACKUP_KEEP": "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let afterFirst = try backups()
        #expect(afterFirst.count == 1, "\(afterFirst)")
        let firstName = try #require(afterFirst.first)
        #expect(firstName.hasPrefix("parley-") && firstName.hasSuffix("Z"), "\(firstName)")
        #expect(first.output.hasSuffix("ops/backup: \(root)/\(firstName)\n"), "\(first.output)")
        // The log alone: the index `audit verify` built in the copy is not kept.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/" + firstName).contains("views") == false)
        #expect(try head(of: firstName) == 1)

        try await append("t2")
        let second = try await runProgram(script, [data, root], environment: ["PARLEY_BIN": parley, "PARLEY_BACKUP_KEEP": "1"])
        #expect(second.status == 0, "\(second.stderr)")
        let kept = try backups()
        #expect(kept.count == 1 && kept != [firstName], "\(kept)")
        #expect(try head(of: kept[0]) == 2)

        // A directory that is not a log, and a setting that keeps nothing: refused, nothing written.
        try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: stranger + "/notes.txt"))
        let failed = try await runProgram(script, [stranger, root], environment: ["PARLEY_BIN": parley])
        #expect(failed.status != 0 && failed.stderr.contains("not a Parley data directory"), "\(failed.stderr)")
        let refused = try await runProgram(script, [data, root], environment: ["PARLEY_BIN": parley, "PARLEY_BACKUP_KEEP": "0"])
        #expect(refused.status == 2 && refused.stderr.contains("PARLEY_BACKUP_KEEP"), "\(refused.stderr)")
        #expect(try backups() == kept)
    }

    /// The repository's root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct EchoPlugins: PluginWebhookHandler {
        func deliver(_ webhook: PluginWebhook, logger: Logger) async -> PluginWebhookAnswer {
            guard webhook.plugin == "echo" else { return .noSuchPlugin(webhook.plugin) }
            if webhook.headers["x-signature"] != "good" { return PluginWebhookAnswer(status: 401, error: "bad signature") }
            return PluginWebhookAnswer()
        }
    }

    @Test func webhooksReachThePluginHostSeam() async throws {
        try await withDaemon { api, _ in
            let none = try await api.send(.POST, "/v1/plugins/github/webhook", body: Array("{}".utf8))
            #expect(none.status == 404)
            #expect(none.error?.contains("no such plugin") == true)
        }
        try await withDaemon(webhooks: EchoPlugins()) { api, _ in
            #expect(try await api.send(.POST, "/v1/plugins/echo/webhook", body: Array("{}".utf8), headers: [("X-Signature", "good")]).status == 202)
            let bad = try await api.send(.POST, "/v1/plugins/echo/webhook", body: Array("{}".utf8), headers: [("X-Signature", "bad")])
            #expect(bad.status == 401)
            #expect(bad.error == "bad signature")
            #expect(try await api.send(.POST, "/v1/plugins/other/webhook", body: []).status == 404)
            #expect(try await api.send(.POST, "/v1/plugins/echo/webhook", token: TestTokens.reader, body: []).status == 403)
            // GitHub sends payloads of up to 25 MB, past the 16 MiB of an append.
            let large = [UInt8](repeating: 0x20, count: 24 << 20)
            #expect(try await api.send(.POST, "/v1/plugins/echo/webhook", body: large, headers: [("X-Signature", "good")]).status == 202)
            let tooLarge = try await api.send(.POST, "/v1/plugins/echo/webhook", body: large + large, headers: [("X-Signature", "good")])
            #expect(tooLarge.status == 413)
            #expect(tooLarge.error?.contains("32 MiB") == true)
        }
    }
}

