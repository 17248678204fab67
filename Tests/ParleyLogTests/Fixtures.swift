import Foundation
import ParleyLog
import ParleyModel
import ParleyTestSupport

/// Runs `body` with a log in a new temporary directory, removed afterwards.
func withTemporaryLog<T>(initialMapSize: Int = 1 << 20, _ body: (EventLog, String) throws -> T) throws -> T {
    let directory = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let log = try EventLog(directory: directory, initialMapSize: initialMapSize)
    return try body(log, directory)
}


/// An event of an unknown type (no vocabulary checks) in `stream`.
func note(_ stream: String, id: String? = nil, expected: Int64? = nil, n: Int = 0, time: Int64 = 1_780_000_000_000_000) -> NewEvent {
    NewEvent(id: id, stream: stream, type: "test.note", time: Instant(microseconds: time), expectedVersion: expected, data: ["n": .int(Int64(n))])
}

/// The path of a product built next to the test bundle (`parley`, a plugin).
func productPath(_ name: String) -> String {
    var url = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = url.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        url = url.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path
}

/// Runs a built product and returns its exit status and output.
@discardableResult
func runProduct(_ name: String, _ arguments: [String], stdin: Data? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    let run = try await runProgram(productPath(name), arguments, stdin: stdin)
    return (run.status, run.output, run.stderr)
}
