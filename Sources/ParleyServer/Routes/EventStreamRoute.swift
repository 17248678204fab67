import ParleyConfiguration
import Foundation
import Hummingbird
import HTTPTypes
import Prometheus
import Logging
import ParleyLog
import ServiceLifecycle

/// `GET /v1/events/stream?from=P`: Server-Sent Events. The events from P (or after the
/// `Last-Event-ID` a reconnecting client sends), then each new one as it is committed; `id:` is
/// the position and `data:` the event's JSON line. A client that stops reading is dropped after
/// a write timeout; the stream ends at graceful shutdown.
struct EventStreamRoute {
    let ingest: EventIngest
    let limits: ServerLimits
    let metrics: DaemonMetrics
    let clients: StreamClientCount

    func register(on group: RouterGroup<ParleyRequestContext>) {
        group.get("events/stream") { request, context in try stream(request, context: context) }
    }

    func stream(_ request: Request, context: ParleyRequestContext) throws -> Response {
        try context.require(.read)
        let query = try QueryParameters(request, allowed: ["from"])
        var from = try query.start("from") ?? 1
        if let lastID = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let last = UInt64(lastID.trimmingCharacters(in: .whitespaces)) else {
                throw APIError(.badRequest, "the Last-Event-ID header must be a position (a whole number), got \"\(lastID)\"", field: "Last-Event-ID")
            }
            from = last + 1
        }
        guard clients.enter(limit: limits.maxStreamClients) else {
            throw APIError(.serviceUnavailable, "too many event stream clients (\(limits.maxStreamClients)); retry later")
        }
        metrics.streamClients.set(to: Double(clients.count))
        let ingest = self.ingest, limits = self.limits, metrics = self.metrics, clients = self.clients
        let logger = context.logger
        let start = from
        let body = ResponseBody { writer in
            defer {
                clients.leave()
                metrics.streamClients.set(to: Double(clients.count))
            }
            var next = start
            let timed = TimedWriter(timeout: limits.streamWriteTimeoutSeconds)
            do {
                try await timed.write(ByteBuffer(string: ": parley event stream from position \(start)\n\n"), to: &writer)
                while !Task.isShuttingDownGracefully {
                    var reader = EventLineReader(log: ingest.log, from: next, limit: .max, stream: nil, type: nil, serverSentEvents: true)
                    while true {
                        let chunk = try await BlockingWork.run { [reader] in
                            var reader = reader
                            let bytes = try reader.nextChunk(maxBytes: 64 << 10)
                            return (reader, bytes)
                        }
                        reader = chunk.0
                        guard let lines = chunk.1 else { break }
                        try await timed.write(ByteBuffer(bytes: lines), to: &writer)
                    }
                    next = max(next, reader.next)
                    let seen = next - 1
                    let keepAlive = limits.streamKeepAliveSeconds
                    let head = await cancelWhenGracefulShutdown { await ingest.head.wait(past: seen, atMost: keepAlive) }
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    if head <= seen {
                        try await timed.write(ByteBuffer(string: ": keep-alive\n\n"), to: &writer)
                    }
                }
            } catch is CancellationError {
                // Graceful shutdown: end the stream; the client resumes with Last-Event-ID.
            } catch let error as StreamStall {
                logger.info("dropped an event stream client that stopped reading", metadata: ["sse.position": "\(next)", "sse.timeout_s": "\(error.seconds)"])
                throw error
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// How many event stream clients are connected.
final class StreamClientCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }

    /// Counts a new client unless `limit` are connected.
    func enter(limit: Int) -> Bool {
        lock.withLock {
            guard value < limit else { return false }
            value += 1
            return true
        }
    }

    func leave() { lock.withLock { value -= 1 } }
}
