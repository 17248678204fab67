import Foundation
import NIOHTTP1
import ParleyModel
import ParleyConfiguration
import ParleyServer
import Testing

/// The token matrix: no token, a wrong secret, a missing scope, a foreign stream prefix.
@Suite struct AuthorizationTests {
    @Test func withoutTokensOnlyTheOperationsRoutesAnswer() async throws {
        try await withDaemon(tokens: []) { api, _ in
            #expect(try await api.send(.GET, "/healthz", token: nil).status == 200)
            #expect(try await api.send(.GET, "/readyz", token: nil).status == 200)
            #expect(try await api.send(.GET, "/metrics", token: nil).status == 200)
            let events = try await api.send(.GET, "/v1/events", token: nil)
            #expect(events.status == 401)
            #expect(events.error?.contains("no tokens configured") == true)
            #expect(events.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            // "every other route says 401 and why": a path no route takes too.
            let unknown = try await api.send(.GET, "/v1/nosuch", token: nil)
            #expect(unknown.status == 401)
            #expect(unknown.error?.contains("no tokens configured") == true)
        }
    }

    /// A request no route takes: 401 without a token (as every route but the health ones), then
    /// a JSON 405 naming the methods when its path is a route's, else a JSON 404.
    @Test func unmatchedRequestsAreAuthenticatedThenAnsweredInJSON() async throws {
        try await withDaemon { api, _ in
            for path in ["/", "/v1/nosuch", "/v1/views/support"] {
                let anonymous = try await api.send(.GET, path, token: nil)
                #expect(anonymous.status == 401, "\(path)")
                #expect(anonymous.error?.contains("no Authorization header") == true, "\(path): \(anonymous.text)")
                let missing = try await api.send(.GET, path)
                #expect(missing.status == 404, "\(path)")
                #expect(missing.headers.first(name: "Content-Type") == "application/json", "\(path)")
                #expect(missing.error?.contains("there is no route GET \(path);") == true, "\(path): \(missing.text)")
            }
            let delete = try await api.send(.DELETE, "/v1/events")
            #expect(delete.status == 405)
            #expect(delete.headers.first(name: "Allow") == "GET, HEAD, POST")
            #expect(delete.error == "/v1/events does not take DELETE (it takes GET, HEAD, POST)")
            let webhook = try await api.send(.GET, "/v1/plugins/github/webhook")
            #expect(webhook.status == 405)
            #expect(webhook.headers.first(name: "Allow") == "POST")
            // HEAD answers where GET does.
            let head = try await api.send(.HEAD, "/healthz", token: nil)
            #expect(head.status == 200)
            #expect(head.text.isEmpty)
            // Routes that match are not touched: a wrong scope is still 403, not 404.
            #expect(try await api.send(.GET, "/v1/events", token: TestTokens.appender).status == 403)
            // In the request metrics, every request no route took is the route "unmatched".
            let metrics = try await api.send(.GET, "/metrics", token: nil).text
            for status in [401, 404, 405] {
                #expect(metrics.contains(#"parley_http_requests_total{route="unmatched",method="GET",status="\#(status)"}"#), "\(status)")
            }
            #expect(!metrics.contains(#"route="NotFound""#))
        }
    }

    @Test func tokenMatrix() async throws {
        try await withDaemon { api, _ in
            let none = try await api.send(.GET, "/v1/events", token: nil)
            #expect(none.status == 401)
            #expect(none.error?.contains("no Authorization header") == true)
            let wrong = try await api.send(.GET, "/v1/events", token: "not-a-configured-secret")
            #expect(wrong.status == 401)
            #expect(wrong.error?.contains("matches no configured token") == true)
            #expect(wrong.text.contains("not-a-configured-secret") == false)
            let basic = try await api.send(.GET, "/v1/events", token: nil, headers: [("Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l")])
            #expect(basic.status == 401)

            // read scope: reads yes, appends no.
            #expect(try await api.send(.GET, "/v1/events", token: TestTokens.reader).status == 200)
            let readerPost = try await api.post(ticketOpened("r"), token: TestTokens.reader)
            #expect(readerPost.status == 403)
            #expect(readerPost.error?.contains("append scope") == true)
            #expect(try await api.send(.GET, "/v1/views/support/sla", token: TestTokens.reader).status == 200)

            // append scope: appends yes, reads no.
            #expect(try await api.post(ticketOpened("a"), token: TestTokens.appender).status == 201)
            let appenderRead = try await api.send(.GET, "/v1/events", token: TestTokens.appender)
            #expect(appenderRead.status == 403)
            #expect(appenderRead.error?.contains("read scope") == true)
            #expect(try await api.send(.GET, "/v1/views/support/sla", token: TestTokens.appender).status == 403)
            #expect(try await api.send(.GET, "/v1/events/stream", token: TestTokens.appender).status == 403)

            // Stream prefixes: ticket: and member: only.
            #expect(try await api.post(ticketOpened("p"), token: TestTokens.ticketsOnly).status == 201)
            let foreign = try await api.post("[\(ticketOpened("q")),{\"stream\":\"post:1\",\"type\":\"note\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{}}]", token: TestTokens.ticketsOnly)
            #expect(foreign.status == 403)
            #expect(foreign.json.objectValue?["event"]?.intValue == 1)
            #expect(foreign.json.objectValue?["field"]?.stringValue == "stream")
            #expect(foreign.error?.contains("\"post:1\"") == true)

            // admin implies every scope.
            #expect(try await api.post("{\"stream\":\"post:1\",\"type\":\"note\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{}}").status == 201)
            #expect(try await api.send(.GET, "/v1/events").status == 200)
        }
    }

    @Test func tokenBookComparesDigests() {
        let book = TokenBook(TestTokens.all)
        #expect(book.token(forSecret: Array(TestTokens.reader.utf8))?.name == "reader")
        #expect(book.token(forSecret: Array("reader-secret-012345678".utf8)) == nil)
        #expect(book.token(forSecret: []) == nil)
    }
}
