import Foundation
import HTTPTypes
import Prometheus
public import ParleyLog
public import Logging
import ParleyModel
public import ParleyProjections
import ParleyViews
public import ServiceLifecycle

/// Keeps the view index caught up with the log while the daemon runs: at start (the daemon is
/// ready once this first catch-up is done), after every commit, and on a short timer for events
/// other processes append. Answers view queries once the index holds every event the log held
/// when the query arrived, and refreshes the view gauges of `/metrics`.
public final class ViewService: Service, Sendable {
    let index: ViewIndex
    let ingest: EventIngest
    let metrics: DaemonMetrics
    let limits: ServerLimits
    let logger: Logger
    /// The index's checkpoint, as a signal queries (and appends, see ``EventIngest``) wait on.
    let checkpoint: LogHeadSignal
    /// The whole log's views in memory (answers every instant; `at_position` goes to the index).
    let live: LiveViews
    private let ready = Flag()
    /// Raised by graceful shutdown: a catch-up under way stops at its next chunk.
    private let stopping = Flag()

    /// The service over `index`, fed by `ingest`.
    public init(index: ViewIndex, ingest: EventIngest, metrics: DaemonMetrics, limits: ServerLimits, logger: Logger) throws(LogError) {
        self.index = index
        self.ingest = ingest
        self.metrics = metrics
        self.limits = limits
        self.logger = logger
        self.checkpoint = ingest.viewCheckpoint
        checkpoint.advance(to: try index.checkpoint())
        // The views' stored state, when there is one: start from it rather than re-reduce.
        self.live = try LiveViews(restoring: index, chunk: limits.viewCatchUpChunk)
    }

    /// Whether the first catch-up after start is done.
    public var isReady: Bool { ready.isSet }

    /// Catches up at start (then the daemon is ready), then after every commit and on a short
    /// timer, until graceful shutdown; then stores the views' state.
    ///
    /// Graceful shutdown stops a catch-up under way at its next chunk of the index
    /// (``ServerLimits/viewCatchUpChunk`` events), so that a start over a long log it has not
    /// indexed yet, or a bulk import by another process, does not hold the daemon's exit for as
    /// long as the whole catch-up.
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await keepCaughtUp()
        } onGracefulShutdown: { [stopping] in
            stopping.set()
        }
        // What the last requests appended, so that the stored state is the head's (at most one
        // chunk, as the service is stopping).
        try? await catchUp()
        // Store the views' state for the next process (a cache: a failure only costs a rebuild).
        let live = self.live
        _ = try? await BlockingWork.run { try live.persist() }
    }

    private func keepCaughtUp() async throws {
        let start = ContinuousClock.now
        try await catchUp()
        guard !stopping.isSet else {
            logger.notice(
                "stopped before the views caught up; the next start goes on from here",
                metadata: [
                    "view.indexed": "\((try? index.checkpoint()) ?? 0)", "view.checkpoint": "\(checkpoint.position)",
                    "log.head": "\(ingest.head.position)",
                ])
            return
        }
        ready.set()
        logger.info("views caught up", metadata: ["view.checkpoint": "\(checkpoint.position)", "view.catch_up_s": "\(ContinuousClock.now - start)"])
        try? await cancelWhenGracefulShutdown { [self] in
            var lastGauges = ContinuousClock.now - .seconds(3600)
            var lastCatchUp = ContinuousClock.now
            let interval = Duration.milliseconds(Int(limits.viewCatchUpIntervalSeconds * 1000))
            while !Task.isCancelled {
                _ = await ingest.head.wait(past: checkpoint.position, atMost: limits.viewPollSeconds)
                let since = ContinuousClock.now - lastCatchUp
                if since < interval { try? await Task.sleep(for: interval - since) }
                lastCatchUp = ContinuousClock.now
                do {
                    try await catchUp()
                } catch {
                    logger.error("the views could not catch up: \(error)")
                    try await Task.sleep(for: .seconds(1))
                }
                if limits.supportGaugeSeconds > 0, ContinuousClock.now - lastGauges > .milliseconds(Int(limits.supportGaugeSeconds * 1000)) {
                    lastGauges = ContinuousClock.now
                    await refreshGauges()
                }
            }
        }
    }

    /// Brings the index up to the log's head (also noticing events appended by other processes).
    func catchUp() async throws {
        let log = ingest.log, live = self.live, committed = ingest.committed, stopping = self.stopping
        let (head, done) = try await BlockingWork.run {
            let head = try log.head()
            try live.refresh(known: CommittedEvents.Reader(committed).event(at:), stopping: { stopping.isSet })
            return (head, live.currentPosition)
        }
        committed.drop(through: done)
        ingest.head.advance(to: head)
        checkpoint.advance(to: done)
        metrics.record(head: ingest.head.position, checkpoint: done)
    }

    /// The answer to `request`, once the views hold what the log held on arrival: waiting for
    /// them at most ``ServerLimits/maxViewWaitSeconds``, never answering from views that lack it.
    ///
    /// - Throws: ``APIError`` 400 for a query the views refuse, 503 when the views are still
    ///   catching up (after a start over a long log, say) or storage fails.
    func answer(_ request: ViewRequest) async throws -> JSONValue {
        // The head as the log stands, not only as this process knows it: an event the CLI
        // appended a moment ago counts too, and the view service, woken, catches up at once.
        let head: UInt64
        do { head = try ingest.log.head() } catch { throw APIError(.serviceUnavailable, "the log could not be read: \(error)") }
        ingest.head.advance(to: head)
        if checkpoint.position < head {
            let reached = await checkpoint.wait(reaching: head, atMost: limits.maxViewWaitSeconds)
            guard reached >= head else {
                var busy = APIError(
                    .serviceUnavailable,
                    "the views are still catching up with the log (at position \(reached) of \(head)); retry in a moment")
                busy.headers[.retryAfter] = "1"
                throw busy
            }
        }
        let live = self.live
        do {
            return try await BlockingWork.run { try live.answer(request) }
        } catch let error as ViewQueryError {
            throw APIError(.badRequest, "\(error)", field: error.parameter)
        } catch let error as LogError {
            throw APIError(.serviceUnavailable, "the views could not be read: \(error)")
        } catch {
            throw APIError(.badRequest, "\(error)")
        }
    }

    /// Refreshes the support and disk gauges (SLA breaches, pending tickets, data size).
    func refreshGauges() async {
        metrics.recordDisk(directory: ingest.log.directory)
        let live = self.live
        do {
            let sla = try await BlockingWork.run { try live.answer(ViewRequest(name: .supportSLA)) }
            if let breached = sla.objectValue?["breached"]?.intValue { metrics.slaBreached.set(to: Double(breached)) }
            if let pending = sla.objectValue?["pending"]?.intValue { metrics.slaPending.set(to: Double(pending)) }
        } catch {
            logger.warning("the support gauges could not be computed: \(error)")
        }
    }

    /// The readiness text of `/readyz`.
    var readinessReport: JSONValue {
        .object([
            "ready": .bool(isReady), "head": .int(Int64(ingest.head.position)),
            "views": .int(Int64(checkpoint.position)),
        ])
    }
}

/// A flag set once.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
