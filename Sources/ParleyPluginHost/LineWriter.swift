import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plugin's stdin, written by a thread of its own so that a plugin that stops reading blocks
/// nobody but that thread.
///
/// Async callers hand lines over with ``send(_:)``, which never blocks; the replay thread uses
/// ``sendWaiting(_:)``, which waits while more than ``highWater`` bytes are queued, so a
/// replay never buffers more than that ahead of the plugin.
final class LineWriter: @unchecked Sendable {
    /// The queued bytes above which ``sendWaiting(_:)`` waits.
    let highWater: Int
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var queued = 0
    private var finishing = false
    private var closed = false
    private let descriptor: Int32

    /// Starts the writer thread over `descriptor`, which it closes when done.
    init(descriptor: Int32, highWater: Int = 1 << 20) {
        self.descriptor = descriptor
        self.highWater = highWater
        let t = Thread { [self] in self.run() }
        t.name = "parley-plugin-in"
        t.start()
    }

    /// Queues `bytes` (whole lines, each ending in `\n`); returns false when the pipe is closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, !finishing else { return false }
        chunks.append(bytes)
        queued += bytes.count
        condition.broadcast()
        return true
    }

    /// Queues `bytes` after waiting until fewer than ``highWater`` bytes are queued; returns
    /// false when the pipe is closed. Blocks the calling thread: not for async code.
    @discardableResult
    func sendWaiting(_ bytes: [UInt8]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queued > highWater && !closed && !finishing { condition.wait() }
        guard !closed, !finishing else { return false }
        chunks.append(bytes)
        queued += bytes.count
        condition.broadcast()
        return true
    }

    /// Writes what is queued, then closes the pipe (the plugin reads end of input).
    func finish() {
        condition.lock()
        finishing = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops what is queued and closes the pipe as soon as the thread is free.
    func abort() {
        condition.lock()
        closed = true
        chunks = []
        queued = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the pipe is closed (aborted, finished or broken).
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    private func run() {
        defer { close(descriptor) }
        while true {
            condition.lock()
            while chunks.isEmpty && !closed && !finishing { condition.wait() }
            if closed || (chunks.isEmpty && finishing) {
                closed = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = chunks
            chunks = []
            condition.unlock()
            var written = 0
            for chunk in batch {
                guard Self.writeAll(descriptor, chunk) else {
                    abort()
                    return
                }
                written += chunk.count
            }
            condition.lock()
            queued -= written
            if queued < 0 { queued = 0 }
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Writes all of `bytes`; false when the pipe is broken.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
