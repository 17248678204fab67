import ArgumentParser
import Foundation
import ParleyLog
import ParleyModel

/// `parley bench`: throughput figures on a scratch directory.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure import, concurrent append, scan and stream-read throughput on a scratch directory.")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup(visibility: .hidden) var daemon: ServerOptions
    @Option(help: "Events to import.") var events = 1_000_000
    @Option(name: .customLong("import-runs"), help: "Imports to time, each into an empty log; the figure is their median.") var importRuns = 3
    @Option(help: "Concurrent single-event appenders.") var appenders = 64
    @Option(name: .customLong("appends"), help: "Single-event appends in total, shared by the appenders.") var appends = 20_000
    @Option(help: "Where to make the scratch directory (removed afterwards).") var scratch: String?
    @Option(name: .customLong("view-events"), help: "Events of the demo community for the views' figures (0 skips them).") var viewEvents = 1_000_000
    @Flag(help: "Keep the scratch data directories (their paths go to stderr), to query them afterwards.") var keep = false

    /// Removes a scratch data directory, or names it on stderr with `--keep`.
    private func discard(_ directory: String) {
        if keep {
            FileHandle.standardError.write(Data("kept \(directory)\n".utf8))
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    func run() async throws {
        // A daemon's figures come from ops/bench-server (wrk); PARLEY_SERVER in the environment
        // names no server for the bench, which never reads one.
        if daemon.server != nil {
            throw CommandFailure(message: "parley bench measures a scratch directory, not a server: drop --server, and run ops/bench-server for a daemon's figures", status: 2)
        }
        if let data = globals.data {
            throw CommandFailure(message: "parley bench measures on a scratch directory, not --data \(data): give --scratch DIR for where to make it", status: 2)
        }
        let base = scratch ?? FileManager.default.temporaryDirectory.path
        do {
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure(message: "--scratch \(base): cannot make the directory: \(error.localizedDescription)")
        }
        let directory = base + "/parley-bench-\(UUID().uuidString)"
        defer { discard(directory) }
        var figures: JSONObject = [:]
        progress("generating \(events) events")
        let input = directory + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try BenchEvents.writeJSONLines(count: events, to: input)

        // Durable import, into an empty log each time: the median of the runs (this machine's
        // disk and neighbours vary from one run to the next), the last run's log kept for the
        // figures below.
        guard importRuns >= 1 else { throw CommandFailure(message: "--import-runs must be at least 1", status: 2) }
        var importSeconds: [Double] = []
        var imported: EventLog?
        for run in 1...importRuns {
            if run > 1 {
                imported = nil  // closed before its directory goes
                try? FileManager.default.removeItem(atPath: directory)
            }
            let fresh = try EventLog(directory: directory)
            progress("importing (\(run) of \(importRuns))")
            importSeconds.append(try measure {
                let handle = FileHandle(forReadingAtPath: input)!
                let summary = try LogImporter(log: fresh).run(from: handle)
                precondition(summary.appended == events)
            })
            imported = fresh
        }
        let log = imported!
        let medianSeconds = median(importSeconds)
        figures["import"] = [
            "events": .int(Int64(events)), "seconds": .double(medianSeconds), "events_per_s": .double(Double(events) / medianSeconds),
            "runs_events_per_s": .array(importSeconds.map { .double(Double(events) / $0) }),
        ]

        // Bytes on disk against canonical bytes.
        var canonicalBytes = 0
        progress("scanning")
        let scanSeconds = try measure {
            var n = 0
            try log.scan { stored throws(LogError) in
                canonicalBytes += stored.canonical.count
                n += 1
                return true
            }
            precondition(n == events)
        }
        figures["scan"] = ["events_per_s": .double(Double(events) / scanSeconds), "seconds": .double(scanSeconds)]
        let decodeSeconds = try measure {
            try log.scan { stored throws(LogError) in
                _ = try stored.decode()
                return true
            }
        }
        figures["scan_decoded"] = ["events_per_s": .double(Double(events) / decodeSeconds), "seconds": .double(decodeSeconds)]
        let stats = try log.stats()
        figures["disk"] = [
            "file_bytes": .int(Int64(stats.bytes)), "used_bytes": .int(Int64(stats.usedBytes)),
            "canonical_bytes": .int(Int64(canonicalBytes)),
            "bytes_per_event": .double(Double(stats.usedBytes) / Double(events)),
            "canonical_bytes_per_event": .double(Double(canonicalBytes) / Double(events)),
            "ratio_to_canonical": .double(Double(stats.usedBytes) / Double(max(canonicalBytes, 1))),
        ]

        // Point reads of streams.
        progress("reading streams")
        var rng = SystemRandomNumberGenerator()
        let reads = 20_000
        let readSeconds = try measure {
            for _ in 0..<reads {
                let stream = BenchEvents.stream(Int.random(in: 0..<events, using: &rng))
                let positions = try log.positions(ofStream: stream)
                _ = try log.event(at: positions[positions.count / 2])
            }
        }
        figures["stream_reads"] = ["reads": .int(Int64(reads)), "reads_per_s": .double(Double(reads) / readSeconds)]

        // Concurrent single-event appends through the group committer.
        progress("appending with \(appenders) appenders")
        let writer = GroupCommitter(log: log)
        let perAppender = max(1, appends / max(1, appenders))
        var latencies: [Double] = []
        let appendSeconds = try await measureAsync {
            latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        var own: [Double] = []
                        for i in 0..<perAppender {
                            let event = BenchEvents.event(events + a * perAppender + i)
                            let start = DispatchTime.now().uptimeNanoseconds
                            _ = try await writer.append([event])
                            own.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                        }
                        return own
                    }
                }
                var all: [Double] = []
                for try await own in group { all += own }
                return all
            }
        }
        let commits = writer.commits
        writer.shutdown()
        latencies.sort()
        let total = appenders * perAppender
        figures["concurrent_append"] = [
            "appenders": .int(Int64(appenders)), "events": .int(Int64(total)),
            "events_per_s": .double(Double(total) / appendSeconds), "commits": .int(Int64(commits)),
            "events_per_commit": .double(Double(total) / Double(max(commits, 1))),
            "p50_ms": .double(latencies[latencies.count / 2]), "p99_ms": .double(latencies[Int(Double(latencies.count) * 0.99)]),
        ]

        if viewEvents > 0 {
            progress("building a community of about \(viewEvents) events for the views")
            let viewsDirectory = directory + "-views"
            defer { discard(viewsDirectory) }
            figures["views"] = try benchViews(events: viewEvents, in: viewsDirectory)
        }

        if globals.json {
            Output.line(JSONWriter.string(.object(figures)))
        } else {
            for key in figures.keys.sorted() { Output.line("\(key): \(JSONWriter.string(figures[key]!))") }
        }
    }

    private func progress(_ text: String) {
        if Output.isTerminal { FileHandle.standardError.write(Data("bench: \(text)…\n".utf8)) }
    }
}

