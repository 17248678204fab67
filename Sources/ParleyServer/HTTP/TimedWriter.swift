import Hummingbird

/// A client that has not taken a write within the timeout.
struct StreamStall: Error, CustomStringConvertible {
    /// The timeout, in seconds.
    var seconds: Double
    var description: String { "the client read nothing for \(seconds) s" }
}

/// Writes a response body with a deadline per write: a client that stops reading (its socket
/// buffer full) fails the write with ``StreamStall`` instead of holding the stream forever.
struct TimedWriter: Sendable {
    let timeout: Double

    /// The writer, moved into a box so that a child task may write while the parent waits.
    private final class Box: @unchecked Sendable {
        var writer: any ResponseBodyWriter
        init(_ writer: any ResponseBodyWriter) { self.writer = writer }
    }

    /// Writes `buffer` to `writer` within the timeout.
    ///
    /// - Throws: ``StreamStall`` when the write did not complete in time; the write's own error.
    func write(_ buffer: ByteBuffer, to writer: inout any ResponseBodyWriter) async throws {
        let box = Box(writer)
        defer { writer = box.writer }
        let timeout = self.timeout
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await box.writer.write(buffer)
                return true
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                return false
            }
            let written = try await group.next() ?? false
            group.cancelAll()
            if !written { throw StreamStall(seconds: timeout) }
        }
    }
}
