public import ParleyModel
public import ParleyPluginHost

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

extension PluginSpec {
    /// What the plugin host runs, with the host's default timings.
    public var configuration: PluginConfiguration {
        PluginConfiguration(name: name, command: command, environment: env, config: config, from: from, tickSeconds: tickSeconds)
    }
}
