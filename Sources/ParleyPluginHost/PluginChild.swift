import Foundation
import Logging
import ParleyModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One running plugin process: its stdin (through a ``LineWriter``), its stdout as a stream of
/// lines, its stderr copied to the logger, and its exit.
final class PluginChild: @unchecked Sendable {
    /// What the plugin's stdout yields.
    enum Output: Sendable {
        /// One line without its newline.
        case line([UInt8])
        /// A line longer than the limit; reading stops.
        case tooLong(Int)
    }

    /// The process id.
    let pid: Int32
    /// The plugin's stdout, line by line; finishes when the plugin closes it (or exits).
    let lines: AsyncStream<Output>
    /// The plugin's stdin.
    let writer: LineWriter
    private let process: Process
    private let exit = Locked<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
    private let lastStderr = Locked<String?>(nil)
    /// Set once the plugin is being stopped: its stdout is no longer read (a flood of lines
    /// must not pile up while it dies).
    private let stoppedReading = Locked(false)

    /// Starts `configuration.command` with pipes on stdin, stdout and stderr.
    ///
    /// - Throws: ``PluginHostError`` when the command is empty or cannot be started.
    init(_ configuration: PluginConfiguration, logger: Logger) throws(PluginHostError) {
        guard let program = configuration.command.first, !program.isEmpty else {
            throw PluginHostError("plugin \(configuration.name): the command is empty")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(configuration.command.dropFirst())
        var environment: [String: String] = [:]
        let host = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "LANG", "TZ"] { environment[key] = host[key] }
        environment.merge(configuration.environment) { _, mine in mine }
        process.environment = environment
        let input = ProcessLaunch.pipe(), output = ProcessLaunch.pipe(), errors = ProcessLaunch.pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exit = self.exit
        process.terminationHandler = { p in
            let status = p.terminationReason == .uncaughtSignal ? -p.terminationStatus : p.terminationStatus
            let waiters = exit.withLock { state in
                state.status = status
                defer { state.waiters = [] }
                return state.waiters
            }
            for w in waiters { w.resume(returning: status) }
        }
        if let failure = Self.spawnWithSignalsUnblocked(process) {
            throw PluginHostError("plugin \(configuration.name): cannot start \(program): \(Self.whyNotRunnable(program) ?? failure)")
        }
        self.process = process
        pid = process.processIdentifier
        // Kept close-on-exec (unlike `dup`'s copies): a plugin started later must not hold this
        // one's input open, or this one would never see the end of it.
        func keep(_ handle: FileHandle) -> Int32 { fcntl(handle.fileDescriptor, F_DUPFD_CLOEXEC, 0) }
        writer = LineWriter(descriptor: keep(input.fileHandleForWriting))
        try? input.fileHandleForWriting.close()
        let (stream, continuation) = AsyncStream.makeStream(of: Output.self)
        lines = stream
        let outFD = keep(output.fileHandleForReading)
        try? output.fileHandleForReading.close()
        let errFD = keep(errors.fileHandleForReading)
        try? errors.fileHandleForReading.close()
        let limit = configuration.maxLineBytes
        let stopped = self.stoppedReading
        Self.thread("parley-plugin-out") {
            Self.readLines(outFD, limit: limit, until: { stopped.current }) { continuation.yield($0) }
            continuation.finish()
        }
        let lastStderr = self.lastStderr
        Self.thread("parley-plugin-err") {
            Self.readLines(errFD, limit: 64 << 10, until: { false }) { out in
                guard case .line(let bytes) = out else { return }
                let text = String(decoding: bytes, as: UTF8.self)
                guard !text.allSatisfy(\.isWhitespace) else { return }
                lastStderr.withLock { $0 = text }
                logger.notice("\(text)", metadata: ["plugin.stream": "stderr"])
            }
        }
    }

    /// The last non-blank line the plugin wrote to stderr, for error reports.
    var lastStderrLine: String? { lastStderr.current }

    /// The exit status once the process has ended (negative: the signal that ended it).
    var exitStatus: Int32? { exit.current.status }

