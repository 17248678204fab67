public import Logging
public import ParleyLog
public import ParleyModel
public import ServiceLifecycle
import Foundation
import Synchronization

/// The daemon's one way into the log: every append (HTTP requests, plugin emits) goes through
/// one ``GroupCommitter``, so concurrent batches share LMDB commits, and each durable commit
/// advances the ``LogHeadSignal`` that event streams and the views wait on.
///
/// Appends wait while the views are more than ``maxViewLag`` positions behind the head: under
/// load the views can apply, ingest runs freely; under more, it runs at their pace, and the lag
/// that every view query waits out stays bounded instead of growing while the load lasts.
public final class EventIngest: Sendable {
    /// The log.
    public let log: EventLog
    /// The head as this process knows it.
    public let head: LogHeadSignal
    /// The events appended here, until the view service has taken them.
    public let committed = CommittedEvents()
    /// The position the views hold, advanced by the view service after each catch-up.
    public let viewCheckpoint = LogHeadSignal(head: 0)
    /// The most positions the views may fall behind before appends wait for them.
    let maxViewLag: UInt64
    /// The longest an append waits for the views before it goes ahead anyway.
    let maxViewWait: Duration
    let committer: GroupCommitter
    let logger: Logger
    /// When an append last reported that it went ahead of views too far behind.
    private let lastLagWarning = Mutex<ContinuousClock.Instant?>(nil)

    /// Starts the writer of `log`, recording each commit in `metrics`; appends wait (at most
    /// `maxViewWaitSeconds`) while the views are more than `maxViewLag` positions behind, and
    /// say so in `logger` when they go ahead all the same (at most once a minute).
    public init(
        log: EventLog, metrics: DaemonMetrics, maxViewLag: Int = 500_000, maxViewWaitSeconds: Double = 5,
        logger: Logger = Logger(label: "parleyd")
    ) throws(LogError) {
        self.log = log
        self.logger = logger
        self.head = LogHeadSignal(head: try log.head())
        self.maxViewLag = UInt64(max(0, maxViewLag))
        self.maxViewWait = .milliseconds(Int(maxViewWaitSeconds * 1000))
        self.committer = GroupCommitter(log: log) { [metrics] commit in metrics.record(commit) }
    }

    /// Appends `batch` atomically; returns once it is durable.
    ///
    /// - Throws: ``LogError`` naming the event and field at fault; nothing of the batch is written.
    public func append(_ batch: consuming [NewEvent]) async throws(LogError) -> AppendOutcome {
        await waitForViews()
        let outcome = try await committer.append(batch)
        // Before the head moves: the view service wakes on it and looks for these.
        if outcome.appended > 0 { committed.add(outcome.events(taking: &batch)) }
        if let last = outcome.positions.max() { head.advance(to: last) }
        return outcome
    }

    /// Waits while the views are more than ``maxViewLag`` positions behind the head, at most
    /// ``maxViewWait``: each catch-up of the views advances ``viewCheckpoint`` and wakes it.
    func waitForViews() async {
        // Almost every append finds the views within the bound, and reads no clock.
        guard head.position > viewCheckpoint.position + maxViewLag else { return }
        let deadline = ContinuousClock.now + maxViewWait
        while true {
            // Read before the check: a catch-up between the two then ends the wait at once.
            let views = viewCheckpoint.position
            let behind = head.position - min(views, head.position)
            guard behind > maxViewLag else { return }
            let left = deadline - ContinuousClock.now
            guard left > .zero else {
                warnOfLaggingViews(behind: behind)
                return
            }
            _ = await viewCheckpoint.wait(past: views, atMost: left.timeInterval)
        }
    }

    /// Says, at most once a minute, that an append went ahead after its longest wait: the views
    /// fail or cannot keep up, and every append now waits that long.
    private func warnOfLaggingViews(behind: UInt64) {
        let now = ContinuousClock.now
        let due = lastLagWarning.withLock { last in
            if let last, now - last < .seconds(60) { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.warning(
            "views lag behind the log: an append waited its longest and went ahead; appends wait like this while the lag exceeds its bound",
            metadata: [
                "views.lag": "\(behind)", "views.max_lag": "\(maxViewLag)",
                "views.max_wait_s": "\(maxViewWait.timeInterval)",
            ])
    }

    /// An ingest let go without ``shutdown()`` (a daemon whose start failed after it was made)
    /// stops its writer here: the writer's thread holds its committer unowned, and reading it
    /// after the committer is gone aborts the process.
    deinit { committer.shutdown() }

    /// Finishes the batches already handed in and stops the writer (off the cooperative pool:
    /// the wait blocks a thread).
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread { [committer] in
                committer.shutdown()
                continuation.resume()
            }
        }
    }
}

/// Keeps the writer running until graceful shutdown, then drains it: the last service to stop,
/// after the HTTP server has answered its in-flight requests.
public struct WriterService: Service {
    let ingest: EventIngest
    let logger: Logger

    /// The service of `ingest`.
    public init(ingest: EventIngest, logger: Logger) {
        self.ingest = ingest
        self.logger = logger
    }

    /// Waits for graceful shutdown, then drains the writer.
    public func run() async throws {
        try? await gracefulShutdown()
        await ingest.shutdown()
        logger.info("writer drained and stopped", metadata: ["log.head": "\(ingest.head.position)"])
    }
}
