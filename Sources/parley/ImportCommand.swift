import ArgumentParser
import Foundation
import ParleyLog
import ParleyModel

/// `parley import`: appends a JSON Lines file in atomic batches.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append a JSON Lines file of events in atomic batches (- for stdin).",
        discussion: "The first invalid line stops the import; the log then holds exactly the batches before it. Re-importing a file appends nothing twice."
    )

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    @Argument(help: "The JSON Lines file, or - for standard input.") var file: String
    @Option(name: .customLong("batch-size"), help: "Events per atomic batch.") var batchSize = 1000

    func run() throws {
        let handle: FileHandle
        var total: Int?
        if file == "-" {
            handle = .standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: file) else {
                throw CommandFailure(message: "cannot read \(file): no such file or permission denied")
            }
            handle = h
            total = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        }
        if let remote = try daemon.remote(globals) {
            return try importRemote(handle, remote)
        }
        let log = try globals.openLog(create: true)
        var importer = LogImporter(log: log)
        importer.batchSize = max(1, batchSize)
        let bar = ProgressBar(total: total, enabled: Output.isTerminal && !globals.json)
        let summary: ImportSummary
        do {
            summary = try importer.run(from: handle) { bytes, s in bar.update(bytes: bytes, events: s.read) }
        } catch let error as ImportError {
            bar.finish()
            let name = file == "-" ? "stdin" : file
            throw CommandFailure(message: "\(name) line \(error.line): \(error.reason) (appended \(error.summary.appended) events before it)")
        } catch let error as LogError {
            bar.finish()
            throw CommandFailure(message: error.message)
        }
        bar.finish()
        if globals.json {
            Output.line(JSONWriter.string(["read": .int(Int64(summary.read)), "appended": .int(Int64(summary.appended)), "duplicates": .int(Int64(summary.duplicates))]))
        } else {
            Output.line("read \(summary.read) events: \(summary.appended) appended, \(summary.duplicates) already in the log")
        }
    }
}

extension ImportCommand {
    /// The most bytes of lines sent in one request: half the daemon's limit of 16 MiB a
    /// request, so that a batch of large events is split rather than refused (an event is at
    /// most 1 MiB, so one always fits).
    static let requestBytes = 8 << 20

    /// Imports through a daemon: each batch of lines is validated here, then sent as one JSON
    /// Lines request (one atomic batch on the server). A batch is sent early when its lines
    /// reach ``requestBytes``.
    func importRemote(_ handle: FileHandle, _ remote: RemoteLog) throws {
        let name = file == "-" ? "stdin" : file
        var read = 0, appended = 0, duplicates = 0
        var batch: [JSONValue] = []
        var batchBytes = 0
        var lines: [Int] = []
        var seen = Set<UInt64>()
        func flush() throws {
            guard !batch.isEmpty else { return }
            let report: (positions: [UInt64], appended: Int?)
            do { report = try remote.appendReport(batch, lines: true) } catch let failure as CommandFailure {
                // Name the line when the server names the event.
                let place = failure.event.flatMap { $0 < lines.count ? " line \(lines[$0])" : nil } ?? ""
                throw CommandFailure(message: "\(name)\(place): \(failure.message) (appended \(appended) events before it)")
            }
            // The daemon says how many were new; else count repeated positions as duplicates.
            if let new = report.appended {
                appended += new
                duplicates += report.positions.count - new
            } else {
                for p in report.positions {
                    if seen.insert(p).inserted { appended += 1 } else { duplicates += 1 }
                }
            }
            batch.removeAll()
            lines.removeAll()
            batchBytes = 0
        }
        // Line by line, in chunks (an import may be larger than memory). A bad line stops the
        // import before its batch is sent: the log holds exactly the batches before it, as a
        // local import leaves it.
        var number = 0
        try InputLines.forEach(in: handle, idle: flush) { line in
            number += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return true }
            read += 1
            let json: JSONValue
            do {
                json = try JSONParser.parse(line)
                _ = try NewEvent(json: json)
            } catch {
                throw CommandFailure(message: "\(name) line \(number): \(error) (appended \(appended) events before it)")
            }
            if batchBytes + line.count + 1 > Self.requestBytes { try flush() }
            batch.append(json)
            lines.append(number)
            batchBytes += line.count + 1
            if batch.count >= batchSize { try flush() }
            return true
        }
        try flush()
        if globals.json {
            Output.line(JSONWriter.string(["read": .int(Int64(read)), "appended": .int(Int64(appended)), "duplicates": .int(Int64(duplicates))]))
        } else {
            Output.line("read \(read) events: \(appended) appended, \(duplicates) already in the log")
        }
    }
}

/// A one-line progress bar on stderr, shown only on a terminal.
final class ProgressBar {
    private let total: Int?
    private let enabled: Bool
    private let start = Date()
    private var shown = false

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(bytes: Int, events: Int) {
        guard enabled else { return }
        shown = true
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let rate = Int(Double(events) / elapsed)
        var line = "\r\(events) events, \(rate)/s"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int(fraction * 30)
            line = "\r[" + String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled) + "] \(Int(fraction * 100))% " + line.dropFirst()
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
