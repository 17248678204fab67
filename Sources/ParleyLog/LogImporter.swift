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
public struct LogImporter {
    /// Events per atomic batch.
    public var batchSize = 1000
    /// Batches per durable commit (fewer fsyncs; each batch stays atomic).
    public var batchesPerCommit = 16

    private let log: EventLog

    public init(log: EventLog) { self.log = log }

    /// Imports every line readable from `handle`.
    ///
    /// - Parameter progress: called after each commit with the bytes and events read so far.
    public func run(from handle: FileHandle, progress: (Int, ImportSummary) -> Void = { _, _ in }) throws -> ImportSummary {
        var summary = ImportSummary()
        var lineNumber = 0
        var bytesRead = 0
        var carry: [UInt8] = []
        var batch: [NewEvent] = []
        var batchLines: [Int] = []
        var pending: [(events: [NewEvent], lines: [Int])] = []

        func commit() throws {
            guard !pending.isEmpty else { return }
            let results = try log.append(batches: pending.map(\.events), stopAtFailure: true)
            for (index, result) in results.enumerated() {
                switch result {
                case .success(let outcome):
                    summary.appended += outcome.appended
                    summary.duplicates += outcome.duplicates
                case .failure(let error):
                    let line = error.eventIndex.map { pending[index].lines[$0] } ?? pending[index].lines.first ?? lineNumber
                    throw ImportError(line: line, reason: error.message, field: error.field, summary: summary)
                }
            }
            pending.removeAll(keepingCapacity: true)
            progress(bytesRead, summary)
        }

        func take(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            var end = line.count
            if end > 0, line[end - 1] == 0x0D { end -= 1 }
            let body = UnsafeBufferPointer(rebasing: line[0..<end])
            if body.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            summary.read += 1
            do {
                guard body.count <= EventLog.maxEventBytes * 2 else {
                    throw EventValidationError(field: "", "the line is \(body.count) bytes, far over the 1 MiB event limit")
                }
                let json = try JSONParser.parse(body)
                batch.append(try NewEvent(json: json))
                batchLines.append(lineNumber)
            } catch let error as JSONSyntaxError {
                try commit()
                throw ImportError(line: lineNumber, reason: error.description, field: nil, summary: summary)
            } catch let error as EventValidationError {
                try commit()
                throw ImportError(line: lineNumber, reason: error.description, field: error.field.isEmpty ? nil : error.field, summary: summary)
            }
            if batch.count >= batchSize {
                pending.append((batch, batchLines))
                batch.removeAll(keepingCapacity: true)
                batchLines.removeAll(keepingCapacity: true)
                if pending.count >= batchesPerCommit { try commit() }
            }
        }

        while true {
            let chunk = try handle.read(upToCount: 4 << 20) ?? Data()
            if chunk.isEmpty { break }
            bytesRead += chunk.count
            carry.append(contentsOf: chunk)
            var consumed = 0
            try carry.withUnsafeBufferPointer { buffer in
                var start = 0
                while let newline = buffer[start...].firstIndex(of: 0x0A) {
                    try take(UnsafeBufferPointer(rebasing: buffer[start..<newline]))
                    start = newline + 1
                }
                consumed = start
            }
            carry.removeFirst(consumed)
        }
        if !carry.isEmpty { try carry.withUnsafeBufferPointer { try take($0) } }
        if !batch.isEmpty { pending.append((batch, batchLines)) }
        try commit()
        return summary
    }
}
