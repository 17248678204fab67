import Foundation
import ParleyModel
import ParleyPluginProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why talking to a plugin process failed.
struct PluginProcessError: Error, CustomStringConvertible {
    var description: String
}

/// A real plugin executable running as a child process, driven over its stdin and stdout the
/// way the daemon drives it.
///
/// The binary is looked up next to the test bundle (the build products directory, where
/// `swift build`/`swift test` put every executable product), or in `PARLEY_PLUGIN_DIR`.
final class PluginProcess {
    let name: String
    private let process = Process()
    private let input = ProcessLaunch.pipe()
    private let output = ProcessLaunch.pipe()
    private let errors = ProcessLaunch.pipe()
    private var buffer: [UInt8] = []
    private var stderrText = ""
    private var syncs = 0

    /// Starts `parley-plugin-<name>` with `environment` (and nothing else of ours but PATH).
    init(_ name: String, environment: [String: String] = [:]) throws {
        self.name = name
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = try Self.locate("parley-plugin-\(name)")
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try ProcessLaunch.run(process)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// The directories that may hold the plugin binaries, best first.
    static func productDirectories() -> [URL] {
        var dirs: [URL] = []
        if let dir = ProcessInfo.processInfo.environment["PARLEY_PLUGIN_DIR"] { dirs.append(URL(fileURLWithPath: dir)) }
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        dirs.append(argument0.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL { dirs.append(executable.resolvingSymlinksInPath().deletingLastPathComponent()) }
        // macOS: …/debug/ParleyPackageTests.xctest/Contents/MacOS/ParleyPackageTests.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        return dirs
    }

    static func locate(_ binary: String) throws -> URL {
        let dirs = productDirectories()
        for dir in dirs {
            let candidate = dir.appendingPathComponent(binary)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw PluginProcessError(description: "\(binary) not found in \(dirs.map(\.path)); build it first (swift build)")
    }

    /// Sends one message line.
    func send(_ message: DaemonMessage) { send(line: message.line) }

    /// Sends one raw line (for malformed input).
    func send(line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// The next line the plugin writes, decoded; fails after `timeout` seconds of silence.
    func receive(timeout: Double = 10) throws -> PluginMessage {
        let line = try receiveLine(timeout: timeout)
        do { return try PluginMessage(line: line) } catch {
            throw PluginProcessError(description: "\(name) wrote an invalid line: \(error.message): \(line)")
        }
    }

    /// A fresh id for a sync webhook.
    func nextSyncID() -> String {
        syncs += 1
        return "sync-\(syncs)"
    }

    /// The next message that is not a `log` line.
    func receiveSkippingLogs(timeout: Double = 10) throws -> PluginMessage {
        while true {
            let message = try receive(timeout: timeout)
            if case .log = message { continue }
            return message
        }
    }

    /// The next raw line the plugin writes.
    func receiveLine(timeout: Double = 10) throws -> String {
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw PluginProcessError(description: "\(name) wrote nothing for \(timeout) s; stderr: \(drainStderr())")
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(left * 1000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else {
                throw PluginProcessError(description: "\(name) closed its stdout; stderr: \(drainStderr())")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// Closes the plugin's stdin and waits for it to exit; returns its status and its stderr.
    func finish(timeout: Double = 10) -> (status: Int32, stderr: String) {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        return (process.terminationStatus, drainStderr())
    }

    /// Whatever the plugin has written to stderr so far (non-blocking).
    private func drainStderr() -> String {
        let fd = errors.fileHandleForReading.fileDescriptor
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while poll(&poller, 1, 0) > 0 {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            stderrText += String(decoding: chunk[..<n], as: UTF8.self)
        }
        return stderrText
    }
}
