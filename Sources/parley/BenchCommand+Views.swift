import Foundation
import ParleyDemo
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

extension BenchCommand {
    /// The views' figures on a demo community of about `events` events: catching the index up,
    /// a full rebuild of every view, and each query at now and at an instant in the past, in
    /// process and as a whole `parley` process.
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
        var rebuilt = Views()
        let rebuild = try measure { rebuilt = try index.views(asOf: until) }
        _ = rebuilt
        var queries: [String: JSONValue] = [:]
        let past = until.adding(days: -45)
        for name in ViewQueryName.replayable {
            var figures: [String: JSONValue] = [:]
            for (label, asOf) in [("now", until), ("past", past)] {
                var request = ViewRequest(name: name)
                request.asOf = asOf
                let seconds = try measure { _ = try index.answer(request) }
                figures["\(label)_ms"] = .double(seconds * 1000)
            }
            queries[name.rawValue] = .object(figures)
        }
        // A whole CLI process, as a person runs it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["support", "sla", "--data", directory, "--as-of", until.rfc3339, "--json"]
        process.standardOutput = FileHandle.nullDevice
        let cli = try measure {
            try process.run()
            process.waitUntilExit()
        }
        return [
            "events": .int(Int64(events.count)),
            "index_catch_up_events_per_s": .double(Double(events.count) / catchUp),
            "rebuild_events_per_s": .double(Double(events.count) / rebuild),
            "queries": .object(queries),
            "cli_support_sla_ms": .double(cli * 1000),
        ]
    }
}
