import Foundation
import ParleyLog
import ParleyModel
import ParleyPluginProtocol

/// Sends a plugin the stored events of its subscription: the replay from its checkpoint, then
/// `caught_up`, then every new event as the log grows, all in position order and on a thread
/// of its own (reading the log and waiting on a full pipe both block).
///
/// Event lines are built from the stored canonical bytes without decoding the events, so a
/// replay costs little more than the copy into the pipe.
final class EventFeed: @unchecked Sendable {
    /// What the feed has done so far.
    struct Progress: Sendable {
        /// The last position read (delivered or skipped): nothing up to it is still to come.
        var cursor: UInt64
        /// The position sent in `caught_up`, once sent.
        var caughtUpAt: UInt64?
        /// Events sent.
        var delivered: UInt64 = 0
    }

    private let log: EventLog
    private let subscription: Subscription
    private let writer: LineWriter
    private let pollInterval: Duration
    private let onCaughtUp: @Sendable (UInt64) -> Void
    private let onError: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var knownHead: UInt64 = 0
    private var stopped = false
    private let state: Locked<Progress>
    /// Events read from the log in one read transaction at most.
    private let chunkEvents = 4096

    /// Creates a feed that starts after `checkpoint`.
    init(
        log: EventLog, subscription: Subscription, after checkpoint: UInt64, writer: LineWriter, pollInterval: Duration,
        onCaughtUp: @escaping @Sendable (UInt64) -> Void, onError: @escaping @Sendable (String) -> Void
    ) {
        self.log = log
        self.subscription = subscription
        self.writer = writer
        self.pollInterval = pollInterval
        self.onCaughtUp = onCaughtUp
        self.onError = onError
        state = Locked(Progress(cursor: checkpoint))
    }

    /// What the feed has done so far.
    var progress: Progress { state.current }

    /// Starts the feed's thread.
    func start() {
        let t = Thread { [self] in self.run() }
        t.name = "parley-plugin-feed"
        t.start()
    }

    /// The log has grown to `head`: wake the feed.
    func notify(head: UInt64) {
        condition.lock()
        knownHead = max(knownHead, head)
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the feed (it ends at its next wait or write).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func run() {
        var cursor = state.current.cursor
        var caughtUp = false
        while !isStopped && !writer.isClosed {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 16)
            var read = 0
            var delivered: UInt64 = 0
            var last = cursor
            do {
                try log.scan(from: cursor + 1) { stored throws(LogError) in
                    last = stored.position
                    read += 1
                    if subscription.matches(Self.type(ofCanonical: stored.canonical)) {
                        buffer.append(contentsOf: #"{"type":"event","event":"#.utf8)
                        stored.jsonLine(into: &buffer)
                        buffer.insert(0x7D, at: buffer.count - 1)  // close the message before the newline
                        delivered += 1
                    }
                    return read < chunkEvents && buffer.count < (1 << 20)
                }
            } catch {
                onError("reading the log after position \(cursor) failed: \(error.description)")
                waitForNews(after: cursor)
                continue
            }
            // The cursor moves before the lines go out: the plugin may confirm them at once.
            cursor = last
            state.withLock {
                $0.cursor = cursor
                $0.delivered += delivered
            }
            if !buffer.isEmpty, !writer.sendWaiting(buffer) { return }
            guard read < chunkEvents && buffer.count < (1 << 20) else { continue }
            if !caughtUp {
                caughtUp = true
                let line = DaemonMessage.caughtUp(position: cursor).line + "\n"
                state.withLock { $0.caughtUpAt = cursor }
                guard writer.sendWaiting(Array(line.utf8)) else { return }
                onCaughtUp(cursor)
            }
            waitForNews(after: cursor)
        }
    }

    /// Waits until ``notify(head:)`` reports a head past `cursor`, the poll interval passes, or
    /// the feed is stopped.
    private func waitForNews(after cursor: UInt64) {
        let deadline = Date().addingTimeInterval(pollInterval.timeInterval)
        condition.lock()
        while knownHead <= cursor && !stopped {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
    }

    /// The `type` of a stored event from its canonical bytes, which end with
    /// `,"type":"<type>","version":<n>}` (format 1; a type holds no quote or backslash).
    static func type(ofCanonical bytes: UnsafeRawBufferPointer) -> String {
        let marker = Array(#"","version":"#.utf8)
        var end = bytes.count - marker.count
        while end > 0 {
            if bytes[end] == 0x22, bytes[end + 1] == 0x2C, bytes[end..<(end + marker.count)].elementsEqual(marker) { break }
            end -= 1
        }
        var start = end - 1
        while start > 0 && bytes[start] != 0x22 { start -= 1 }
        guard start >= 0, start < end else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<end]), as: UTF8.self)
    }
}
