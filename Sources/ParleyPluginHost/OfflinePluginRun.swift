public import Logging
public import ParleyLog

/// `parley plugin run`: the exchange of the plugin protocol offline, over the log as it stands,
/// until the plugin has caught up — a backfill or an audit. Emits are appended directly with
/// ``EventLog/append(_:)``; the confirmed checkpoint is stored as the daemon would store it.
///
/// The run ends when the plugin has been sent `caught_up`, has confirmed a checkpoint at least
/// at that position, and has then written nothing for a moment; what it writes until it exits
/// is still read, so an emit written just after that checkpoint is appended and answered. A
/// plugin that keeps its checkpoint lower on purpose (it needs older events to rebuild its state
/// after a restart) is *settled* instead: the runner sends it a webhook (header
/// `x-parley-settle: 1`, lowercase as every webhook header, and an empty body) and ends once the
/// plugin acks it without having emitted anything meanwhile.
public enum OfflinePluginRun {
    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// The position sent in `caught_up`.
        public var caughtUpAt: UInt64
        /// The checkpoint stored at the end.
        public var checkpoint: UInt64
        /// Whether the plugin kept its checkpoint below ``caughtUpAt`` (settled rather than confirmed).
        public var held: Bool
        /// Events sent to the plugin.
        public var delivered: UInt64
        /// Events in the plugin's answered emits.
        public var emitted: UInt64
        /// Of those, the events that were new to the log (the rest were duplicates).
        public var appended: UInt64
        /// Emits rejected.
        public var rejected: UInt64
    }

    /// Runs `configuration`'s plugin once over `log`.
    ///
    /// - Throws: ``PluginHostError`` naming the plugin and why it failed (it could not start,
    ///   exited, hung in the handshake or broke the protocol).
    public static func run(_ configuration: PluginConfiguration, log: EventLog, logger: Logger) async throws(PluginHostError) -> Report {
        ignoreBrokenPipes()
        var logger = logger
        logger[metadataKey: "plugin.name"] = "\(configuration.name)"
        let checkpoints: PluginCheckpoints
        let start: UInt64
        do {
            checkpoints = try PluginCheckpoints(log: log)
            start = try checkpoints.position(of: configuration.name) ?? configuration.initialCheckpoint
        } catch {
            throw PluginHostError("plugin \(configuration.name): cannot read its checkpoint: \(error.description)")
        }
        let session = try PluginSession(
            configuration: configuration, log: log, append: { batch throws(LogError) in try log.append(batch) },
            checkpoints: checkpoints, checkpoint: start, logger: logger, mode: .offline)
        let end = await session.run()
        let snapshot = session.snapshot
        switch end {
        case .finished:
            let caughtUpAt = session.feedProgress?.caughtUpAt ?? start
            return Report(
                caughtUpAt: caughtUpAt, checkpoint: snapshot.stored, held: snapshot.confirmed < caughtUpAt,
                delivered: session.feedProgress?.delivered ?? 0, emitted: snapshot.eventsEmitted,
                appended: snapshot.eventsAppended, rejected: snapshot.emitsRejected)
        case .cancelled:
            throw PluginHostError("plugin \(configuration.name): the run was cancelled")
        case .failed(let reason):
            throw PluginHostError(reason)
        }
    }
}
