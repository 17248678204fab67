import ArgumentParser
import Foundation
import Logging
import ParleyLog
import ParleyConfiguration
import ParleyModel
import ParleyPluginHost

/// `parley plugin …`: plugins run offline over the log.
struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin", abstract: "Run plugins offline over the log.", subcommands: [PluginRunCommand.self])
}

/// `parley plugin run NAME`: the plugin exchange over the log as it stands, until the plugin has
/// caught up; emits are appended directly. Running it again appends nothing new (deterministic
/// ids and the stored checkpoint).
struct PluginRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one plugin until it has caught up with the log (a backfill or an audit).",
        discussion: """
            The plugin comes from the `plugins:` list of --config (the daemon's YAML configuration, or JSON), \
            or is the executable given with --command. Exits 0 once the plugin is caught up, has \
            confirmed its checkpoint and has no emit unanswered.
            """)

    @OptionGroup var globals: GlobalOptions
    @OptionGroup(visibility: .hidden) var daemon: ServerOptions
    @Argument(help: "The plugin's name (its checkpoint key and default event source).") var name: String
    @Option(help: "The daemon's configuration file (YAML or JSON) with a `plugins` list.") var config: String?
    @Option(help: "Run this executable as the plugin instead of one from --config.") var command: String?
    @Option(name: .customLong("plugin-config"), help: "With --command: the `config` object handed over in hello, as JSON.")
    var pluginConfig: String?
    @Option(parsing: .unconditional, help: "With --command: where a plugin without a stored checkpoint starts replaying.", transform: wholeNumber)
    var from: UInt64 = 0
    @Flag(help: "Log the host's and the plugin's debug lines to stderr.") var verbose = false

    func run() async throws {
        try daemon.refuse(for: "plugin run", globals)
        let plugin = try resolvePlugin()
        let log = try globals.openLog(create: true)
        var logger = Logger(label: "parley.plugin") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = verbose ? .debug : .notice
        let report: OfflinePluginRun.Report
        do { report = try await OfflinePluginRun.run(plugin, log: log, logger: logger) } catch {
            throw CommandFailure(message: error.message)
        }
        if globals.json {
            Output.line(JSONWriter.string(.object([
                "plugin": .string(plugin.name), "caught_up": .int(Int64(report.caughtUpAt)),
                "checkpoint": .int(Int64(report.checkpoint)), "held": .bool(report.held),
                "delivered": .int(Int64(report.delivered)), "emitted": .int(Int64(report.emitted)),
                "appended": .int(Int64(report.appended)), "rejected": .int(Int64(report.rejected)),
            ])))
        } else {
            let held = report.held ? " (the plugin keeps it below the head to rebuild its state)" : ""
            Output.line("plugin \(plugin.name): caught up at position \(report.caughtUpAt), checkpoint \(report.checkpoint)\(held)")
            Output.line("delivered \(report.delivered) events; emitted \(report.emitted) (\(report.appended) new); \(report.rejected) emits rejected")
        }
        // A backfill or an audit that lost events must not pass for one that did not.
        if report.rejected > 0 {
            throw CommandFailure(message: "plugin \(plugin.name): \(report.rejected) of its emits were rejected and their events not appended (the lines above say why)")
        }
    }

    /// The plugin to run, from --command or --config.
    private func resolvePlugin() throws -> PluginConfiguration {
        guard let config else {
            // `--command PATH`, or by default the plugin's own executable, parley-plugin-NAME.
            guard let executable = command ?? PluginExecutable.locate(name) else {
                throw CommandFailure(message: "no executable \(PluginExecutable.fileName(of: name)) beside parley, in ../lib/parley from it, or on PATH; give --command PATH or --config FILE to say what plugin \(name) is", status: 2)
            }
            var object: JSONObject = [:]
            if let pluginConfig {
                guard case .object(let o) = try parseJSON(pluginConfig, option: "--plugin-config") else {
                    throw CommandFailure(message: "--plugin-config must be a JSON object")
                }
                object = o
            }
            // A plugin given on the command line runs in the caller's environment.
            return PluginConfiguration(
                name: name, command: [executable], environment: ProcessInfo.processInfo.environment, config: object, from: from)
        }
        guard command == nil else { throw CommandFailure(message: "give either --command or --config, not both", status: 2) }
        guard let bytes = FileManager.default.contents(atPath: config) else {
            throw CommandFailure(message: "cannot read the configuration file \(config)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandFailure(message: "\(config): is not UTF-8 text")
        }
        // The daemon's own reader (JSON is YAML too): what parleyd refuses, this refuses.
        let plugins: [PluginConfiguration]
        do { plugins = try ConfigurationFile(yaml: text, path: config).plugins } catch {
            throw CommandFailure(message: "\(error)")
        }
        guard let plugin = plugins.first(where: { $0.name == name }) else {
            let known = plugins.map(\.name).joined(separator: ", ")
            throw CommandFailure(message: "\(config) configures no plugin named \"\(name)\" (it has: \(known.isEmpty ? "none" : known))")
        }
        return plugin
    }
}
