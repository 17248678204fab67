public import ParleyPluginHost
public import Logging
public import ParleyLog
public import ServiceLifecycle

/// What the daemon hands the plugin host when it starts: the configured plugins and the ways
/// into the log a plugin needs.
public struct PluginHostContext: Sendable {
    /// The `plugins:` of the configuration file, validated for shape.
    public var plugins: [PluginConfiguration]
    /// The single writer: plugin `emit`s append here, so they share commits with HTTP appends
    /// and advance ``EventIngest/head`` (live events, views).
    public var ingest: EventIngest
    /// The log, for replay from a plugin's checkpoint (``EventLog/scan(from:_:)``) and for
    /// plugin checkpoints kept beside it (``EventLog/environment``).
    public var log: EventLog { ingest.log }
    /// The head of the log; ``LogHeadSignal/wait(past:)`` sleeps until new events are committed.
    public var head: LogHeadSignal { ingest.head }
    /// The daemon's logger.
    public var logger: Logger
}

/// What the plugin host gives back: the service that runs the plugins (started after the writer
/// and the views, stopped before them, so that its last `emit`s are committed), and the entry
/// of `POST /v1/plugins/{name}/webhook`.
public struct PluginHosting: Sendable {
    /// Runs the plugins until graceful shutdown; nil when there is nothing to run.
    public var service: (any Service)?
    /// Receives the webhooks.
    public var webhooks: any PluginWebhookHandler

    /// A plugin host of `service` and `webhooks`.
    public init(service: (any Service)?, webhooks: any PluginWebhookHandler) {
        self.service = service
        self.webhooks = webhooks
    }
}

/// Makes the plugin host once the daemon's writer exists; `parleyd` passes the plugin host's
/// factory, tests pass stubs. Throwing stops the start with the error.
public typealias PluginHostFactory = @Sendable (PluginHostContext) throws -> PluginHosting
