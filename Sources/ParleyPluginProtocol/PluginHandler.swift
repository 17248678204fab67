public import ParleyModel

/// What a plugin does; ``PluginRuntime`` calls it for every message and takes care of the
/// protocol: handshake, emits and their answers, acks and checkpoints.
///
/// Every method but ``start(_:context:)`` has a default that does nothing. Events a method
/// returns are emitted as one atomic batch; they must carry deterministic ids (derived from what
/// caused them), so that a replay, a restart or a retried webhook never appends a fact twice.
public protocol PluginHandler {
    /// Reads the daemon's hello (name, checkpoint, config) and says what to subscribe to.
    ///
    /// - Throws: any error, for a configuration the plugin cannot work with; the runtime logs it
    ///   and exits with status 1.
    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello

    /// Handles a stored event of a subscribed type; returns the events it causes.
    ///
    /// - Throws: any error; the runtime logs it and goes on with the next event.
    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent]

    /// Replay reached the head of the log at `position`; returns events to emit, if any.
    mutating func onCaughtUp(position: UInt64, context: PluginContext) -> [NewEvent]

    /// Handles an HTTP request; the outcome's events are emitted and the ack waits for `emitted`.
    mutating func onWebhook(_ webhook: Webhook, context: PluginContext) -> WebhookOutcome

    /// The time, every `tick_s` seconds; returns events to emit, if any.
    mutating func onTick(now: Instant, context: PluginContext) -> [NewEvent]

    /// The emit `ref` is durably appended at `positions`.
    mutating func onEmitted(ref: String, positions: [UInt64], context: PluginContext)

    /// The emit `ref` was refused; the runtime has already logged `error`.
    mutating func onRejected(ref: String, error: String, context: PluginContext)

    /// The earliest position whose event the handler must see again after a restart to rebuild
    /// the state it still needs (the opening of a ticket it watches, say); the runtime keeps its
    /// checkpoints below it. `nil` (the default): nothing, checkpoints follow the handled events.
    var retainedFrom: UInt64? { get }
}

extension PluginHandler {
    /// By default an event causes nothing.
    public mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] { [] }
    /// By default catching up causes nothing.
    public mutating func onCaughtUp(position: UInt64, context: PluginContext) -> [NewEvent] { [] }
    /// By default webhooks are refused with 404.
    public mutating func onWebhook(_ webhook: Webhook, context: PluginContext) -> WebhookOutcome {
        .refused(status: 404, error: "this plugin takes no webhooks")
    }
    /// By default a tick causes nothing.
    public mutating func onTick(now: Instant, context: PluginContext) -> [NewEvent] { [] }
    /// By default answers need no follow-up.
    public mutating func onEmitted(ref: String, positions: [UInt64], context: PluginContext) {}
    /// By default a rejection needs no follow-up beyond the runtime's log line.
    public mutating func onRejected(ref: String, error: String, context: PluginContext) {}
    /// By default the handler keeps no state that needs old events.
    public var retainedFrom: UInt64? { nil }
}

/// What a handler makes of a webhook: events to emit, and the HTTP answer once they are stored.
public struct WebhookOutcome: Sendable, Equatable {
    /// The events to append as one batch; the ack waits until the daemon answers `emitted`.
    public var events: [NewEvent]
    /// The HTTP status the caller receives (202 by default).
    public var status: Int64
    /// Why the request was not accepted, for the caller.
    public var error: String?

    /// Creates an outcome.
    public init(events: [NewEvent] = [], status: Int64 = 202, error: String? = nil) {
        self.events = events
        self.status = status
        self.error = error
    }

    /// Accepted: emit `events` (possibly none), then ack with 202.
    public static func accepted(_ events: [NewEvent]) -> WebhookOutcome { WebhookOutcome(events: events) }

    /// Refused: nothing is emitted; ack at once with `status` and `error`.
    public static func refused(status: Int64, error: String) -> WebhookOutcome {
        WebhookOutcome(events: [], status: status, error: error)
    }
}
