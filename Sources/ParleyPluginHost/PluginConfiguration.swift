public import ParleyModel

/// One configured plugin (the `plugins:` list of the configuration file, `surfaces.md`) and the
/// host's timings for it. Reading the configuration file happens at the edge (the daemon, the
/// CLI); this is the plain value they hand over.
public struct PluginConfiguration: Sendable {
    /// The plugin's name: its checkpoint's key, its webhook route, the default `source` of its events.
    public var name: String
    /// The program and its arguments (argv; no shell).
    public var command: [String]
    /// Environment variables of the process, beside `PATH`, `HOME`, `LANG` and `TZ` of the host.
    public var environment: [String: String]
    /// The `config` object handed to the plugin in `hello`.
    public var config: JSONObject
    /// The position a new plugin (one without a stored checkpoint) starts replaying from.
    public var from: UInt64
    /// Seconds between ticks, overriding the plugin's `tick_s` (`nil`: the plugin's own choice).
    public var tickSeconds: Double?

    /// How long the plugin may take to answer `hello`.
    public var handshakeTimeout: Duration
    /// How long a stopped plugin gets between SIGTERM and SIGKILL (and, when its stdin is closed
    /// at the end of an offline run, to exit by itself).
    public var stopGrace: Duration
    /// The restart delays after failures.
    public var backoff: RestartBackoff
    /// How often the live feed reads the log's head when nobody calls ``PluginHost/logAdvanced(to:)``.
    public var pollInterval: Duration
    /// How often the latest confirmed checkpoint is written to the store (checkpoints are coalesced).
    public var checkpointFlushInterval: Duration
    /// The longest line the plugin may write; a longer one counts as malformed.
    public var maxLineBytes: Int

    /// Creates a configuration with the daemon's default timings.
    ///
    /// - Parameters:
    ///   - name: the plugin's name.
    ///   - command: argv of the plugin executable; must not be empty.
    ///   - environment: extra environment variables (secrets go here).
    ///   - config: the object handed over in `hello`.
    ///   - from: where a new plugin starts replaying (0 or 1: from the first event).
    ///   - tickSeconds: overrides the plugin's `tick_s`.
    public init(
        name: String, command: [String], environment: [String: String] = [:], config: JSONObject = [:],
        from: UInt64 = 0, tickSeconds: Double? = nil
    ) {
        self.name = name
        self.command = command
        self.environment = environment
        self.config = config
        self.from = from
        self.tickSeconds = tickSeconds
        handshakeTimeout = .seconds(10)
        stopGrace = .seconds(5)
        backoff = RestartBackoff()
        pollInterval = .seconds(1)
        checkpointFlushInterval = .milliseconds(200)
        maxLineBytes = 64 << 20
    }

    /// The checkpoint a plugin without a stored one starts from: the position before ``from``.
    public var initialCheckpoint: UInt64 { from > 0 ? from - 1 : 0 }

    /// The `source` given to emitted events that name none: the name when it is a valid source.
    var defaultSource: String? {
        let valid = !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
        return valid ? name : nil
    }
}

/// Restart delays: `initial` after the first failure, doubling up to `maximum`, back to
/// `initial` once a plugin has run for `healthyAfter` without failing.
public struct RestartBackoff: Sendable, Equatable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration
    /// A run this long counts as healthy and resets the delay.
    public var healthyAfter: Duration

    /// Creates a back-off (defaults: 0.5 s doubling to 30 s, reset after a minute).
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), healthyAfter: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
        self.healthyAfter = healthyAfter
    }

    /// The delay before the next start, after `failures` failures in a row (1 for the first).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = initial
        for _ in 1..<min(failures, 64) {
            delay *= 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }
}
