import ParleyModel
public import Foundation

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    /// Events read (non-blank lines).
    public var read = 0
    /// Events appended.
    public var appended = 0
    /// Events already in the log (same id, same content).
    public var duplicates = 0

    public init() {}
}

/// Why an import stopped: the line at fault and the reason. The log holds exactly the batches
/// before the one with that line.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// The line number, from 1.
    public var line: Int
    /// What is wrong with it.
    public var reason: String
    /// The field at fault, if any.
    public var field: String?
    /// What the import appended before it stopped.
    public var summary: ImportSummary

    public var description: String { "line \(line): \(reason)" }
}

/// Imports JSON Lines into the log in atomic batches: every line of a batch is validated before
/// the batch is written, and the first bad line stops the import.
///
/// Two stages overlap: a reader thread splits, parses and validates lines into batches while the
/// calling thread appends them, several batches to a durable commit.
public struct LogImporter: Sendable {
    /// Events per atomic batch.
    public var batchSize = 1000
    /// Batches per durable commit at most (each batch stays atomic). A commit copies every
    /// page it touches once, however many of its events land there, and pays one fsync. When
    /// this was chosen (the writer has become faster since), with events spread over many
    /// streams, 48 batches a commit imported a million events in 2.8-3.0 s against 3.5-4.6 s
    /// with 16; 96 wrote 9% fewer bytes but was no faster.
    public var batchesPerCommit = 48
    /// How long a commit waits for the reader to fill it. A commit of a few batches costs
    /// the writer almost as much as a full one: when this was chosen, the writer alone appended
    /// a million events in 2.8 s in commits of 48 batches and in 3.9-4.2 s in commits of 10,
    /// the size commits had when the writer took whatever was ready. A slow input (a pipe)
    /// waits at most this long.
    public var commitFill = Duration.milliseconds(250)
    /// How long the input may be quiet before the reader hands over a batch that is not full:
    /// lines from a pipe (`tail -f log | parley import -`) are written without waiting for
    /// the batch to fill or the input to end.
    public var inputQuiet = Duration.milliseconds(100)

    private let log: EventLog

    public init(log: EventLog) { self.log = log }

    /// Imports every line readable from `handle`.
    ///
    /// - Parameter progress: called after each commit with the bytes and events read so far.
    public func run(from handle: FileHandle, progress: (Int, ImportSummary) -> Void = { _, _ in }) throws -> ImportSummary {
        let queue = BatchQueue(capacity: batchesPerCommit * 2)
        let reader = Thread { [batchSize, inputQuiet] in
            var parser = LineBatcher(batchSize: batchSize, inputQuiet: inputQuiet, queue: queue)
            parser.run(handle)
        }
        reader.name = "parley-import-reader"
        reader.start()
        defer { queue.cancel() }

        var summary = ImportSummary()
        while true {
            let (batches, end) = queue.take(max: batchesPerCommit, fill: commitFill)
            if !batches.isEmpty {
                let results = try log.append(prepared: batches.map(\.events), stopAtFailure: true)
                for (index, result) in results.enumerated() {
                    switch result {
                    case .success(let outcome):
                        summary.read += batches[index].events.count
                        summary.appended += outcome.appended
                        summary.duplicates += outcome.duplicates
                    case .failure(let error):
                        let lines = batches[index].lines
                        let line = error.eventIndex.map { lines[$0] } ?? lines.first ?? 0
                        var reason = error.message
                        if let earlier = error.earlierEventIndex, let id = error.eventIndex.flatMap({ batches[index].events[$0].id }) {
                            // "event 0 of this batch" means nothing to the reader of a file.
                            reason = "id \"\(id)\" is used by line \(lines[earlier]) with other content"
                        }
                        throw ImportError(line: line, reason: reason, field: error.field, summary: summary)
                    }
                }
                progress(batches.last!.bytesRead, summary)
                queue.recycle(batches)
            }
            switch end {
            case nil: continue
            case .finished?: return summary
            case .failed(let line, let reason, let field, let readBefore)?:
                summary.read = readBefore + 1
                throw ImportError(line: line, reason: reason, field: field, summary: summary)
            }
        }
    }
}

