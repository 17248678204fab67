import ParleyPluginProtocol

/// The sla-watch plugin's settings, from the `config` of its hello.
struct SLAWatchConfig: Sendable {
    /// `team`: the team tickets are escalated to.
    var team = "support-leads"
    /// `warn_before_s`: escalate this many seconds before the first response falls due.
    var warnBeforeSeconds: Int64 = 900
    /// `tick_s`: seconds between the daemon's ticks.
    var tickSeconds: Int64 = 60
    /// The `source` (and `by`) of emitted events: the plugin's name.
    var source = "sla-watch"

    /// The config keys the plugin reads.
    static let keys: Set<String> = ["team", "warn_before_s", "tick_s"]

    init() {}

    /// Reads the config object of the daemon's hello.
    ///
    /// - Throws: ``PluginProtocolError`` naming an unknown key or a bad value.
    init(config: PluginConfig, source: String) throws(PluginProtocolError) {
        try config.requireKnownKeys(Self.keys)
        team = try config.string("team", default: team)
        guard !team.isEmpty else { throw PluginProtocolError(.invalidValue, "config key \"team\" must not be empty") }
        warnBeforeSeconds = try config.integer("warn_before_s", default: warnBeforeSeconds, in: 0...31_536_000)
        tickSeconds = try config.integer("tick_s", default: tickSeconds, in: 1...86_400)
        self.source = source
    }
}
