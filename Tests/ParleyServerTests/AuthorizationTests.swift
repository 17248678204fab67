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
