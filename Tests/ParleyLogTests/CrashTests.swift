import Foundation
import ParleyTestSupport
import Testing
import ParleyDemo
import ParleyLog
import ParleyModel

/// Kills a real `parley import` at random instants and checks what the log kept.
@Suite(.serialized) struct CrashTests {
    static let total = 12_000
    /// Small enough that the import takes several commits (``LogImporter/batchesPerCommit``
    /// batches each), so that kills land between and inside them, not only before the first.
    static let batchSize = 25

    /// The input: ids e0…, several streams, every line a valid event.
    static func writeInput(to path: String) throws {
        var text = ""
        for i in 0..<total {
            let time = Instant(microseconds: 1_780_000_000_000_000 + Int64(i) * 1_000_000).rfc3339
            text += #"{"id":"e\#(i)","stream":"member:m\#(i % 37)","type":"reaction.added","time":"\#(time)","data":{"target":"p\#(i % 11)","member":"m\#(i % 37)","n":\#(i)}}"# + "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Checks that the log holds whole batches of the input, in order, and verifies.
    static func checkPrefix(_ directory: String) throws -> UInt64 {
        // A kill before the import created its directory leaves an empty log: a prefix too.
        let log = try EventLog(directory: directory, create: true)
        let head = try log.head()
        #expect(head % UInt64(batchSize) == 0 || head == UInt64(total), "head \(head) is not a whole number of batches")
        var expected = 0
        try log.scan { stored throws(LogError) in
            let event = try stored.decode()
            #expect(event.id == "e\(expected)")
            expected += 1
            return true
        }
        #expect(expected == Int(head))
        if case .failure(let f) = try log.verify() { Issue.record("audit after kill: \(f)") }
        return head
    }

    /// Runs `parley` with `arguments` and sends it SIGKILL once the log in `directory` holds
    /// `target` events (at once for 0), `extra` seconds later (so that the kill lands inside a
    /// commit as often as between two), unless it has ended; returns whether the kill landed
    /// while it ran.
    ///
    /// The kill follows the import's progress rather than a clock: on a machine busy with other
    /// suites, a kill timed from a calibration lands before the first commit or after the last.
    static func runAndKill(_ arguments: [String], directory: String, whenHeadReaches target: UInt64, extra: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: productPath("parley"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        do {
            // Released before the caller opens the log again: LMDB allows one environment per
            // file in a process.
            var log: EventLog?
            while target > 0, process.isRunning {
                // Until the import has made its log, opening it fails; the test only reads it.
                if log == nil { log = try? EventLog(directory: directory, create: false) }
                if let head = try? log?.head(), head >= target { break }
                usleep(500)
            }
        }
        usleep(UInt32(extra * 1_000_000))
        var killed = false
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = true
        }
        process.waitUntilExit()
        return killed
    }

    @Test func killedImportsLeaveWholeBatchesAndReimportCompletes() async throws {
        let directory = temporaryPath()
        let input = temporaryPath() + ".jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: input)
        }
        try Self.writeInput(to: input)
        let arguments = ["import", input, "--data", directory, "--batch-size", String(Self.batchSize)]
        var rng = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
        var kills = 0
        // Kills after which the log held more of the input than before, but not all of it: the
        // case this test is for.
        var partial = 0
        var lastHead: UInt64 = 0
        for round in 0..<12 {
            // Every fourth kill as soon as the import starts (before or while it makes its log);
            // the others once it has written past a point between what the log holds and the end.
            let target = round % 4 == 0 ? 0 : UInt64.random(in: lastHead + 1 ..< UInt64(Self.total), using: &rng)
            let extra = Double.random(in: 0...(target == 0 ? 0.05 : 0.004), using: &rng)
            // Start, watch, kill and reap on a thread of its own: the timing must not depend on
            // when the cooperative pool, busy with other suites, gets to this test again.
            let killed = try await offThePool {
                try Self.runAndKill(arguments, directory: directory, whenHeadReaches: target, extra: extra)
            }
            if killed { kills += 1 }
            let head = try Self.checkPrefix(directory)
            #expect(head >= lastHead)
            if head > lastHead, head < UInt64(Self.total) { partial += 1 }
            if head >= UInt64(Self.total) - UInt64(Self.batchSize) {
                // Finished, or too near the end to stop inside: start over with a fresh import.
                try FileManager.default.removeItem(atPath: directory)
                lastHead = 0
            } else {
                lastHead = head
            }
        }
        // Complete the import: nothing twice.
        let finish = try await runProduct("parley", arguments + ["--json"])
        #expect(finish.status == 0, "\(finish.stderr)")
        let summary = try JSONParser.parse(finish.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(summary["read"] == .int(Int64(Self.total)))
        #expect(summary["appended"]!.intValue! + Int64(lastHead) == Int64(Self.total))
        #expect(try Self.checkPrefix(directory) == UInt64(Self.total))
        #expect(kills > 0, "the import always finished before the kill; the test proved nothing")
        #expect(partial > 0, "no kill left part of the input in the log; the test proved only all or nothing")
    }

    @Test func cliReportsTheBadLineAndKeepsEarlierBatches() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var lines: [String] = []
        for i in 0..<7 {
            lines.append(#"{"id":"x\#(i)","stream":"s","type":"member.joined","time":"2026-03-01T00:00:0\#(i)Z","data":{"member":"m\#(i)"}}"#)
        }
        lines.insert(#"{"id":"bad","stream":"s","type":"member.joined","time":"2026-03-01T00:00:00Z","data":{"member":7}}"#, at: 5)
        let result = try await runProduct("parley", ["import", "-", "--data", directory, "--batch-size", "2"], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 6"), "\(result.stderr)")
        #expect(result.stderr.contains("data.member"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        let log = try EventLog(directory: directory, create: false)
        #expect(try log.head() == 4)  // batches [0,1] and [2,3]; the batch [4, bad] is not written
    }

    @Test func cliRefusesMalformedInputNamingTheLine() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = #"{"stream":"s","type":"x","time":"2026-03-01T00:00:00Z","data":{}}"#
        var bytes = Data((good + "\n\n" + good + "\n").utf8)
        bytes.append(contentsOf: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D, 0x0A])
        let result = try await runProduct("parley", ["import", "-", "--data", directory], stdin: bytes)
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 4"), "\(result.stderr)")
        #expect(result.stderr.contains("UTF-8"), "\(result.stderr)")
        let log = try EventLog(directory: directory, create: false)
        #expect(try log.head() == 0)
    }
}
