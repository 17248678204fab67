public import ParleyConfiguration
public import ParleyPluginHost
import ParleyModel
internal import Foundation

/// Everything `parleyd` runs with: where it listens, its data directory, its tokens and plugins,
/// and the limits that protect it. Read once at the edge (flags, environment, the YAML file) and
/// handed down as a value.
public struct DaemonConfiguration: Sendable {
    /// The address the HTTP API listens on.
    public var listen: ListenAddress
    /// The data directory.
    public var data: String
    /// The bearer tokens the API accepts; none means only `/healthz`, `/readyz` and `/metrics` answer.
    public var tokens: [TokenSpec]
    /// The plugins the daemon runs (`plugins:`); handed to the plugin host.
    public var plugins: [PluginConfiguration]
    /// Limits and timings of the HTTP server.
    public var limits: ServerLimits

    /// The defaults of `surfaces.md`: `127.0.0.1:7420`, `./parley-data`, no tokens, no plugins.
    public init(
        listen: ListenAddress = .default, data: String = "./parley-data", tokens: [TokenSpec] = [],
        plugins: [PluginConfiguration] = [], limits: ServerLimits = ServerLimits()
    ) {
        self.listen = listen
        self.data = data
        self.tokens = tokens
        self.plugins = plugins
        self.limits = limits
    }
}

/// The limits that keep one client from stalling the others.
public struct ServerLimits: Sendable {
    /// The largest request body accepted (413 above it).
    public var maxBodyBytes = 16 << 20
    /// The largest body of a plugin's webhook: GitHub caps its payloads at 25 MB, over the
    /// 16 MiB of an append.
    public var maxWebhookBodyBytes = 32 << 20
    /// Seconds a connection may sit without sending anything while a request is unread or
    /// before its first request; a slow body or an idle client is closed after it.
    public var readTimeoutSeconds = 30.0
    /// Connections served at once; more wait in the kernel's backlog.
    public var maxConnections = 4096
    /// Server-Sent Events clients at once; more are answered 503.
    public var maxStreamClients = 1024
    /// Seconds an event stream write may wait on a client that does not read before the client
    /// is dropped.
    public var streamWriteTimeoutSeconds = 10.0
    /// Seconds between keep-alive comments on an idle event stream.
    public var streamKeepAliveSeconds = 15.0
    /// Seconds between the view service's polls of the log (for events appended by other processes).
    public var viewPollSeconds = 0.5
    /// Seconds the view service lets new commits gather before it catches up again: under a
    /// stream of small commits it folds several at once instead of waking for each.
    public var viewCatchUpIntervalSeconds = 0.01
    /// Events per transaction of the views' catch-up; also how far a catch-up under way goes
    /// on after graceful shutdown begins.
    public var viewCatchUpChunk = 50_000
    /// Seconds between refreshes of the support gauges of `/metrics` (0: never).
    public var supportGaugeSeconds = 60.0
    /// Positions the views may fall behind the log's head before appends wait for them (two or
    /// three seconds of the views' work: the longest a view query then waits under load). At
    /// 200,000, bursts of 1,000-event requests already met the bound, and their p99 latency
    /// rose from 65 ms to 140-290 ms.
    public var maxViewLag = 500_000
    /// Seconds an append waits for the views at most, then goes ahead; and a view query, then
    /// answers 503.
    public var maxViewWaitSeconds = 5.0

    /// The defaults.
    public init() {}
}
