import Foundation
import Logging
import ParleyLog
import ParleyModel
import ParleyPluginProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One process of a plugin, from `hello` to its end: the handshake, the event feed, ticks,
/// emits, acks, checkpoints and log lines. A session never restarts anything: it ends, says
/// why, and the ``PluginHost`` decides what comes next.
final class PluginSession: @unchecked Sendable {
    /// How a session ends.
    enum Mode: Sendable {
        /// Runs until it fails or is cancelled (the daemon).
        case daemon
        /// Ends once the plugin has caught up and confirmed it (`parley plugin run`).
        case offline
    }

    /// Why a session ended.
    enum End: Sendable, Equatable {
        /// Offline: the plugin caught up and confirmed it.
        case finished
        /// The task running it was cancelled (shutdown).
        case cancelled
        /// The plugin exited, hung or broke the protocol.
        case failed(String)
    }

    /// The session's mutable state.
    struct State {
        var hello: PluginHello?
        var feed: EventFeed?
        var webhooks: [String: WebhookWait] = [:]
        var webhookSequence = 0
        var failure: String?
        var cancelled = false
        var finished = false
        /// The last checkpoint the plugin confirmed, and the last one stored.
        var confirmed: UInt64
        var stored: UInt64
        var lineNumber = 0
        var emitsReceived: UInt64 = 0
        var eventsEmitted: UInt64 = 0
        var eventsAppended: UInt64 = 0
        var emitsRejected: UInt64 = 0
        /// Offline: the settle webhook in flight and the emits received when it was sent.
        var settle: (id: String, emitsAtSend: UInt64)?
        /// Offline: the plugin was caught up and given ``PluginSession/settleGraceSeconds`` to
        /// confirm the head before it is settled.
        var settleGraceStarted = false
        /// Offline: the plugin confirmed the head, and the run ends once it stays quiet for
        /// ``PluginSession/quietSeconds`` (an emit written right after the checkpoint is read).
        var quietWatch = false
        var heldCheckpointNoted = false
    }

    let configuration: PluginConfiguration
    let log: EventLog
    let append: PluginHost.Append
    let checkpoints: PluginCheckpoints
    let logger: Logger
    let mode: Mode
    let child: PluginChild
    let state: Locked<State>

    /// Starts the plugin's process; ``run()`` then drives it.
    ///
    /// - Throws: ``PluginHostError`` when the process cannot be started.
    init(
        configuration: PluginConfiguration, log: EventLog, append: @escaping PluginHost.Append, checkpoints: PluginCheckpoints,
        checkpoint: UInt64, logger: Logger, mode: Mode
    ) throws(PluginHostError) {
        self.configuration = configuration
        self.log = log
        self.append = append
        self.checkpoints = checkpoints
        self.logger = logger
        self.mode = mode
        child = try PluginChild(configuration, logger: logger)
        state = Locked(State(confirmed: checkpoint, stored: checkpoint))
    }

    /// Runs the exchange until the plugin ends, fails, or (offline) has caught up.
    func run() async -> End {
        let hello = DaemonHello(name: configuration.name, checkpoint: state.current.confirmed, config: configuration.config)
        child.writer.send(Array((DaemonMessage.hello(hello).line + "\n").utf8))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchHandshake() }
            group.addTask { await self.flushCheckpoints() }
            group.addTask { await self.tick() }
            await withTaskCancellationHandler {
                await self.readMessages()
            } onCancel: {
                self.state.withLock { $0.cancelled = true }
                self.child.terminate(grace: self.configuration.stopGrace, closingInput: true)
            }
            group.cancelAll()
        }
        let snapshot = state.withLock { s in
            s.feed?.stop()
            let waiting = s.webhooks
            s.webhooks = [:]
            for (_, w) in waiting { w.resolve(WebhookAnswer(status: 503, error: "plugin \(configuration.name) stopped")) }
            return s
        }
        let status: Int32
        if snapshot.finished {
            status = await child.finish(grace: configuration.stopGrace)
        } else {
            status = await child.stop(grace: configuration.stopGrace)
        }
        flushCheckpoint()
        if snapshot.finished { return .finished }
        if snapshot.cancelled { return .cancelled }
        if let failure = snapshot.failure { return .failed(failure) }
        let how = status < 0 ? "was killed by signal \(-status)" : "exited with status \(status)"
        let stderr = child.lastStderrLine.map { " (last stderr line: \($0))" } ?? ""
        return .failed("plugin \(configuration.name) \(how)\(stderr)")
    }

    /// What this session has done, for ``PluginStatus``.
    var snapshot: State { state.current }

    /// The feed's progress, once the handshake is done.
    var feedProgress: EventFeed.Progress? { state.current.feed?.progress }

    /// Records the first failure and stops the process at once; every loop then ends.
    func fail(_ reason: String) {
        let first = state.withLock { s -> Bool in
            guard s.failure == nil, !s.finished, !s.cancelled else { return false }
            s.failure = reason
            return true
        }
        guard first else { return }
        logger.error("\(reason)")
        child.terminate(grace: configuration.stopGrace, closingInput: false)
    }

    /// Offline: the plugin is done (``State/finished`` is set). Its stdin is closed so that it
    /// exits by itself, and it is stopped if it has not after the stop grace; what it writes
    /// until then is still read.
    func finishOffline() {
        child.terminate(grace: configuration.stopGrace, closingInput: true)
    }

    /// Sends one message to the plugin.
    func send(_ message: DaemonMessage) {
        child.writer.send(Array((message.line + "\n").utf8))
    }

    private func watchHandshake() async {
        try? await Task.sleep(for: configuration.handshakeTimeout)
        guard !Task.isCancelled, state.current.hello == nil else { return }
        fail("plugin \(configuration.name) did not answer hello within \(configuration.handshakeTimeout)")
    }

    private func flushCheckpoints() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.checkpointFlushInterval)
            flushCheckpoint()
        }
    }

    /// Stores the latest confirmed checkpoint if it is newer than the stored one.
    func flushCheckpoint() {
        let (confirmed, stored) = state.withLock { ($0.confirmed, $0.stored) }
        guard confirmed > stored else { return }
        do {
            let now = try checkpoints.store(confirmed, for: configuration.name)
            state.withLock { $0.stored = max($0.stored, now) }
        } catch {
            logger.error("plugin \(configuration.name): cannot store checkpoint \(confirmed): \(error.description)")
        }
    }

    private func tick() async {
        // Ticks start once the plugin has asked for them and has caught up; none offline.
        guard mode == .daemon else { return }
        while !Task.isCancelled {
            let (hello, caughtUp) = state.withLock { ($0.hello, $0.feed?.progress.caughtUpAt != nil) }
            if let hello, caughtUp {
                guard let seconds = configuration.tickSeconds ?? hello.tickSeconds.map(Double.init), seconds > 0 else { return }
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                guard !Task.isCancelled else { return }
                send(.tick(now: .now))
            } else {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