    /// Waits for the process to end; returns its status (negative: the signal that ended it).
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
            let done: Int32? = exit.withLock { state in
                if let s = state.status { return s }
                state.waiters.append(c)
                return nil
            }
            if let done { c.resume(returning: done) }
        }
    }

    /// Waits up to `timeout` for the process to end (checking every 5 ms); `nil` if it still runs.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return exitStatus
    }

    /// Stops the process: SIGTERM, then SIGKILL after `grace`; returns once it has ended.
    func stop(grace: Duration) async -> Int32 {
        writer.abort()
        if let status = exitStatus { return status }
        kill(pid, SIGTERM)
        if let status = await waitForExit(timeout: grace) { return status }
        kill(pid, SIGKILL)
        return await waitForExit()
    }

    /// Closes stdin (the plugin should then exit 0) and waits up to `grace`, then stops it.
    func finish(grace: Duration) async -> Int32 {
        writer.finish()
        if let status = await waitForExit(timeout: grace) { return status }
        return await stop(grace: grace)
    }

    /// Stops the process from a thread of its own, without waiting: SIGTERM at once (or, with
    /// `closingInput`, first its stdin closed and `grace` to exit by itself), then SIGKILL after
    /// `grace`.
    func terminate(grace: Duration, closingInput: Bool) {
        if closingInput { writer.finish() } else {
            writer.abort()
            stoppedReading.withLock { $0 = true }
        }
        let pid = self.pid
        let exit = self.exit
        let seconds = grace.timeInterval
        Self.thread("parley-plugin-stop") {
            func waitUp(_ limit: Double) -> Bool {
                let deadline = Date().addingTimeInterval(limit)
                while Date() < deadline {
                    if exit.current.status != nil { return true }
                    usleep(5_000)
                }
                return exit.current.status != nil
            }
            if closingInput, waitUp(seconds) { return }
            kill(pid, SIGTERM)
            if waitUp(seconds) { return }
            kill(pid, SIGKILL)
        }
    }

    /// Starts `process` from a thread whose signal mask is empty: a child inherits the mask of
    /// the thread that spawns it, and the threads of the concurrency pool block every signal,
    /// which would leave the plugin deaf to SIGTERM.
    ///
    /// - Returns: why the start failed, or `nil`.
    private static func spawnWithSignalsUnblocked(_ process: Process) -> String? {
        let done = DispatchSemaphore(value: 0)
        let failure = Locked<String?>(nil)
        let t = Thread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try ProcessLaunch.run(process) } catch { failure.withLock { $0 = error.localizedDescription } }
            done.signal()
        }
        t.start()
        done.wait()
        return failure.current
    }

    /// Why `path` cannot be run, in words Foundation's launch errors do not give ("The
    /// operation could not be completed"); nil when nothing is visibly wrong with it.
    static func whyNotRunnable(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "there is no such file"
        }
        if isDirectory.boolValue { return "it is a directory" }
        guard FileManager.default.isExecutableFile(atPath: path) else { return "it is not executable (chmod +x)" }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let start = Array((try? handle.read(upToCount: 4)) ?? Data())
        if start.starts(with: Array("#!".utf8)) || start == [0x7F, 0x45, 0x4C, 0x46] { return nil }
        return "it is neither a program nor a script that starts with a #! line (e.g. #!/usr/bin/env python3)"
    }

    private static func thread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let t = Thread(block: body)
        t.name = name
        t.start()
    }

    /// Reads `fd` to its end (or until `stop` says so), calling `emit` for every line; closes `fd`.
    private static func readLines(_ fd: Int32, limit: Int, until stop: () -> Bool, _ emit: (Output) -> Void) {
        defer { close(fd) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0, !stop() else { break }
            var start = buffer.count
            buffer.append(contentsOf: chunk[..<n])
            var lineStart = 0
            while let newline = buffer[start...].firstIndex(of: 0x0A) {
                emit(.line(Array(buffer[lineStart..<newline])))
                lineStart = newline + 1
                start = lineStart
            }
            if lineStart > 0 { buffer.removeSubrange(..<lineStart) }
            if buffer.count > limit {
                emit(.tooLong(buffer.count))
                return
            }
        }
        if !buffer.isEmpty, !stop() { emit(.line(buffer)) }
    }
}
