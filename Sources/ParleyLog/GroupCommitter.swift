public import ParleyModel
internal import Foundation

/// The single writer of a process: concurrent appenders hand it batches, and it appends every
/// batch waiting at the moment into one LMDB commit, so that N appenders share its fsyncs instead
/// of paying their own; each is answered once its commit is durable (see ``run()``). Each batch
/// stays atomic on its own.
public final class GroupCommitter: @unchecked Sendable {
    /// Figures about one commit, for metrics.
    public struct Commit: Sendable {
        /// Batches in the commit.
        public var batches: Int
        /// Events appended (duplicates excluded).
        public var events: Int
        /// Seconds from the start of the transaction to the end of the fsync.
        public var seconds: Double
    }

    /// A batch's result, and the batch handed back: the appender frees it, not the writer
    /// (a large batch is thousands of allocations to free, work the single writer need not do).
    private typealias Answer = (result: Result<AppendOutcome, LogError>, batch: [PreparedEvent])

    private struct Request {
        var batch: [PreparedEvent]
        var continuation: CheckedContinuation<Answer, Never>
    }

    private let log: EventLog
    private let condition = NSCondition()
    private var queue: [Request] = []
    private var stopping = false
    private var stopped = false
    private let maxEventsPerCommit: Int
    private let onCommit: @Sendable (Commit) -> Void
    /// Commits made so far.
    public private(set) var commits = 0
    /// Batches handed to a commit so far, and batches waiting for one (under the lock; for tests).
    private var taken = 0
    var batchesTaken: Int { condition.withLock { taken } }
    var batchesWaiting: Int { condition.withLock { queue.count } }

    /// Starts the writer thread of `log`.
    ///
    /// - Parameters:
    ///   - maxEventsPerCommit: a commit takes whole batches until it holds at least this many events.
    ///   - onCommit: called on the writer thread after each commit (metrics).
    public init(log: EventLog, maxEventsPerCommit: Int = 20_000, onCommit: @escaping @Sendable (Commit) -> Void = { _ in }) {
        self.log = log
        self.maxEventsPerCommit = maxEventsPerCommit
        self.onCommit = onCommit
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "parley-writer"
        thread.start()
    }

    /// Appends `batch` atomically; returns once it is durable on disk.
    public func append(_ batch: [NewEvent]) async throws(LogError) -> AppendOutcome {
        // Encoded here, on the appender's thread, so that concurrent appenders share the work
        // and the writer thread only splices bytes.
        let batch = batch.map(PreparedEvent.init)
        let answer = await withCheckedContinuation { (continuation: CheckedContinuation<Answer, Never>) in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(returning: (.failure(LogError(code: .storage, message: "the log is shutting down")), []))
                return
            }
            queue.append(Request(batch: batch, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
        return try answer.result.get()
    }

    /// Finishes every batch already handed in, then stops the writer thread.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    /// Resumes the appender of `request` with `result` and its batch, keeping no reference here.
    private func answer(_ request: inout Request, _ result: Result<AppendOutcome, LogError>) {
        let batch = request.batch
        request.batch = []
        request.continuation.resume(returning: (result, batch))
    }

    /// Commits what is waiting, one commit after another, and answers each batch once its commit
    /// is durable.
    ///
    /// Each commit is LMDB's durable one: its pages, then its meta page, each flushed (two
    /// fsyncs). Leaving the meta page to the next commit's fsync (`MDB_NOMETASYNC`) saves one of
    /// them, but then a batch can be answered only once the next commit returns: each waited
    /// through two commits instead of one, and 64 clients posting single events were answered
    /// later and so sent fewer (slower in 22 of 29 paired runs, by a median of about 10%).
    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var take = 0
            var events = 0
            while take < queue.count && (take == 0 || events < maxEventsPerCommit) {
                events += queue[take].batch.count
                take += 1
            }
            var requests = Array(queue.prefix(take))
            queue.removeFirst(take)
            taken += take
            condition.unlock()

            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let results = try log.append(prepared: requests.map(\.batch))
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                commits += 1
                let appended = results.reduce(0) { $0 + ((try? $1.get())?.appended ?? 0) }
                onCommit(Commit(batches: requests.count, events: appended, seconds: seconds))
                for i in requests.indices { answer(&requests[i], results[i]) }
            } catch {
                for i in requests.indices { answer(&requests[i], .failure(error)) }
            }
        }
    }
}
