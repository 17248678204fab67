import Foundation
import Testing
import ParleyModel
import ParleyTestSupport

/// `parley bench` on a small scale: every figure is there, the import's is the median of its
/// runs, and the scratch directory is left empty.
@Suite struct BenchCommandTests {
    @Test func benchReportsTheMedianImportAndCleansUp() async throws {
        let scratch = temporaryPath()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try await runProduct("parley", [
            "bench", "--json", "--events", "3000", "--appends", "64", "--appenders", "4", "--view-events", "0",
            "--import-runs", "5", "--scratch", scratch,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let runs = try #require(figures["import"]?["runs_events_per_s"]?.arrayValue).compactMap(\.doubleValue)
        #expect(runs.count == 5)
        // Five runs: a figure taken from one run in particular (the first, the last) is the median
        // by chance only one time in five.
        #expect(figures["import"]?["events_per_s"]?.doubleValue == runs.sorted()[2])
        #expect(figures["import"]?["events"] == .int(3000))
        for figure in ["scan", "concurrent_append", "stream_reads", "disk"] { #expect(figures[figure] != nil, "no \(figure)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }

    /// Run by name through PATH, from a directory without a `parley` in it, `parley bench`
    /// still runs itself for the views' CLI figures: it finds its own executable, not
    /// `./parley`.
    @Test func benchRunByNameFromPATHFindsItself() async throws {
        let scratch = temporaryPath()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result = try await offThePool { () throws -> (status: Int32, stdout: String, stderr: String) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "parley", "bench", "--json", "--events", "100", "--appends", "4", "--appenders", "1", "--view-events", "1",
                "--import-runs", "1", "--scratch", scratch,
            ]
            process.environment = ["PATH": URL(fileURLWithPath: productPath("parley")).deletingLastPathComponent().path]
            process.currentDirectoryURL = URL(fileURLWithPath: scratch)
            let out = ProcessLaunch.pipe(), err = ProcessLaunch.pipe()
            process.standardOutput = out
            process.standardError = err
            try ProcessLaunch.run(process)
            let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
        }
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(figures["views"]?["cli_support_sla_ms"]?.doubleValue != nil)
    }
}

