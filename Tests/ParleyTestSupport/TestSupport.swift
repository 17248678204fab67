public import Foundation
public import Logging

/// A new temporary directory path (not created).
public func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("parley-test-\(UUID().uuidString)").path
}

/// Runs `body` on a thread of its own and waits for it without holding a thread of Swift's
/// cooperative pool. The pool has one thread per core (two here); a test that blocks one (a
/// child process, a pipe) while another test does the same starves every in-process daemon
/// running at that moment, whose requests then time out: waits on processes go through here.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Collects log lines, to check what was reported.
public final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Logger.Level, String)] = []

    /// An empty recorder.
    public init() {}

    /// A logger whose lines land here (and nowhere else).
    public var logger: Logger {
        var logger = Logger(label: "test") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    public func record(_ level: Logger.Level, _ message: String) {
        lock.lock()
        lines.append((level, message))
        lock.unlock()
    }

    /// Whether some line at `level` or above contains `text`.
    public func contains(_ text: String, atLeast level: Logger.Level = .trace) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return lines.contains { $0.0 >= level && $0.1.contains(text) }
    }

    /// Every line so far.
    public var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines.map { "\($0.0): \($0.1)" }
    }
}

/// A swift-log handler that hands lines to a ``LogRecorder``.
public struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Records the message, then the metadata (the handler's, then the event's) as sorted
    /// `key=value` pairs.
    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let pairs = all.keys.sorted().map { " \($0)=\(all[$0]!)" }.joined()
        recorder.record(event.level, "\(event.message)" + pairs)
    }
}
