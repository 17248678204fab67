import Foundation
import Hummingbird

/// A client that has not taken a write within the timeout.
struct StreamStall: Error, CustomStringConvertible {
    /// The timeout, in seconds.
    var seconds: Double
    var description: String { "the client read nothing for \(seconds) s" }
}

/// Writes a response body with a deadline per write: a client that stops reading (its socket
/// buffer full) fails the write with ``StreamStall`` instead of holding the stream forever.
///
/// The write and the deadline race, and whichever ends first decides: when the deadline wins,
/// the caller gets ``StreamStall`` at once and ends the response (closing the connection, which
/// fails the abandoned write), rather than waiting for a write that may never resume.
struct TimedWriter: Sendable {
    let timeout: Double

    /// The writer, moved into a box so that a child task may write while the caller waits.
    private final class Box: @unchecked Sendable {
        var writer: any ResponseBodyWriter
        init(_ writer: any ResponseBodyWriter) { self.writer = writer }
    }

    /// Resumes a continuation once, from whichever side finishes first.
    private final class Race: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Void, any Error>?
        init(_ continuation: CheckedContinuation<Void, any Error>) { self.continuation = continuation }
        func finish(_ result: Result<Void, any Error>) {
            lock.lock()
            let c = continuation
            continuation = nil
            lock.unlock()
            c?.resume(with: result)
        }
    }

    /// Writes `buffer` to `writer` within the timeout.
    ///
    /// - Throws: ``StreamStall`` when the write did not complete in time; the write's own error.
    func write(_ buffer: ByteBuffer, to writer: inout any ResponseBodyWriter) async throws {
        let box = Box(writer)
        defer { writer = box.writer }
        let timeout = self.timeout
        var writing: Task<Void, Never>?
        var deadline: Task<Void, Never>?
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let race = Race(continuation)
            writing = Task {
                do {
                    try await box.writer.write(buffer)
                    race.finish(.success(()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            deadline = Task {
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                race.finish(.failure(StreamStall(seconds: timeout)))
            }
        }
        deadline?.cancel()
        _ = writing
    }
}