/// Wall-clock seconds of `body`.
func measure(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Wall-clock seconds of `body`.
func measureAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Generated events with about 200 bytes of `data` each.
enum BenchEvents {
    static func stream(_ i: Int) -> String { "member:m\(i % 10_007)" }

    static func event(_ i: Int) -> NewEvent {
        NewEvent(
            id: "bench-\(i)", stream: stream(i), type: "comment.posted",
            time: Instant(microseconds: 1_780_000_000_000_000 + Int64(i) * 1_000_000),
            data: [
                "comment": .string("c\(i)"), "post": .string("p\(i % 997)"), "author": .string("m\(i % 10_007)"),
                "text": .string("Thanks for the update, when will the new feature reach my region? #\(i % 100)"),
                "reply_to": .string("c\(max(0, i - 3))"), "lang": "en",
            ])
    }

    static func writeJSONLines(count: Int, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure(message: "cannot write the bench's input file \(path)")
        }
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        for i in 0..<count {
            let e = event(i)
            let object: JSONValue = [
                "id": .string(e.id!), "stream": .string(e.stream), "type": .string(e.type),
                "time": .string(e.time.rfc3339), "data": .object(e.data),
            ]
            buffer += JSONWriter.encode(object)
            buffer.append(0x0A)
            if buffer.count > 8 << 20 {
                handle.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer))
        // On disk before the import starts, so that its write-back does not share the import's
        // fsyncs.
        try handle.synchronize()
    }
}

/// The middle of `timings` (the upper middle of an even count): the figure the bench reports
/// for anything it times more than once, since single timings here vary by a third.
func median(_ timings: [Double]) -> Double { timings.sorted()[timings.count / 2] }
