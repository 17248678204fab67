import Foundation
import ParleyLog
import ParleyModel
import ParleyTestSupport
import Testing

/// `parley import`'s stages: a reader thread parses batches while the caller appends them, in
/// order; the first bad line stops the import with its line number, the log holding exactly the
/// batches before it.
@Suite struct ImportTests {
    /// Imports `lines` in batches of two; returns the summary or the error, and the log's head.
    func importing(_ lines: [String]) throws -> (result: Result<ImportSummary, ImportError>, head: UInt64, streams: [String]) {
        try withTemporaryLog(initialMapSize: 16 << 20) { log, directory in
            let input = directory + "-input.jsonl"
            defer { try? FileManager.default.removeItem(atPath: input) }
            try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: false, encoding: .utf8)
            var importer = LogImporter(log: log)
            importer.batchSize = 2
            importer.batchesPerCommit = 3
            let handle = try #require(FileHandle(forReadingAtPath: input))
            let result: Result<ImportSummary, ImportError>
            do { result = .success(try importer.run(from: handle)) } catch let error as ImportError { result = .failure(error) }
            return (result, try log.head(), try log.read().map(\.stream))
        }
    }

    static func line(_ n: Int) -> String {
        #"{"id":"e\#(n)","stream":"s\#(n)","type":"test.note","time":"2026-05-28T20:26:40Z","data":{"n":\#(n)}}"#
    }

    @Test func everyBatchArrivesInOrder() throws {
        let lines = (1...41).map(Self.line) + ["", "  "] + (42...57).map(Self.line)
        let (result, head, streams) = try importing(lines)
        let summary = try result.get()
        #expect(summary.read == 57 && summary.appended == 57 && summary.duplicates == 0)
        #expect(head == 57)
        #expect(streams == (1...57).map { "s\($0)" })
    }

    /// A pipe that has given two and a half batches and stays open: they are committed once
    /// the commit has waited `commitFill` for more, and the half batch once the input has been
    /// quiet for `inputQuiet`, not when the input ends.
    @Test func aSlowInputIsCommittedWithoutWaitingForItsEnd() throws {
        try withTemporaryLog(initialMapSize: 16 << 20) { log, _ in
            let pipe = ProcessLaunch.pipe()
            var importer = LogImporter(log: log)
            importer.batchSize = 2
            importer.batchesPerCommit = 3
            importer.commitFill = .milliseconds(50)
            importer.inputQuiet = .milliseconds(50)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: Result<ImportSummary, any Error>?
            let thread = Thread { [importer] in
                result = Result { try importer.run(from: pipe.fileHandleForReading) }
                done.signal()
            }
            thread.start()
            pipe.fileHandleForWriting.write(Data(((1...5).map(Self.line).joined(separator: "\n") + "\n").utf8))
            let deadline = Date(timeIntervalSinceNow: 10)
            // Two whole batches, and the fifth line once the pipe has been quiet for a while.
            while try log.head() < 5 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            #expect(try log.head() == 5, "lines were not committed while the pipe stayed open")
            try pipe.fileHandleForWriting.close()
            done.wait()
            let summary = try #require(result).get()
            #expect(summary.read == 5 && summary.appended == 5)
            #expect(try log.head() == 5)
        }
    }

    /// A bad line first, in the middle, at a batch's start or end, with good and bad lines after it.
    @Test(arguments: [5, 7, 8, 1])
    func theFirstBadLineStopsTheImport(bad: Int) throws {
        var lines = (1...20).map(Self.line)
        lines[bad - 1] = #"{"stream":"x","type":"test.note","time":"nope","data":{}}"#
        lines[15] = "not json"
        let (result, head, _) = try importing(lines)
        guard case .failure(let error) = result else { Issue.record("imported \(result)"); return }
        #expect(error.line == bad)
        #expect(error.field == "time")
        // The batches of two before the bad line's batch.
        let before = UInt64((bad - 1) / 2 * 2)
        #expect(head == before)
        #expect(error.summary.appended == Int(before))
        #expect(error.summary.read == bad)
    }

    /// An id reused in one batch with other content is named by the line that first used it,
    /// not by its index in a batch the reader of the file never sees.
    @Test func anIdReusedInABatchNamesTheEarlierLine() throws {
        var lines = (1...6).map(Self.line)
        // Lines 3 and 4 share a batch (of two); line 4 reuses line 3's id.
        lines[3] = lines[3].replacingOccurrences(of: "\"id\":\"e4\"", with: "\"id\":\"e3\"")
        let (result, head, _) = try importing(lines)
        guard case .failure(let error) = result else { Issue.record("imported \(result)"); return }
        #expect(error.line == 4)
        #expect(error.reason == "id \"e3\" is used by line 3 with other content")
        #expect(head == 2)
    }
}
