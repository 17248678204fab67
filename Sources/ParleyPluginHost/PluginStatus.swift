/// What the host knows about one plugin, for `parley stats`, `/metrics` and health checks.
public struct PluginStatus: Sendable, Equatable {
    /// The plugin's configured name.
    public var name: String
    /// Whether a process of the plugin is running now.
    public var running: Bool
    /// Its process id while it runs.
    public var pid: Int32?
    /// The last checkpoint the plugin confirmed (stored, or about to be).
    public var checkpoint: UInt64
    /// Whether the current process has been sent `caught_up`.
    public var caughtUp: Bool
    /// How many times the plugin was started again after a failure.
    public var restarts: Int
    /// Why the plugin last failed (exit, hang, malformed line), if it ever did.
    public var lastError: String?
    /// The back-off delays chosen before the last restarts (at most the last 16), oldest first.
    public var restartDelays: [Duration]
    /// Events sent to the plugin, over all its processes.
    public var eventsDelivered: UInt64
    /// Events appended from its `emit`s (duplicates included), over all its processes.
    public var eventsEmitted: UInt64
    /// `emit`s rejected, over all its processes.
    public var emitsRejected: UInt64

    /// The status of a plugin that has not started yet.
    public init(name: String, checkpoint: UInt64 = 0) {
        self.name = name
        running = false
        pid = nil
        self.checkpoint = checkpoint
        caughtUp = false
        restarts = 0
        lastError = nil
        restartDelays = []
        eventsDelivered = 0
        eventsEmitted = 0
        emitsRejected = 0
    }
}
