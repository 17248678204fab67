import AsyncHTTPClient
import Foundation
import ParleyModel
import NIOHTTP1
import NIOCore
import ParleyServer
import Testing

/// `GET /v1/events/stream`: history from P, then live, resumable with Last-Event-ID.
@Suite struct EventStreamTests {
    /// Reads Server-Sent Events until `count` events arrived; returns their ids and data lines.
    static func read(_ api: APIClient, path: String, lastEventID: String? = nil, count: Int, whileOpen: @Sendable () async throws -> Void = {}) async throws -> [(id: UInt64, data: String)] {
        var request = HTTPClientRequest(url: api.base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(TestTokens.reader)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await api.http.execute(request, timeout: .seconds(20))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        var text = ""
        var events: [(UInt64, String)] = []
        var started = false
        for try await buffer in response.body {
            text += String(buffer: buffer)
            while let range = text.range(of: "\n\n") {
                let block = text[..<range.lowerBound]
                text = String(text[range.upperBound...])
                var id: UInt64?
                var data: String?
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = UInt64(line.dropFirst(4)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                if let id, let data { events.append((id, data)) }
                if !started {
                    started = true
                    try await whileOpen()
                }
            }
            if events.count >= count { break }
        }
        return events
    }

    @Test func historyThenLiveThenResume() async throws {
        try await withDaemon { api, _ in
            #expect(try await api.post("[\(ticketOpened("h1")),\(ticketOpened("h2")),\(ticketOpened("h3"))]").status == 201)
            // History from 2, then two live events appended while the stream is open.
            let events = try await Self.read(api, path: "/v1/events/stream?from=2", count: 4) {
                Task {
                    try await Task.sleep(for: .milliseconds(100))
                    _ = try await api.post(ticketOpened("live1"))
                    _ = try await api.post(ticketOpened("live2"))
                }
            }
            #expect(events.map(\.id) == [2, 3, 4, 5])
            #expect(events[2].data.contains("\"ticket\":\"live1\""))
            #expect(events[0].data.contains("\"position\":2") && events[0].data.contains("\"hash\":"))
            // A reconnecting client sends the last id it saw.
            let resumed = try await Self.read(api, path: "/v1/events/stream?from=1", lastEventID: "4", count: 1)
            #expect(resumed.map(\.id) == [5])
            let bad = try await api.send(.GET, "/v1/events/stream", token: TestTokens.reader, headers: [("Last-Event-ID", "four")])
            #expect(bad.status == 400)
        }
    }
}
