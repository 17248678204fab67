import ParleyConfiguration
import Hummingbird
import ParleyLog
import ParleyModel

/// `POST /v1/events` and `GET /v1/events`.
struct EventRoutes {
    let ingest: EventIngest
    let limits: ServerLimits

    func register(on group: RouterGroup<ParleyRequestContext>) {
        group.post("events") { request, context in try await append(request, context: context) }
        group.get("events") { request, context in try read(request, context: context) }
    }

    /// Appends the body as one atomic batch; 201 `{"positions": [...], "appended", "duplicates"}`
    /// once durable (`appended` counts the new events, `duplicates` those already in the log).
    func append(_ request: Request, context: ParleyRequestContext) async throws -> Response {
        let token = try context.require(.append)
        // It takes none; one given is a mistake to say, as the GET routes do.
        _ = try QueryParameters(request, allowed: [])
        let body = try await RequestBodies.collect(request, context: context, limit: limits.maxBodyBytes)
        let jsonLines = request.headers[.contentType].map(RequestBodies.isJSONLines) ?? false
        let batch = try EventBatchReader.read(body, jsonLines: jsonLines)
        for (index, event) in batch.enumerated() where !token.mayAppend(to: event.stream) {
            let allowed = (token.streams ?? []).map { "\"\($0)\"" }.joined(separator: ", ")
            throw APIError(.forbidden, "event \(index): token \"\(token.name)\" may not append to stream \"\(event.stream)\" (it may append to streams starting with \(allowed))", event: index, field: "stream")
        }
        let outcome: AppendOutcome
        do { outcome = try await ingest.append(consume batch) } catch { throw APIError(error) }
        return .json(.object([
            "positions": .array(outcome.positions.map { .int(Int64($0)) }),
            "appended": .int(Int64(outcome.appended)), "duplicates": .int(Int64(outcome.duplicates)),
        ]), status: .created)
    }

    /// The events from `from`, at most `limit`, of `stream` and `type`, as JSON Lines: the lines
    /// of `parley read`, streamed in chunks up to the head as the request found it.
    func read(_ request: Request, context: ParleyRequestContext) throws -> Response {
        try context.require(.read)
        let query = try QueryParameters(request, allowed: ["from", "limit", "stream", "type"])
        let from = try query.start("from") ?? 1
        let limit = try query.count("limit") ?? .max
        let stream = query.text("stream")
        let type = query.text("type")
        let log = ingest.log
        let body = ResponseBody { writer in
            var reader = EventLineReader(log: log, from: from, limit: limit, stream: stream, type: type)
            while true {
                let chunk = try await BlockingWork.run { [reader] in
                    var reader = reader
                    let bytes = try reader.nextChunk(maxBytes: 256 << 10)
                    return (reader, bytes)
                }
                reader = chunk.0
                guard let bytes = chunk.1 else { break }
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: body)
    }
}

/// Reads the lines of `parley read` chunk by chunk: each chunk one read transaction, all of them
/// bounded by the head the first chunk saw.
struct EventLineReader: Sendable {
    let log: EventLog
    let stream: String?
    let type: String?
    /// The next position to read (or, for a stream, the next index into its positions).
    var next: UInt64
    var remaining: Int
    var end: UInt64?
    var streamPositions: [UInt64]?
    /// Server-Sent Events (`id: P`, `data: LINE`, a blank line) instead of bare lines.
    var serverSentEvents = false

    init(log: EventLog, from: UInt64, limit: Int, stream: String?, type: String?, serverSentEvents: Bool = false) {
        self.log = log
        self.serverSentEvents = serverSentEvents
        self.next = max(from, 1)
        self.remaining = limit
        self.stream = stream
        self.type = type
    }

    /// The next chunk of lines (about `maxBytes`), or nil when done.
    mutating func nextChunk(maxBytes: Int) throws(LogError) -> [UInt8]? {
        guard remaining > 0 else { return nil }
        if end == nil {
            let head = try log.head()
            end = head
            if let stream {
                streamPositions = try log.positions(ofStream: stream).filter { $0 >= next && $0 <= head }
                next = 0
            }
        }
        var out: [UInt8] = []
        let type = self.type
        var printed = 0
        let wanted = remaining
        let sse = serverSentEvents
        func take(_ stored: StoredEventBytes) throws(LogError) -> Bool {
            if let type, try stored.decode().type != type { return true }
            if sse { out.append(contentsOf: "id: \(stored.position)\ndata: ".utf8) }
            stored.jsonLine(into: &out)
            if sse { out.append(0x0A) }
            printed += 1
            return printed < wanted && out.count < maxBytes
        }
        if let positions = streamPositions {
            while Int(next) < positions.count, printed < wanted, out.count < maxBytes {
                try log.scan(from: positions[Int(next)]) { stored throws(LogError) in
                    _ = try take(stored)
                    return false
                }
                next += 1
            }
        } else if let end, next <= end {
            var last = end
            try log.scan(from: next) { stored throws(LogError) in
                guard stored.position <= end else { return false }
                last = stored.position
                return try take(stored)
            }
            next = last + 1
        }
        remaining -= printed
        return out.isEmpty ? nil : out
    }
}