/// The lines of an input (JSON Lines), read 4 MiB at a time: what `parley import` reads, here or
/// through a daemon.
public enum InputLines {
    /// Calls `line` with each line of `handle`, without its newline (a last line without one
    /// counts too), and `chunk` with the bytes read so far before the lines of each chunk. Stops
    /// early when either returns false. A UTF-8 byte-order mark at the very start of the input
    /// is skipped, as editors on Windows write one; anywhere else it stays in its line.
    ///
    /// - Parameter idle: called when the input has nothing to read for `quiet` (a pipe whose
    ///   writer pauses), once each time, before waiting on; where a caller sends a batch that
    ///   is not full rather than hold its lines until more arrive.
    public static func forEach(
        in handle: FileHandle, quiet: Duration = .milliseconds(100), idle: () throws -> Void = {},
        chunk: (Int) -> Bool = { _ in true }, _ line: (UnsafeBufferPointer<UInt8>) throws -> Bool
    ) throws {
        var carry: [UInt8] = []
        var bytesRead = 0
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        // Until the input's first three bytes are in (a pipe may give fewer at a time).
        var atStart = true
        var data = [UInt8](repeating: 0, count: 4 << 20)
        let quietMilliseconds = Int32(clamping: Int(quiet.timeInterval * 1000))
        while true {
            if !isReady(handle.fileDescriptor, within: quietMilliseconds) { try idle() }
            let count = try data.withUnsafeMutableBytes { try readSome(handle.fileDescriptor, into: $0) }
            if count == 0 { break }
            bytesRead += count
            guard chunk(bytesRead) else { return }
            carry.append(contentsOf: data[..<count])
            if atStart, carry.count >= byteOrderMark.count || !byteOrderMark.starts(with: carry) {
                if carry.starts(with: byteOrderMark) { carry.removeFirst(byteOrderMark.count) }
                atStart = false
            }
            var consumed = 0
            let goOn = try carry.withUnsafeBufferPointer { buffer in
                var start = 0
                while start < buffer.count, let found = memchr(buffer.baseAddress! + start, 0x0A, buffer.count - start) {
                    let newline = buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    guard try line(UnsafeBufferPointer(rebasing: buffer[start..<newline])) else { return false }
                    start = newline + 1
                }
                consumed = start
                return true
            }
            guard goOn else { return }
            carry.removeFirst(consumed)
        }
        if !carry.isEmpty { _ = try carry.withUnsafeBufferPointer { try line($0) } }
    }

    /// Whether `descriptor` has something to read (or its end) within `milliseconds`. A regular
    /// file always has; an interrupted wait counts as ready, and the read that follows waits.
    private static func isReady(_ descriptor: Int32, within milliseconds: Int32) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&request, 1, milliseconds) != 0
    }

    /// Reads what `descriptor` has ready, up to the size of `buffer`, waiting only until some
    /// bytes are there: a pipe's lines are taken as they come, not once 4 MiB have arrived
    /// (as `FileHandle.read(upToCount:)` waits for). Returns 0 at the end of the input.
    private static func readSome(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }
}

/// Splits a byte stream into lines and lines into validated batches (the reader stage).
struct LineBatcher {
    let batchSize: Int
    let inputQuiet: Duration
    let queue: BatchQueue
    var lineNumber = 0
    var read = 0
    var batch = ParsedBatch()
    var scanner = EventLineScanner()

    init(batchSize: Int, inputQuiet: Duration, queue: BatchQueue) {
        self.batchSize = batchSize
        self.inputQuiet = inputQuiet
        self.queue = queue
    }

    mutating func run(_ handle: FileHandle) {
        var failure: BatchQueue.End?
        do {
            try InputLines.forEach(in: handle, quiet: inputQuiet, idle: { handOver() }, chunk: { bytesRead in
                batch.bytesRead = bytesRead
                return !queue.isCancelled
            }) { line in
                failure = take(line)
                return failure == nil
            }
            if let failure { return queue.finish(failure) }
            handOver()
            queue.finish(.finished)
        } catch {
            queue.finish(.failed(line: lineNumber + 1, reason: "cannot read the input: \(error.localizedDescription)", field: nil, readBefore: read))
        }
    }

