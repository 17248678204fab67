import Foundation
import Logging
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyTestSupport

/// Why a test's setup failed.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// A fresh data directory with an empty log and a scratch folder, removed afterwards.
func withTemporaryLog<T>(_ body: (EventLog, URL) async throws -> T) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("parley-host-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let log = try EventLog(directory: root.appendingPathComponent("data").path)
    return try await body(log, root)
}

/// The host's timings shrunk so that supervision tests take milliseconds.
func fastConfiguration(_ name: String, command: [String], environment: [String: String] = [:], config: JSONObject = [:]) -> PluginConfiguration {
    var c = PluginConfiguration(name: name, command: command, environment: environment, config: config)
    c.handshakeTimeout = .milliseconds(1500)
    c.stopGrace = .milliseconds(500)
    c.backoff = RestartBackoff(initial: .milliseconds(50), maximum: .milliseconds(400), healthyAfter: .seconds(60))
    c.pollInterval = .milliseconds(50)
    c.checkpointFlushInterval = .milliseconds(20)
    return c
}

/// Runs `host` while `body` runs, then cancels it and waits until it has stopped its plugin.
func withRunningHost<T: Sendable>(_ host: PluginHost, _ body: () async throws -> T) async throws -> T {
    let task = Task { await host.run() }
    do {
        let result = try await body()
        task.cancel()
        await task.value
        return result
    } catch {
        task.cancel()
        await task.value
        throw error
    }
}

/// A host over `log` whose emits are appended through a `GroupCommitter`, as the daemon does.
func makeHost(_ configuration: PluginConfiguration, log: EventLog, committer: GroupCommitter, logs: LogRecorder) throws -> PluginHost {
    try PluginHost(
        configuration: configuration, log: log,
        append: { batch throws(LogError) in try await committer.append(batch) },
        logger: logs.logger)
}

/// Waits until `condition` holds, checking every 20 ms; fails after `timeout` seconds.
func eventually(_ what: String, timeout: Double = 30, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw FixtureError(description: "timed out after \(timeout) s waiting for \(what)")
}

/// An executable product of the package, from the build products folder the tests run in.
func productBinary(_ name: String) throws -> String {
    var dirs: [URL] = []
    if let dir = ProcessInfo.processInfo.environment["PARLEY_PLUGIN_DIR"] { dirs.append(URL(fileURLWithPath: dir)) }
    dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
    if let executable = Bundle.main.executableURL { dirs.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        dirs.append(bundle.bundleURL.deletingLastPathComponent())
    }
    for dir in dirs {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    throw FixtureError(description: "\(name) not found in \(dirs.map(\.path)); build it first (swift build)")
}

/// A comment event, "help" in its text when `help`.
func comment(_ n: Int, help: Bool, time: String = "2026-03-02T09:00:00Z") -> NewEvent {
    NewEvent(
        id: "c-\(n)", stream: "post:p\(n)", type: "comment.posted", time: try! Instant(rfc3339: time),
        data: ["comment": .string("c\(n)"), "post": .string("p\(n)"), "author": .string("m\(n)"),
               "text": .string(help ? "help me please \(n)" : "nice post \(n)")])
}

/// An event of any type with the given data, id and time.
func event(_ type: String, stream: String, id: String, time: String, source: String = "api", _ data: JSONObject) -> NewEvent {
    NewEvent(id: id, stream: stream, type: type, time: try! Instant(rfc3339: time), source: source, data: data)
}

