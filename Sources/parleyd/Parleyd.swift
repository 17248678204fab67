import ArgumentParser
import Foundation
import Logging
import Metrics
import ParleyConfiguration
import ParleyLog
import ParleyServer

/// `parleyd`: the daemon. Serves the HTTP API over one data directory until SIGTERM or SIGINT.
@main
struct Parleyd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parleyd",
        abstract: "Parley's daemon: the HTTP API over one data directory, the views kept current.")

    @Option(help: "The data directory (default: the config file's data, else $PARLEY_DATA, else ./parley-data).")
    var data: String?

    @Option(help: "HOST:PORT to listen on (default: the config file's listen, else 127.0.0.1:7420; port 0 picks one).")
    var listen: String?

    @Option(help: "The YAML configuration file (tokens, plugins, listen, data).")
    var config: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical (default: $PARLEY_LOG_LEVEL, else info).")
    var logLevel: String?

    /// Parses the arguments; bad usage and bad configuration exit 2 with one sentence, a data
    /// directory that cannot be opened exits 1, a graceful shutdown exits 0.
    static func main() async {
        let command: Parleyd
        do {
            let parsed = try parseAsRoot()
            // `--help` parses as ArgumentParser's own help command.
            guard let daemon = parsed as? Parleyd else {
                FileHandle.standardOutput.write(Data((helpMessage() + "\n").utf8))
                Foundation.exit(0)
            }
            command = daemon
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            // One line, as every other error: the message and where the help is.
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("parleyd: \(message) (see 'parleyd --help')\n".utf8))
            Foundation.exit(2)
        }
        let configuration: DaemonConfiguration
        let level: Logger.Level
        do {
            configuration = try command.resolve()
            level = try command.level()
        } catch {
            FileHandle.standardError.write(Data("parleyd: \(error)\n".utf8))
            Foundation.exit(2)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "parleyd")
        let metrics = DaemonMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        let daemon: Daemon
        do {
            daemon = try Daemon(configuration: configuration, logger: logger, metrics: metrics, pluginHost: DaemonPlugins.factory(metrics: metrics))
        } catch let error as LogError {
            FileHandle.standardError.write(Data("parleyd: \(error.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            FileHandle.standardError.write(Data("parleyd: \(error)\n".utf8))
            Foundation.exit(1)
        }
        logger.info("parleyd starting", metadata: [
            "parley.data": "\(configuration.data)", "parley.tokens": "\(configuration.tokens.count)",
            "parley.plugins": "\(configuration.plugins.count)", "parley.allocator": "\(Allocator.name)",
        ])
        do {
            try await daemon.run { address in
                // One line on stdout for scripts and tests: where the API listens.
                FileHandle.standardOutput.write(Data("parleyd listening on \(address)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("parleyd: \(error)\n".utf8))
            Foundation.exit(1)
        }
        Foundation.exit(0)
    }

    func run() async throws {}

    /// The configuration: flags over the file over the environment over the defaults.
    func resolve() throws(ConfigurationError) -> DaemonConfiguration {
        var file = ConfigurationFile()
        if let config {
            guard let bytes = FileManager.default.contents(atPath: config) else {
                throw ConfigurationError(at: "--config", "cannot read \(config)")
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ConfigurationError(at: config, "is not UTF-8 text")
            }
            file = try ConfigurationFile(yaml: text, path: config)
        }
        var configuration = DaemonConfiguration(tokens: file.tokens, plugins: file.plugins)
        if let listen {
            configuration.listen = try ListenAddress(parsing: listen, source: "--listen")
        } else if let address = file.listen {
            configuration.listen = address
        }
        let environment = ProcessInfo.processInfo.environment["PARLEY_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.data = data ?? file.data ?? environment ?? "./parley-data"
        guard !configuration.data.isEmpty else { throw ConfigurationError(at: "--data", "must not be empty") }
        return configuration
    }

    /// The log level.
    func level() throws(ConfigurationError) -> Logger.Level {
        let text = logLevel ?? ProcessInfo.processInfo.environment["PARLEY_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(at: logLevel == nil ? "PARLEY_LOG_LEVEL" : "--log-level", "\"\(text)\" is not a level (trace, debug, info, notice, warning, error, critical)")
        }
        return level
    }
}
