import Foundation
import ParleyTestSupport
import ParleyModel
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A real `parleyd` child process on a free loopback port.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let directory: String
    let configPath: String
    private(set) var port = 0
    private let stdout = ProcessLaunch.pipe()
    /// Where standard error goes: a file, which never fills up as a pipe nobody reads would.
    private let stderrPath: String

    /// The path of the `parleyd` built next to the test bundle.
    static var executable: String {
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("parleyd").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("parleyd").path
    }

    /// Starts `parleyd` over `directory` with a config file of the test tokens, logging at
    /// `logLevel`; returns once it listens.
    init(directory: String, extraConfiguration: String = "", logLevel: String = "warning") throws {
        self.directory = directory
        configPath = directory + ".yaml"
        stderrPath = directory + ".stderr"
        let yaml = """
        listen: 127.0.0.1:0
        tokens:
          - name: admin
            secret: "\(TestTokens.admin)"
            scopes: [admin]

        """ + extraConfiguration
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["--data", directory, "--config", configPath, "--log-level", logLevel]
        process.standardOutput = stdout
        guard FileManager.default.createFile(atPath: stderrPath, contents: nil), let errors = FileHandle(forWritingAtPath: stderrPath) else {
            throw TestFailure("cannot make \(stderrPath)")
        }
        process.standardError = errors
        try ProcessLaunch.run(process)
        let handle = stdout.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("parleyd listening on ") }),
               let port = Int(line.split(separator: ":").last ?? "") {
                self.port = port
                return
            }
        }
        process.terminate()
        throw TestFailure("parleyd did not start: \(text) \(Self.read(stderrPath))")
    }

    /// Starts `parleyd` as ``init(directory:extraConfiguration:)`` does, waiting off the
    /// cooperative pool.
    static func start(directory: String, extraConfiguration: String = "", logLevel: String = "warning") async throws -> DaemonProcess {
        try await offThePool { try DaemonProcess(directory: directory, extraConfiguration: extraConfiguration, logLevel: logLevel) }
    }

    /// A daemon over `directory` running the github plugin built beside it, with `secret` as
    /// its webhook secret, logging at `logLevel`.
    static func startWithGitHubPlugin(directory: String, secret: String, logLevel: String = "warning") async throws -> DaemonProcess {
        let plugin = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("parley-plugin-github").path
        return try await start(directory: directory, extraConfiguration: """
            plugins:
              - name: github
                command: ["\(plugin)"]
                env: {GITHUB_WEBHOOK_SECRET: "\(secret)"}

            """, logLevel: logLevel)
    }

    /// The base URL.
    var base: String { "http://127.0.0.1:\(port)" }

    /// Sends `signal`.
    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit; returns its status and standard error.
    func wait() -> (status: Int32, stderr: String) {
        process.waitUntilExit()
        return (process.terminationStatus, Self.read(stderrPath))
    }

    private static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Waits for the process to exit, off the cooperative pool; returns its status and standard error.
    func exit() async -> (status: Int32, stderr: String) {
        (try? await offThePool { self.wait() }) ?? (-1, "")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: configPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

/// Runs `parleyd` with `arguments` to completion; returns its status, standard error and
/// standard output (read after standard error: for short outputs only). A daemon still running
/// after `seconds` is killed (status SIGKILL), so that a test of a command that should end
/// fails instead of hanging.
func runParleyd(_ arguments: [String], seconds: Double = 30) async throws -> (status: Int32, stderr: String, stdout: String) {
    let run = try await runProgram(DaemonProcess.executable, arguments, seconds: seconds)
    return (run.status, run.stderr, run.output)
}

/// The answers that came back 201: each acknowledged event's id and position.
actor Acknowledged {
    var events: [(id: String, position: UInt64)] = []
    var refused = 0
    func add(ids: [String], positions: [UInt64]) { events += zip(ids, positions).map { ($0, $1) } }
    func refuse() { refused += 1 }

    /// Waits (at most `seconds`) until at least `count` events are acknowledged, so that a
    /// signal sent next lands while appends are flowing, however slow the machine.
    func waitFor(_ count: Int, seconds: Double = 20) async {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while events.count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
