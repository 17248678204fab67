import AsyncHTTPClient
import Crypto
import Foundation
import ParleyTestSupport
import NIOCore
import NIOHTTP1
import Testing
import ParleyModel

/// A GitHub webhook through a real `parleyd` and its `parley-plugin-github` child: signed, it
/// ends as a ticket in the support view; badly signed, it is refused and appends nothing.
@Suite(.serialized) struct PluginWebhookRoundTripTests {
    static let secret = "round-trip-webhook-secret"

    static func fixture(_ path: String) throws -> Data {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return try Data(contentsOf: here.appendingPathComponent("../ParleyPluginTests/Fixtures/github-webhooks/\(path)"))
    }

    static func signature(_ body: Data, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Posts a GitHub webhook; `bearer: false` sends no Authorization header, as GitHub does.
    func post(_ http: HTTPClient, _ url: String, body: Data, event: String, signature: String, bearer: Bool = true) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if bearer { request.headers.add(name: "Authorization", value: "Bearer \(TestTokens.admin)") }
        request.headers.add(name: "X-GitHub-Event", value: event)
        request.headers.add(name: "X-GitHub-Delivery", value: UUID().uuidString)
        request.headers.add(name: "X-Hub-Signature-256", value: signature)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: Array(body)))
        let response = try await http.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text)
    }

    func get(_ http: HTTPClient, _ url: String) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(TestTokens.admin)")
        let response = try await http.execute(request, timeout: .seconds(30))
        return try JSONParser.parse(Array(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func signedIssueBecomesATicketAndABadSignatureAppendsNothing() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.startWithGitHubPlugin(directory: directory, secret: Self.secret, logLevel: "info")
        let http = makeHTTPClient()
        let hook = daemon.base + "/v1/plugins/github/webhook"
        let opened = try Self.fixture("issues/opened.payload.json")

        // Wait (however slow the machine) until the plugin answers GitHub's ping.
        let ping = try Self.fixture("ping/payload.json")
        var up = false
        for _ in 0..<120 where !up {
            let (status, _) = try await post(http, hook, body: ping, event: "ping", signature: Self.signature(ping, secret: Self.secret))
            up = status == 202
            if !up { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(up, "the github plugin never answered a ping")

        // A bad signature: refused with 401, nothing appended.
        let (refused, _) = try await post(http, hook, body: opened, event: "issues", signature: Self.signature(opened, secret: "wrong"))
        #expect(refused == 401)
        let before = try await get(http, daemon.base + "/v1/views/support/sla?as_of=2030-01-01T00:00:00Z")
        #expect(before["tickets"] == 0)

        // Signed: 202 once the plugin has emitted; the ticket is in the support view.
        let (accepted, text) = try await post(http, hook, body: opened, event: "issues", signature: Self.signature(opened, secret: Self.secret))
        #expect(accepted == 202, "\(text)")
        let after = try await get(http, daemon.base + "/v1/views/support/sla?as_of=2030-01-01T00:00:00Z")
        #expect(after["tickets"] == 1)
        #expect(after["open"] == 1)

        // Redelivered: nothing new.
        let (again, _) = try await post(http, hook, body: opened, event: "issues", signature: Self.signature(opened, secret: Self.secret))
        #expect(again == 202)
        let tickets = try await get(http, daemon.base + "/v1/views/support/tickets?as_of=2030-01-01T00:00:00Z")
        #expect(tickets["tickets"]?.arrayValue?.count == 1)

        // As GitHub calls it: no Authorization header, the token in the webhook URL.
        let signed = Self.signature(opened, secret: Self.secret)
        let (byURL, byURLText) = try await post(http, hook + "?token=\(TestTokens.admin)", body: opened, event: "issues", signature: signed, bearer: false)
        #expect(byURL == 202, "\(byURLText)")
        let (wrongURL, _) = try await post(http, hook + "?token=not-a-configured-secret", body: opened, event: "issues", signature: signed, bearer: false)
        #expect(wrongURL == 401)
        let (noToken, noTokenText) = try await post(http, hook, body: opened, event: "issues", signature: signed, bearer: false)
        #expect(noToken == 401 && noTokenText.contains("?token=TOKEN"), "\(noTokenText)")
        // Only a webhook takes it there: every other route wants the header.
        let (events, _) = try await post(http, daemon.base + "/v1/events?token=\(TestTokens.admin)", body: Data("{}".utf8), event: "issues", signature: "", bearer: false)
        #expect(events == 401)

        // An unknown plugin is 404.
        let (missing, _) = try await post(http, daemon.base + "/v1/plugins/nope/webhook", body: opened, event: "issues", signature: "")
        #expect(missing == 404)
        try await http.shutdown()
        daemon.signal(SIGTERM)
        let exited = await daemon.exit()
        #expect(exited.status == 0)
        // A token in a URL is a secret all the same: the request lines name the route only.
        #expect(exited.stderr.contains("http.route=/v1/plugins/{name}/webhook"), "\(exited.stderr.suffix(2000))")
        #expect(!exited.stderr.contains(TestTokens.admin) && !exited.stderr.contains("not-a-configured-secret"))
    }
}
