import Foundation
import Hummingbird
import Logging

/// One info line per request (method, route, status, duration; never a body or a header) and
/// the request metrics by route and status.
struct RequestLog: RouterMiddleware {
    typealias Context = ParleyRequestContext
    let metrics: DaemonMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        if context.logger.logLevel <= .info { context.logNotes = RequestLogNotes() }
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status.code, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: status, start: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        // A request no route took: Hummingbird's fallback names it "NotFound" once it has run,
        // a request refused before (401) has no name; both are one series.
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched"
        metrics.record(route: route, method: request.method.rawValue, status: status, nanoseconds: nanoseconds)
        // The metadata costs more than the rest of a small request: build it only when printed.
        guard context.logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "http.method": .string(request.method.rawValue), "http.route": .string(route),
            "http.status": .stringConvertible(status), "http.duration_ms": .string(Self.milliseconds(nanoseconds)),
        ]
        if let token = context.logNotes?.tokenName { metadata["parley.token"] = .string(token) }
        context.logger.info("request", metadata: metadata)
    }

    /// `nanoseconds` as milliseconds with three decimals (`0.412`), without Foundation's
    /// `String(format:)`, which took about a third of the cost of logging a request.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let microseconds = max(0, nanoseconds) / 1000
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
