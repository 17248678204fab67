public import ParleyModel
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
    public var plugins: [PluginSpec]
    /// Limits and timings of the HTTP server.
    public var limits: ServerLimits

    /// The defaults of `surfaces.md`: `127.0.0.1:7420`, `./parley-data`, no tokens, no plugins.
    public init(
        listen: ListenAddress = .default, data: String = "./parley-data", tokens: [TokenSpec] = [],
        plugins: [PluginSpec] = [], limits: ServerLimits = ServerLimits()
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
    /// Seconds between refreshes of the support gauges of `/metrics` (0: never).
    public var supportGaugeSeconds = 60.0

    /// The defaults.
    public init() {}
}

/// A `HOST:PORT` to listen on (`[::1]:7420` for IPv6; port 0 picks a free port).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// `127.0.0.1:7420`.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 7420)

    /// A host and a port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`.
    ///
    /// - Throws: ``ConfigurationError`` naming `source` when the text is not `HOST:PORT`.
    public init(parsing text: String, source: String) throws(ConfigurationError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfigurationError(at: source, "\"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:7420)") }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfigurationError(at: source, "\"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:7420)")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw ConfigurationError(at: source, "\"\(text)\" has no host (e.g. 127.0.0.1:7420)") }
        guard let number = Int(port), (0...65535).contains(number) else {
            throw ConfigurationError(at: source, "\"\(text)\" has no port from 0 to 65535")
        }
        self.init(host: String(host), port: number)
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A configuration that cannot be used, naming the key or flag at fault.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Where: `--listen`, `tokens[1].scopes`, `parley.yaml line 7`.
    public var location: String
    /// What is wrong.
    public var reason: String

    /// A failure at `location`.
    public init(at location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    /// `location: reason`.
    public var description: String { "\(location): \(reason)" }
}

/// One configured plugin (`plugins:` of the configuration file), validated for shape only: the
/// plugin host runs it.
public struct PluginSpec: Sendable, Equatable {
    /// The plugin's name: its webhook route `/v1/plugins/{name}/webhook` and its checkpoint key.
    public var name: String
    /// The executable and its arguments.
    public var command: [String]
    /// Environment variables for the plugin (secrets such as a webhook secret live here).
    public var env: [String: String]
    /// Handed to the plugin in `hello`.
    public var config: JSONObject
    /// The position a new plugin starts replaying from.
    public var from: UInt64
    /// Seconds between ticks, when the configuration sets it (the plugin may also ask in `hello`).
    public var tickSeconds: Double?

    /// A plugin running `command`.
    public init(name: String, command: [String], env: [String: String] = [:], config: JSONObject = [:], from: UInt64 = 0, tickSeconds: Double? = nil) {
        self.name = name
        self.command = command
        self.env = env
        self.config = config
        self.from = from
        self.tickSeconds = tickSeconds
    }
}
