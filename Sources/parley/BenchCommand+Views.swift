import Foundation
import ParleyDemo
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

extension BenchCommand {
    /// This very `parley` executable. `CommandLine.arguments[0]` is only the name it was run
    /// by: `parley`, found through PATH, which names no file in the current directory.
    var ownExecutable: URL {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: path) }
        #endif
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// The views' figures on a demo community of about `events` events: catching the index up,
    /// a full rebuild of every view (median of three), and each query at now and at an instant in the past, in
    /// process and as a whole `parley` process: the first (which stores the views' state), later
    /// ones that load it (warm), and ones after an append of 20 events; the stored state's size
    /// and load time.
    func benchViews(events target: Int, in directory: String) throws -> JSONValue {
        let until = Instant(microseconds: 1_790_000_000_000_000)
        var demo = DemoCommunity(seed: 42, until: until, days: 90, members: max(300, target / 300))
        demo.intensity = max(1, target / 6_000)
        let events = demo.generate()
        let input = directory + ".views.jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        var bytes: [UInt8] = []
        for e in events { bytes += JSONWriter.encode(e.json); bytes.append(0x0A) }
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let log = try EventLog(directory: directory)
        _ = try LogImporter(log: log).run(from: FileHandle(forReadingAtPath: input)!)
        let index = try ViewIndex(log: log)
        let catchUp = try measure { try index.catchUp() }
        // Three rebuilds, the median reported: one run on a shared two-core machine is noise.
        let rebuilds = try (0..<3).map { _ in try measure { _ = try index.views(asOf: until) } }
        let rebuild = rebuilds.sorted()[1]
        let past = until.adding(days: -45)
        // A whole CLI process, as a person runs it: the first one builds and stores the views'
        // state; later ones load it (warm), or load it and apply a few new events (after append).
        func cliSeconds(_ name: ViewQueryName = .supportSLA, asOf: Instant = until) throws -> Double {
            let process = Process()
            process.executableURL = ownExecutable
            process.arguments = name.rawValue.split(separator: "/").map(String.init) + ["--data", directory, "--as-of", asOf.rfc3339, "--json"]
            process.standardOutput = FileHandle.nullDevice
            return try measure {
                try ProcessLaunch.run(process)
                process.waitUntilExit()
            }
        }
        let cli = try cliSeconds()
        let warm = median(try (0..<3).map { _ in try cliSeconds() })
        // Every query as a whole CLI process with the stored state warm, now and 45 days back
        // (median of three runs each).
        var queries: JSONObject = [:]
        for name in ViewQueryName.replayable {
            var figures: JSONObject = [:]
            for (label, asOf) in [("now", until), ("past", past)] {
                figures["cli_\(label)_ms"] = .double(median(try (0..<3).map { _ in try cliSeconds(name, asOf: asOf) }) * 1000)
            }
            queries[name.rawValue] = .object(figures)
        }
        var afterAppend: [Double] = []
        for round in 0..<3 {
            let fresh = (0..<20).map { i in
                NewEvent(
                    stream: "ticket:bench-\(round)-\(i)", type: "ticket.opened", time: until.adding(seconds: Double(round * 20 + i)),
                    data: ["ticket": .string("bench-\(round)-\(i)"), "member": "m1"])
            }
            _ = try log.append(fresh)
            afterAppend.append(try cliSeconds())
        }
        // The stored state in process: its size, and loading it.
        let snapshot = try index.snapshot()
        let load = median(try (0..<3).map { _ in try measure { _ = try LiveViews(restoring: index) } })
        return [
            "events": .int(Int64(events.count)),
            "index_catch_up_events_per_s": .double(Double(events.count) / catchUp),
            "rebuild_events_per_s": .double(Double(events.count) / rebuild),
            "rebuild_runs_events_per_s": .array(rebuilds.map { .double(Double(events.count) / $0) }),
            "queries": .object(queries),
            "cli_support_sla_ms": .double(cli * 1000),
            "cli_support_sla_warm_ms": .double(warm * 1000),
            "cli_support_sla_after_append_ms": .double(median(afterAppend) * 1000),
            "snapshot_bytes": .int(Int64(snapshot.map { $0.views.encodedState().count } ?? 0)),
            "snapshot_load_ms": .double(load * 1000),
        ]
    }
}
