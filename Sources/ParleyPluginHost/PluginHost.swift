public import Logging
public import ParleyLog
public import ParleyModel

/// Runs one configured plugin for the daemon: starts its process, performs the exchange of the
/// plugin protocol (`surfaces.md`), and supervises it. A plugin that exits, hangs or breaks the
/// protocol is logged, stopped (SIGTERM, then SIGKILL) and started again after a back-off; it
/// never takes the host's process down.
///
/// The daemon makes one host per configured plugin and runs ``run()`` in its service group;
/// it calls ``logAdvanced(to:)`` after its own appends, ``deliverWebhook(headers:body:timeout:)``
/// for `POST /v1/plugins/{name}/webhook`, and reads ``status`` for stats and metrics.
public final class PluginHost: Sendable {
    /// Appends one batch atomically and durably: the daemon passes its `GroupCommitter`'s
    /// `append`, the offline runner `EventLog.append`.
    public typealias Append = @Sendable ([NewEvent]) async throws(LogError) -> AppendOutcome

    /// The plugin's configuration.
    public let configuration: PluginConfiguration
    private let log: EventLog
    private let append: Append
    private let checkpoints: PluginCheckpoints
    private let logger: Logger
    private let state: Locked<(session: PluginSession?, status: PluginStatus, knownHead: UInt64)>

    /// Creates the host of one plugin; nothing starts before ``run()``.
    ///
    /// - Parameters:
    ///   - configuration: the plugin and the host's timings for it.
    ///   - log: the log whose events the plugin receives and beside which its checkpoint is kept.
    ///   - append: how the plugin's `emit`s are appended.
    ///   - logger: where `log` lines, stderr and the host's own reports go (the plugin's name is
    ///     added as metadata `plugin.name`).
    /// - Throws: ``LogError`` when the checkpoint table cannot be opened or read.
    public init(configuration: PluginConfiguration, log: EventLog, append: @escaping Append, logger: Logger) throws(LogError) {
        self.configuration = configuration
        self.log = log
        self.append = append
        checkpoints = try PluginCheckpoints(log: log)
        var logger = logger
        logger[metadataKey: "plugin.name"] = "\(configuration.name)"
        self.logger = logger
        let stored = try checkpoints.position(of: configuration.name) ?? configuration.initialCheckpoint
        state = Locked((nil, PluginStatus(name: configuration.name, checkpoint: stored), 0))
        ignoreBrokenPipes()
    }

    /// Runs the plugin, restarting it after failures with back-off, until the calling task is
    /// cancelled; then stops the plugin and returns.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            let clock = ContinuousClock()
            let started = clock.now
            let end: PluginSession.End
            do {
                let checkpoint = try checkpoints.position(of: configuration.name) ?? configuration.initialCheckpoint
                let session = try PluginSession(
                    configuration: configuration, log: log, append: append, checkpoints: checkpoints, checkpoint: checkpoint,
                    logger: logger, mode: .daemon)
                state.withLock {
                    $0.session = session
                    $0.status.running = true
                    $0.status.pid = session.child.pid
                    $0.status.caughtUp = false
                }
                logger.info("plugin \(configuration.name) started (pid \(session.child.pid), checkpoint \(checkpoint))")
                end = await session.run()
                state.withLock { s in
                    s.status = Self.status(s.status, adding: session)
                    s.session = nil
                    s.status.running = false
                    s.status.pid = nil
                    s.status.caughtUp = false
                }
            } catch {
                end = .failed("plugin \(configuration.name) cannot start: \(error)")
                logger.error("plugin \(configuration.name) cannot start: \(error)")
            }
            switch end {
            case .cancelled, .finished:
                return
            case .failed(let reason):
                if clock.now - started >= configuration.backoff.healthyAfter { failures = 0 }
                failures += 1
                let delay = configuration.backoff.delay(afterFailures: failures)
                state.withLock {
                    $0.status.lastError = reason
                    $0.status.restarts += 1
                    $0.status.restartDelays = Array(($0.status.restartDelays + [delay]).suffix(16))
                }
                logger.warning("plugin \(configuration.name) will be started again in \(delay)")
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    /// Tells the host that the log has grown to `position`, so that live events reach the
    /// plugin at once (without it the feed notices within ``PluginConfiguration/pollInterval``).
    public func logAdvanced(to position: UInt64) {
        let session = state.withLock { s -> PluginSession? in
            s.knownHead = max(s.knownHead, position)
            return s.session
        }
        session?.state.current.feed?.notify(head: position)
    }

    /// Hands an HTTP request to the plugin's webhook route and waits for its `ack`.
    ///
    /// - Parameters:
    ///   - headers: the request headers (repeated ones joined with `", "`).
    ///   - body: the raw body.
    ///   - timeout: how long to wait for the ack.
    /// - Returns: the plugin's status (202 by default) and error; 503 when the plugin is not
    ///   running (a plugin starting or restarting is waited for, within `timeout`); 504 when it
    ///   did not answer in time (it is then restarted if it was caught up).
    public func deliverWebhook(headers: [String: String], body: [UInt8], timeout: Duration) async -> (status: Int, error: String?) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var session = state.withLock { $0.session }
        while session == nil, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            session = state.withLock { $0.session }
        }
        guard let session else {
            return (503, "plugin \(configuration.name) is not running")
        }
        let answer = await session.deliverWebhook(headers: headers, body: body, timeout: max(deadline - clock.now, .milliseconds(1)))
        return (answer.status, answer.error)
    }

    /// The plugin's state now.
    public var status: PluginStatus {
        let (session, status) = state.withLock { ($0.session, $0.status) }
        guard let session else { return status }
        var now = Self.status(status, adding: session)
        now.running = true
        now.pid = session.child.pid
        now.caughtUp = session.feedProgress?.caughtUpAt != nil
        return now
    }

    /// `status` with the counters of `session` added and its checkpoint.
    private static func status(_ status: PluginStatus, adding session: PluginSession) -> PluginStatus {
        var s = status
        let snapshot = session.snapshot
        s.checkpoint = max(s.checkpoint, snapshot.confirmed)
        s.eventsDelivered += session.feedProgress?.delivered ?? 0
        s.eventsEmitted += snapshot.eventsEmitted
        s.emitsRejected += snapshot.emitsRejected
        return s
    }
}
