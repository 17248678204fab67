import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ParleyLog
import ParleyModel
import ParleyServer
import Testing

/// `POST /v1/events` and `GET /v1/events` against a real server on loopback.
@Suite struct EventRouteTests {
    @Test func oneEventAnArrayAndJSONLinesEachAppendOneBatch() async throws {
        try await withDaemon { api, daemon in
            let one = try await api.post(ticketOpened("t1"))
            #expect(one.status == 201)
            #expect(APIClient.positions(one) == [1])
            let array = try await api.post("[\(ticketOpened("t2")),\(ticketOpened("t3"))]")
            #expect(array.status == 201)
            #expect(APIClient.positions(array) == [2, 3])
            let lines = try await api.post("\(ticketOpened("t4"))\n\n\(ticketOpened("t5"))\n", ndjson: true)
            #expect(lines.status == 201)
            #expect(APIClient.positions(lines) == [4, 5])
            #expect(try daemon.log.head() == 5)
            // The media type is read without its parameters and blanks, in any case; a
            // longer name is not JSON Lines (two lines are then not one JSON document).
            let body = Array("\(ticketOpened("t7"))\n\(ticketOpened("t8"))".utf8)
            for (type, status) in [(" Application/X-NDJSON ; charset=utf-8", 201), ("application/jsonl", 201), ("application/x-ndjsonx", 400)] {
                let answer = try await api.send(.POST, "/v1/events", body: body, headers: [("Content-Type", type)])
                #expect(answer.status == status, "\(type)")
            }
            #expect(try daemon.log.head() == 9)
            // A retried duplicate is a no-op that answers the existing position.
            let first = try await api.post(ticketOpened("t6", id: "fixed-id"))
            #expect(first.status == 201)
            let again = try await api.post(ticketOpened("t6", id: "fixed-id"))
            #expect(APIClient.positions(again) == APIClient.positions(first))
        }
    }

    @Test func readReturnsTheLinesOfParleyReadWithFilters() async throws {
        try await withDaemon { api, daemon in
            _ = try await api.post("[\(ticketOpened("a")),\(ticketOpened("b")),\(ticketOpened("a", id: "x2", time: "2026-03-02T10:00:00Z").replacingOccurrences(of: "ticket.opened", with: "ticket.resolved"))]")
            let all = try await api.send(.GET, "/v1/events")
            #expect(all.status == 200)
            #expect(all.headers.first(name: "Content-Type") == "application/x-ndjson")
            var expected: [UInt8] = []
            try daemon.log.scan { stored in stored.jsonLine(into: &expected); return true }
            #expect(all.body == expected)
            let lines = all.text.split(separator: "\n")
            #expect(lines.count == 3)
            let fromTwo = try await api.send(.GET, "/v1/events?from=2&limit=1")
            #expect(fromTwo.text.split(separator: "\n").count == 1)
            #expect(fromTwo.text.contains("\"position\":2"))
            let stream = try await api.send(.GET, "/v1/events?stream=ticket:a")
            #expect(stream.text.split(separator: "\n").count == 2)
            let type = try await api.send(.GET, "/v1/events?type=ticket.resolved")
            #expect(type.text.split(separator: "\n").count == 1)
            let typo = try await api.send(.GET, "/v1/events?form=2")
            #expect(typo.status == 400)
            #expect(typo.error?.contains("\"form\"") == true)
            let badFrom = try await api.send(.GET, "/v1/events?from=zero")
            #expect(badFrom.status == 400)
            // 0 starts at the first event, as `parley read --from 0` does.
            let fromZero = try await api.send(.GET, "/v1/events?from=0&limit=1")
            #expect(fromZero.status == 200)
            #expect(fromZero.text.contains("\"position\":1"))
            // An empty filter would match nothing, silently.
            let emptyStream = try await api.send(.GET, "/v1/events?stream=")
            #expect(emptyStream.status == 400)
            #expect(emptyStream.error == "query parameter \"stream\" has no value")
        }
    }