    /// Parses one line into the current batch; a bad line ends the import.
    mutating func take(_ line: UnsafeBufferPointer<UInt8>) -> BatchQueue.End? {
        lineNumber += 1
        var end = line.count
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        let body = UnsafeBufferPointer(rebasing: line[0..<end])
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return nil }
        do {
            guard body.count <= EventLog.maxEventBytes * 2 else {
                throw EventValidationError(field: "", "the line is \(body.count) bytes, far over the 1 MiB event limit")
            }
            // Prepared here, on the reader thread: the writer only splices the encoded bytes.
            // A line the scanner settles (no escapes, plain integers: most) is copied in one
            // pass, white space dropped and keys sorted; any other takes the general path,
            // which also names what is wrong.
            if let prepared = scanner.scan(body, PreparedEvent.init) {
                batch.events.append(prepared)
            } else {
                batch.events.append(PreparedEvent(try NewEvent(json: JSONParser.parse(body))))
            }
            batch.lines.append(lineNumber)
        } catch let error as JSONSyntaxError {
            return .failed(line: lineNumber, reason: error.description, field: nil, readBefore: read)
        } catch let error as EventValidationError {
            return .failed(line: lineNumber, reason: error.description, field: error.field.isEmpty ? nil : error.field, readBefore: read)
        } catch {
            return .failed(line: lineNumber, reason: "\(error)", field: nil, readBefore: read)
        }
        read += 1
        if batch.events.count >= batchSize { handOver() }
        return nil
    }

    /// Hands the lines parsed so far to the appender as a batch of their own.
    mutating func handOver() {
        guard !batch.events.isEmpty else { return }
        let bytesRead = batch.bytesRead
        queue.put(batch)
        batch = ParsedBatch()
        batch.bytesRead = bytesRead
    }
}

/// A batch of validated events with the line each came from.
struct ParsedBatch: Sendable {
    var events: [PreparedEvent] = []
    var lines: [Int] = []
    var bytesRead = 0
}

/// A bounded hand-over between the reader stage and the appending stage.
final class BatchQueue: @unchecked Sendable {
    /// How the reader stage ended.
    enum End: Sendable {
        case finished
        case failed(line: Int, reason: String, field: String?, readBefore: Int)
    }

    private let condition = NSCondition()
    private var batches: [ParsedBatch] = []
    /// Batches appended, waiting for the reader to free them.
    private var appended: [ParsedBatch] = []
    private var end: End?
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    func put(_ batch: ParsedBatch) {
        condition.lock()
        while batches.count >= capacity && !cancelled { condition.wait() }
        batches.append(batch)
        let appended = self.appended
        self.appended = []
        condition.broadcast()
        condition.unlock()
        _ = appended  // the last reference: freed here, on the reader's thread
    }

    /// Hands batches the appender is done with back to the reader stage, which frees them: a
    /// batch is thousands of allocations (each event's pieces, id and stream), and the appender
    /// is the busier stage.
    func recycle(_ done: [ParsedBatch]) {
        condition.lock()
        appended.append(contentsOf: done)
        condition.unlock()
    }

    func finish(_ end: End) {
        condition.lock()
        self.end = end
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Up to `max` batches, and the end once every batch is taken. Waits for at least one
    /// batch, then up to `fill` more for `max` to be ready, unless the input ends first.
    func take(max: Int, fill: Duration = .zero) -> ([ParsedBatch], End?) {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && end == nil { condition.wait() }
        if batches.count < max && end == nil && fill > .zero {
            let deadline = Date(timeIntervalSinceNow: fill.timeInterval)
            while batches.count < max && end == nil && !cancelled && condition.wait(until: deadline) {}
        }
        let taken = Array(batches.prefix(max))
        batches.removeFirst(taken.count)
        condition.broadcast()
        return (taken, batches.isEmpty ? end : nil)
    }
}