    @Test func badBodiesAreRefusedWithTheEventAndField() async throws {
        try await withDaemon { api, daemon in
            let notJSON = try await api.post("this is not json")
            #expect(notJSON.status == 400)
            #expect(notJSON.error?.contains("not valid JSON") == true)
            let badUTF8 = try await api.send(.POST, "/v1/events", body: Array("{\"stream\":\"ticket:x\",\"type\":\"ticket.opened\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"ticket\":\"".utf8) + [0xC3, 0x28] + Array("\",\"member\":\"m\"}}".utf8))
            #expect(badUTF8.status == 400)
            let empty = try await api.post("[]")
            #expect(empty.status == 400)
            let missing = try await api.post("[\(ticketOpened("ok")),{\"stream\":\"ticket:y\",\"type\":\"ticket.opened\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"member\":\"m\"}}]")
            #expect(missing.status == 400)
            #expect(missing.json.objectValue?["event"]?.intValue == 1)
            #expect(missing.json.objectValue?["field"]?.stringValue == "data.ticket")
            let badLine = try await api.post("\(ticketOpened("ok"))\n{nope\n", ndjson: true)
            #expect(badLine.status == 400)
            #expect(badLine.json.objectValue?["event"]?.intValue == 1)
            let extra = try await api.post("{\"stream\":\"s\",\"type\":\"t\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{},\"colour\":1}")
            #expect(extra.json.objectValue?["field"]?.stringValue == "colour")
            // A query parameter is a mistake here, as on the GET routes; a compressed body is
            // refused as such, not as bytes that are not JSON.
            let query = try await api.send(.POST, "/v1/events?stream=ticket:x", body: Array(ticketOpened("q").utf8))
            #expect(query.status == 400)
            #expect(query.error == "unknown query parameter \"stream\" (this route takes none)")
            let gzip = try await api.send(.POST, "/v1/events", body: [0x1F, 0x8B, 0x08, 0x00], headers: [("Content-Encoding", "gzip")])
            #expect(gzip.status == 415)
            #expect(gzip.error?.contains("Content-Encoding gzip") == true)
            // Nothing of a refused batch was written.
            #expect(try daemon.log.head() == 0)
        }
    }

    @Test func conflictsAre409OversizedBodies413AndOversizedEvents400() async throws {
        try await withDaemon { api, daemon in
            #expect(try await api.post(ticketOpened("c", expected: 0)).status == 201)
            let version = try await api.post(ticketOpened("c", expected: 0))
            #expect(version.status == 409)
            #expect(version.json.objectValue?["event"]?.intValue == 0)
            #expect(try await api.post(ticketOpened("d", id: "same")).status == 201)
            let id = try await api.post(ticketOpened("e", id: "same"))
            #expect(id.status == 409)
            // 17 MiB: over the request limit.
            let big = "[" + String(repeating: " ", count: 17 << 20) + "]"
            let tooLarge = try await api.post(big)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.error?.contains("16 MiB") == true)
            // The same without Content-Length (chunked): found over the limit while read.
            var chunked = HTTPClientRequest(url: api.base + "/v1/events")
            chunked.method = .POST
            chunked.headers.add(name: "Authorization", value: "Bearer \(TestTokens.admin)")
            chunked.body = .bytes(Array(big.utf8), length: .unknown)
            let response = try await api.http.execute(chunked, timeout: .seconds(30))
            var answer = try await response.body.collect(upTo: 1 << 20)
            #expect(response.status.code == 413)
            #expect(response.headers.first(name: "Content-Type") == "application/json")
            #expect(answer.readString(length: answer.readableBytes)?.contains("over the limit of 16 MiB") == true)
            // One event over 1 MiB encoded, in a request under 16 MiB: an invalid event.
            let huge = "{\"stream\":\"s:1\",\"type\":\"note\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"x\":\"\(String(repeating: "a", count: 1_100_000))\"}}"
            let event = try await api.post(huge)
            #expect(event.status == 400)
            #expect(event.json.objectValue?["event"]?.intValue == 0)
            #expect(event.json.objectValue?["field"]?.stringValue == "data")
            #expect(try daemon.log.head() == 2)
        }
    }
}
