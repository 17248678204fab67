import Foundation
import ParleyTestSupport
import Testing
@testable import ParleyLog
import ParleyModel
@testable import ParleyStore

@Suite struct EventLogTests {
    @Test func positionsVersionsAndReads() throws {
        try withTemporaryLog { log, _ throws in
            let a = try log.append([note("a"), note("b"), note("a")])
            #expect(a.positions == [1, 2, 3])
            let b = try log.append([note("a", expected: 2), note("c", expected: 0)])
            #expect(b.positions == [4, 5])
            let events = try log.read()
            #expect(events.map(\.position) == [1, 2, 3, 4, 5])
            #expect(events.map(\.version) == [1, 1, 2, 3, 1])
            #expect(try log.positions(ofStream: "a") == [1, 3, 4])
            #expect(try log.version(ofStream: "a") == 3)
            #expect(try log.read(stream: "a").map(\.position) == [1, 3, 4])
            #expect(try log.read(from: 2, limit: 2).map(\.position) == [2, 3])
            #expect(try log.head() == 5)
            #expect(Set(events.map(\.id)).count == 5)
            // Events that came without an id get a version-4 UUID in lowercase, ascending in
            // the order the log gave them (within a commit and from one commit to the next),
            // with its first 48 bits the commit's time in milliseconds.
            let before = Int64(Date().timeIntervalSince1970 * 1000)
            var generated = try log.append((0..<200).map { note("x\($0)") }).positions.map { try log.event(at: $0)!.id }
            for _ in 0..<3 { generated += try log.append([note("y")]).positions.map { try log.event(at: $0)!.id } }
            let descents = zip(generated, generated.dropFirst()).filter { !$0.utf8.lexicographicallyPrecedes($1.utf8) }
            #expect(descents.isEmpty, "\(descents.prefix(3))")
            let stamp = Int64(generated[0].replacingOccurrences(of: "-", with: "").prefix(12), radix: 16)!
            #expect(stamp >= before && stamp <= Int64(Date().timeIntervalSince1970 * 1000), "\(generated[0])")
            for id in events.map(\.id) + generated {
                let parts = id.split(separator: "-", omittingEmptySubsequences: false)
                #expect(parts.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
                #expect(id.allSatisfy { "0123456789abcdef-".contains($0) }, "\(id)")
                #expect(parts[2].first == "4" && "89ab".contains(parts[3].first!), "\(id)")
                #expect(UUID(uuidString: id) != nil, "\(id)")
            }
            #expect(Set(generated).count == 203)
        }
    }

    @Test func aNonDurableWriteLeavesTheLogsCommitsDurable() throws {
        try withTemporaryLog { log, _ throws in
            let env = log.environment
            let scratch = try env.database("scratch")
            let during = try env.write(durable: false) { txn throws(StoreError) in
                try txn.put([1], [1], in: scratch)
                return env.defersMetaSync
            }
            #expect(!during, "the flag is set at commit, after the body")
            #expect(!env.defersMetaSync, "a derived-data write must not leave the log's commits without the meta fsync")
            _ = try log.append([note("a")])
            #expect(!env.defersMetaSync)
        }
    }

    /// LMDB makes its lock file before its data file: a kill between the two (seen in
    /// `CrashTests`) leaves a directory holding the lock file alone, which is a log not made yet.
    @Test func aLockFileAloneIsALogNotMadeYet() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: directory + "/lock.mdb", contents: Data(count: 8192)))
        let refused = #expect(throws: LogError.self) { try EventLog(directory: directory, create: false) }
        #expect(refused?.message.contains("holds no Parley log yet") == true, "\(String(describing: refused))")
        let log = try EventLog(directory: directory)
        #expect(try log.head() == 0)
        #expect(try log.append([note("a")]).positions == [1])
    }

    /// An environment opened for reading only (what a log on read-only media gets) reads its
    /// tables, refuses a table it lacks and every write, each by name, and changes nothing.
    @Test func aReadOnlyEnvironmentReadsAndRefusesWrites() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do { _ = try EventLog(directory: directory).append([note("a"), note("b")]) }
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/data.mdb"))
        let env = try Environment(path: directory, readOnly: true)
        #expect(env.isReadOnly)
        #expect(try env.databaseNames().contains("events"))
        let events = try env.database("events")
        #expect(try env.read { txn throws(StoreError) in try txn.count(events) } == 2)
        let missing = #expect(throws: StoreError.self) { try env.database("absent") }
        #expect(missing?.message.contains("absent") == true, "\(String(describing: missing))")
        let refused = #expect(throws: StoreError.self) { try env.write { txn throws(StoreError) in try txn.put([1], [1], in: events) } }
        #expect(refused?.code == .readOnlyFileSystem)
        #expect(refused?.message.contains(directory) == true, "\(String(describing: refused))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/data.mdb")) == before)
    }

    @Test func expectedVersionConflictWritesNothingOfTheBatch() throws {
        try withTemporaryLog { log, _ throws in
            _ = try log.append([note("a")])
            #expect {
                _ = try log.append([note("b"), note("a", expected: 0)])
            } throws: { error in
                let e = error as! LogError
                return e.code == .versionConflict && e.eventIndex == 1 && e.field == "expected_version"
            }
            #expect(try log.head() == 1)
            #expect(try log.version(ofStream: "b") == 0)
            if case .failure(let f) = try log.verify() { Issue.record("\(f)") }
        }
    }

    @Test func idempotentIdsAndConflicts() throws {
        try withTemporaryLog { log, _ throws in
            var first = note("a", id: "x", n: 1)
            first.meta = ["k": .double(1.0)]
            _ = try log.append([first])
            var again = note("a", id: "x", expected: 9, n: 1)
            again.meta = ["k": .int(1)]
            let outcome = try log.append([again, note("b", id: "y")])
            #expect(outcome.positions == [1, 2])
            #expect(outcome.duplicates == 1)
            #expect(outcome.appended == 1)
            #expect(throws: LogError.self) { try log.append([note("c"), note("a", id: "x", n: 2)]) }
            // Same id twice inside one batch: the second is a duplicate of the first.
            let inBatch = try log.append([note("d", id: "z"), note("d", id: "z")])
            #expect(inBatch.positions == [3, 3])
            #expect(throws: LogError.self) { try log.append([note("e", id: "w", n: 1), note("e", id: "w", n: 2)]) }
            #expect(try log.head() == 3)
        }
    }

    /// Text is compared by its bytes, as the spec compares it: a precomposed "é" and "e" with
    /// a combining accent (canonically equivalent, so equal to Swift's `==`) are different ids,
    /// streams and values.
    @Test func unicodeFormsAreDifferentText() throws {
        try withTemporaryLog { log, _ throws in
            let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
            #expect(composed == decomposed)
            func event(id: String, stream: String, value: String) -> NewEvent {
                NewEvent(id: id, stream: stream, type: "test.note", time: Instant(microseconds: 1_780_000_000_000_000), data: ["s": .string(value)])
            }
            // Two ids and two streams in one batch: two new events, each version 1 of its stream.
            let both = try log.append([event(id: composed, stream: composed, value: "x"), event(id: decomposed, stream: decomposed, value: "y")])
            #expect(both.positions == [1, 2])
            #expect(try log.positions(ofStream: composed) == [1])
            #expect(try log.positions(ofStream: decomposed) == [2])
            // The same id with a value in the other form: other content, a conflict.
            _ = try log.append([event(id: "u1", stream: "s", value: composed)])
            #expect(throws: LogError.self) { try log.append([event(id: "u1", stream: "s", value: decomposed)]) }
            #expect(try log.append([event(id: "u1", stream: "s", value: composed)]).duplicates == 1)
            guard case .success(let report) = try log.verify() else {
                Issue.record("audit failed")
                return
            }
            #expect(report.streams == 3)
        }
    }

    /// A commit of several large batches seals each batch's records on the chain's queue while
    /// the next batch is built: the chain runs on across batches, past a refused batch, from
    /// one commit to the next, and through a commit done again after the map grew (a map of
    /// 256 KiB fills in the first commit).
    @Test func largeCommitsChainAcrossTheirBatches() throws {
        try withTemporaryLog(initialMapSize: 256 << 10) { log, _ in
            let startMap = log.environment.mapSize
            func batch(_ b: Int, refused: Bool = false) -> [NewEvent] {
                (0..<400).map { i in note("s\(i % 7)", id: "b\(b)-\(i)", expected: refused && i == 399 ? 0 : nil, n: i) }
            }
            for commit in 0..<2 {
                let results = try log.append(batches: [batch(commit * 10 + 1), batch(commit * 10 + 2), batch(commit * 10 + 3, refused: true), batch(commit * 10 + 4)])
                #expect(results.map { (try? $0.get()) != nil } == [true, true, false, true])
            }
            #expect(try log.head() == 2400)
            #expect(log.environment.mapSize > startMap)
            if case .failure(let failure) = try log.verify() { Issue.record("\(failure)") }
        }
    }

    /// The queue and the writer share the sealing of a commit's batches (the writer seals a
    /// batch it needs when the queue has not reached it): over many commits of many small
    /// batches, whichever thread seals each, the chain stays in order.
    @Test func theQueueAndTheWriterSealInOrder() throws {
        try withTemporaryLog(initialMapSize: 64 << 20) { log, _ in
            for commit in 0..<40 {
                let batches = (0..<8).map { b in (0..<150).map { i in note("s\((b * 150 + i) % 11)", n: commit * 1200 + b * 150 + i) } }
                let results = try log.append(batches: batches)
                #expect(results.allSatisfy { (try? $0.get()) != nil })
            }
            #expect(try log.head() == 48_000)
            if case .failure(let failure) = try log.verify() { Issue.record("\(failure)") }
        }
    }

    /// One commit over more streams than its table of names first has room for (16,384, then
    /// it doubles): every stream keeps its own number and version.
    @Test func aCommitOverManyStreamsFindsEachAgain() throws {
        try withTemporaryLog(initialMapSize: 64 << 20) { log, _ in
            let streams = 20_000
            // Each stream twice in the one commit (the second time through the grown table),
            // over 40 batches of 1,000.
            let events = (0..<(2 * streams)).map { i in note("s\(i % streams)", expected: Int64(i / streams), n: i) }
            let batches = stride(from: 0, to: events.count, by: 1000).map { Array(events[$0..<($0 + 1000)]) }
            let results = try log.append(batches: batches)
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            #expect(try log.stats().streams == streams)
            let next = try log.append([note("s0", expected: 2), note("s\(streams - 1)", expected: 2), note("s\(streams / 2)", expected: 2)])
            #expect(next.positions == [40_001, 40_002, 40_003])
            #expect(try log.read(stream: "s\(streams / 2)").map(\.version) == [1, 2, 3])
        }
    }

    /// A commit starts from the streams the one before left only when no other process wrote
    /// in between: an event another process added to a known stream, and a stream it created,
    /// are seen by the next commit here, also after a commit that wrote nothing (LMDB gives
    /// such a transaction no id of its own: the other process's next commit takes the same).
    @Test func aCommitSeesWhatAnotherProcessWroteSinceTheLast() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        func appendElsewhere(_ stream: String) async throws {
            let result = try await runProduct("parley", ["append", "--data", directory, "--stream", stream, "--type", "test.note", "--time", "2026-05-28T20:26:40Z", "--event-data", "{}"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        _ = try log.append([note("s", id: "s1"), note("t", id: "t1")])
        try await appendElsewhere("s")
        #expect(try log.append([note("s", expected: 2)]).positions == [4])
        #expect(try log.append([note("s", id: "s1")]).appended == 0)
        try await appendElsewhere("w")
        // w is the third stream, v the fourth.
        #expect(try log.append([note("v")]).positions == [6])
        #expect(try log.stats().streams == 4)
        #expect(try log.read(stream: "w").map(\.position) == [5])
        #expect(try log.read(stream: "v").map(\.position) == [6])
        #expect(try log.read(stream: "s").map(\.version) == [1, 2, 3])
        if case .failure(let failure) = try log.verify() { Issue.record("\(failure)") }
    }

    /// An outcome rebuilds the events it appended from the batch (the daemon's views take them
    /// so instead of decoding the log again): exactly what reading them back gives, for events
    /// parsed as a request's are, whatever they hold.
    @Test func outcomeEventsAreTheEventsRead() throws {
        try withTemporaryLog { log, _ throws in
            _ = try log.append([note("a", id: "old")])
            let lines = [
                #"{"id":"n1","stream":"a","type":"test.note","time":"2026-05-28T22:26:40.5+02:00","data":{"z":1.0,"a":[0.1,-0.0,1e300,-7,"é 😀\n"],"m":{"k":null}},"meta":{"actor":"x"},"source":"import"}"#,
                #"{"stream":"b","type":"test.note","time":"2026-05-28T20:26:40Z","data":{}}"#,
                #"{"id":"old","stream":"a","type":"test.note","time":"2026-05-28T20:26:40Z","data":{"n":0}}"#,
                #"{"id":"n1","stream":"a","type":"test.note","time":"2026-05-28T22:26:40.5+02:00","data":{"z":1.0,"a":[0.1,-0.0,1e300,-7,"é 😀\n"],"m":{"k":null}},"meta":{"actor":"x"},"source":"import"}"#,
                #"{"stream":"a","type":"test.note","time":"2026-05-28T20:26:41Z","data":{"big":12345678901234567890}}"#,
            ]
            let batch = try lines.map { try NewEvent(json: JSONParser.parse(Array($0.utf8))) }
            let outcome = try log.append(batch)
            #expect(outcome.positions == [2, 3, 1, 2, 4])
            #expect(outcome.written.map(\.index) == [0, 1, 4])
            var taken = batch
            let built = outcome.events(taking: &taken)
            let read = try log.read(from: 2)
            #expect(built == read)
            #expect(taken[2] == batch[2] && taken[0].stream.isEmpty && taken[4].data.members.isEmpty)
            #expect(built.map(\.id)[1] == read[1].id && read[1].id.count == 36)
        }
    }

    /// The writer splices each record from bytes its appender prepared; whatever the event
    /// holds, the result is the canonical encoding (which `verify` re-derives from the decoded
    /// event), and the events read back are the ones appended.
    @Test func splicedRecordsAreCanonical() throws {
        try withTemporaryLog { log, _ throws in
            let time = Instant(microseconds: 1_780_000_000_123_456)
            let events = [
                NewEvent(id: "with \"quotes\" and \\", stream: "s:\"q\"", type: "test.note", time: time, source: "import", data: [
                    "text": .string("line\nbreak\ttab \u{1} é 😀"), "n": .int(.min), "d": .double(1e16), "f": .double(0.1),
                    "nested": .object(["b": .array([.null, .bool(true), .int(-1)]), "a": .object([:])]),
                ], meta: ["actor": .string("x")]),
                NewEvent(stream: "s:\"q\"", type: "test.note", time: time, data: [:]),
                NewEvent(id: "caf\u{E9}", stream: "plain", type: "test.note", time: time, data: ["k": .string(String(repeating: "x", count: 300))]),
            ]
            let outcome = try log.append(events)
            #expect(outcome.positions == [1, 2, 3])
            guard case .success = try log.verify() else {
                Issue.record("the stored records are not canonical")
                return
            }
            let read = try log.read()
            #expect(read.map(\.version) == [1, 2, 1])
            // Byte for byte as the README writes format 1 (verify re-derives the form with the
            // writer's own code, so it alone would not catch a wrong key order).
            var stored: [UInt8] = []
            try log.scan(from: 1) { event throws(LogError) in
                stored = Array(event.canonical)
                return false
            }
            let expected = #"{"data":{"d":10000000000000000,"f":0.1,"n":-9223372036854775808,"nested":{"a":{},"b":[null,true,-1]},"#
                + #""text":"line\nbreak\ttab \u0001 é 😀"},"id":"with \"quotes\" and \\","meta":{"actor":"x"},"position":1,"#
                + #""recorded":"\#(read[0].recorded.rfc3339)","source":"import","stream":"s:\"q\"","#
                + #""time":"2026-05-28T20:26:40.123456Z","type":"test.note","version":1}"#
            #expect(String(decoding: stored, as: UTF8.self) == expected)
            #expect(read[0].asNew.sameFact(as: events[0]))
            #expect(read[0].id == events[0].id && read[2].id.hasSameBytes(as: "caf\u{E9}"))
            // The generated id: a lowercase version 4 UUID.
            let generated = Array(read[1].id.utf8)
            #expect(generated.count == 36 && generated[14] == UInt8(ascii: "4") && [8, 13, 18, 23].allSatisfy { generated[$0] == UInt8(ascii: "-") })
            #expect(read[1].id.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
            #expect(try log.append([events[0]]).duplicates == 1)
        }
    }

    @Test func oversizedEventIsRefusedWhole() throws {
        try withTemporaryLog { log, _ throws in
            var big = note("a")
            big.data["blob"] = .string(String(repeating: "x", count: 1 << 20))
            #expect {
                _ = try log.append([note("a"), big])
            } throws: { ($0 as! LogError).code == .tooLarge && ($0 as! LogError).eventIndex == 1 }
            #expect(try log.head() == 0)
        }
    }

    @Test func mapGrowsWithoutTheCallerNoticing() throws {
        try withTemporaryLog(initialMapSize: 64 << 10) { log, _ throws in
            let payload = JSONValue.string(String(repeating: "y", count: 2000))
            for round in 0..<20 {
                var batch: [NewEvent] = []
                for i in 0..<100 {
                    var e = note("s\(i % 7)", n: round * 100 + i)
                    e.data["pad"] = payload
                    batch.append(e)
                }
                _ = try log.append(batch)
            }
            #expect(try log.head() == 2000)
            #expect(try log.stats().mapSize > 64 << 10)
            if case .failure(let f) = try log.verify() { Issue.record("\(f)") }
        }
    }

    @Test func verifyFindsAChangedByte() throws {
        try withTemporaryLog { log, directory throws in
            for i in 0..<10 { _ = try log.append([note("s", n: i)]) }
            if case .failure(let f) = try log.verify() { Issue.record("\(f)") }
            // Change one byte of event 7's stored JSON with the storage layer directly.
            let env = log.environment
            let events = try env.database("events")
            try env.write { txn throws(StoreError) in
                let key = Keys.uint64(7)
                var value = Array(try txn.get(key, in: events)!)
                let digit = value.lastIndex(of: UInt8(ascii: "6"))!
                value[digit] = UInt8(ascii: "7")
                try txn.put(key, value, in: events)
            }
            guard case .failure(let failure) = try log.verify() else {
                Issue.record("verify passed a changed log")
                return
            }
            #expect(failure.position == 7)
            _ = directory
        }
    }

    @Test func refusesDirectoriesThatAreNotLogs() throws {
        let fm = FileManager.default
        let other = temporaryPath()
        try fm.createDirectory(atPath: other, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: other) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
        #expect { _ = try EventLog(directory: other) } throws: { ($0 as! LogError).code == .notALog }
        #expect(try fm.contentsOfDirectory(atPath: other) == ["notes.txt"])

        let garbage = temporaryPath()
        try fm.createDirectory(atPath: garbage, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: garbage) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: garbage + "/data.mdb"))
        #expect { _ = try EventLog(directory: garbage) } throws: { ($0 as! LogError).code == .notALog }

        #expect { _ = try EventLog(directory: temporaryPath(), create: false) } throws: { ($0 as! LogError).code == .notALog }
    }

    /// A new log is made in several commits (its tables, then its format record): a process
    /// killed between them must leave a directory the next one takes up, not one it refuses.
    @Test func takesUpALogWhoseCreationWasCutShort() throws {
        for tables in [["meta"], ["meta", "events", "ids"]] {
            let directory = temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            do {
                let env = try Environment(path: directory)
                for name in tables { _ = try env.database(name) }
            }
            let log = try EventLog(directory: directory)
            #expect(try log.head() == 0)
            #expect(try log.append([note("s", id: "e1")]).positions == [1])
            if case .failure(let failure) = try log.verify() { Issue.record("verify: \(failure)") }
        }
    }

    /// LMDB sizes its lock file with ftruncate and writes it through a mapping: a lock file
    /// with holes made on a full disk killed the process with SIGBUS (`parley append` to a new
    /// directory, `parley stats` building the views' index). Its blocks are claimed first, so
    /// that a full disk is an error at open instead.
    @Test func theLockFileHasNoHoles() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        _ = try log.append([note("s")])
        var info = stat()
        #expect(stat(directory + "/lock.mdb", &info) == 0)
        #expect(info.st_size >= 65_536)
        #expect(Int(info.st_blocks) * 512 >= Int(info.st_size), "lock.mdb: \(info.st_blocks) blocks of 512 bytes for \(info.st_size) bytes")
    }

    /// An LMDB file that is not a log (other tables, or Parley's holding data but no format
    /// record) is refused as it is: opening it adds no table.
    @Test func refusesAnotherProgramsLMDBFileAndLeavesItAlone() throws {
        for (name, key) in [("notes", "a note"), ("events", "not an event")] {
            let directory = temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            do {
                let env = try Environment(path: directory)
                let db = try env.database(name)
                try env.write { txn throws(StoreError) in try txn.put(Array(key.utf8), Array("x".utf8), in: db) }
            }
            #expect { _ = try EventLog(directory: directory) } throws: { error in
                let error = error as! LogError
                return error.code == .notALog && error.message.contains("data.mdb is an LMDB file but not a Parley log")
            }
            #expect(try Environment(path: directory).databaseNames() == [name])
        }
    }

    @Test func refusesADataFileCutShortOrEmptied() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let log = try EventLog(directory: directory)
            for i in 0..<40 { _ = try log.append([note("s\(i)", n: i), note("s\(i)", n: -i), note("t\(i)")]) }
        }
        let file = URL(fileURLWithPath: directory + "/data.mdb")
        let whole = try Data(contentsOf: file)
        #expect(whole.count > 3 * 4096)
        // LMDB maps the file without checking its length: reading past its end is a SIGBUS.
        try whole.prefix(whole.count / 2).write(to: file)
        for create in [false, true] {
            #expect { _ = try EventLog(directory: directory, create: create) } throws: { error in
                let error = error as! LogError
                return error.code == .corrupted && error.message.contains("data.mdb is truncated or its meta page damaged: it holds \(whole.count / 2 / 4096) pages")
            }
        }
        // A damaged meta page naming page 2^56 as the last: its end in bytes overflows (LMDB's
        // own arithmetic wraps to a small map and opens it).
        var damaged = whole
        for meta in [0, 4096] { damaged.replaceSubrange((meta + 136)..<(meta + 144), with: [0, 0, 0, 0, 0, 0, 0, 0x01]) }
        try damaged.write(to: file)
        #expect { _ = try EventLog(directory: directory, create: false) } throws: { error in
            (error as! LogError).message.contains("its meta page names page 72057594037927936 as the last")
        }
        // An emptied file is not taken for a new log, neither to read nor to write one over it.
        try Data().write(to: file)
        for create in [false, true] {
            #expect { _ = try EventLog(directory: directory, create: create) } throws: { error in
                let error = error as! LogError
                return error.code == .corrupted && error.message.contains("data.mdb is empty (0 bytes)")
            }
        }
        #expect(try Data(contentsOf: file).isEmpty)
    }

    @Test func refusesANewerFormat() throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let log = try EventLog(directory: directory)
            let env = log.environment
            let meta = try env.database("meta")
            try env.write { txn throws(StoreError) in try txn.put(Array("format".utf8), Array("2".utf8), in: meta) }
        }
        #expect { _ = try EventLog(directory: directory) } throws: { ($0 as! LogError).code == .newerFormat }
    }

    @Test func backupIsAVerifiableCopy() throws {
        try withTemporaryLog { log, _ throws in
            for i in 0..<50 { _ = try log.append([note("s\(i % 3)", id: "e\(i)", n: i)]) }
            let destination = temporaryPath()
            defer { try? FileManager.default.removeItem(atPath: destination) }
            try log.backup(to: destination)
            let copy = try EventLog(directory: destination, create: false)
            #expect(try copy.head() == 50)
            guard case .success(let a) = try copy.verify(), case .success(let b) = try log.verify() else {
                Issue.record("verify failed")
                return
            }
            #expect(a.headHash == b.headHash)
            #expect(throws: LogError.self) { try log.backup(to: destination) }
        }
    }

    @Test func aLoneAppendIsAnsweredAfterItsOwnCommit() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        let writer = GroupCommitter(log: log)
        for i in 0..<5 {
            let outcome = try await writer.append([note("lone", n: i)])
            #expect(outcome.positions == [UInt64(i + 1)])
            #expect(writer.commits == i + 1)
        }
        // A batch of duplicates only: answered with the positions the log holds, adding none.
        let again = try await writer.append([note("lone", id: "fixed", n: 9)])
        let duplicate = try await writer.append([note("lone", id: "fixed", n: 9)])
        #expect(duplicate.positions == again.positions && duplicate.appended == 0)
        writer.shutdown()
        #expect(try log.head() == 6)
    }

    /// Holds `log`'s write lock from another thread, in a write transaction, until the returned
    /// semaphore is signalled: the group committer's next commit waits behind it.
    func holdWriteLock(of log: EventLog) async throws -> DispatchSemaphore {
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? log.environment.write { _ throws(StoreError) in
                holding.signal()
                release.wait()
            }
        }
        try await offThePool { holding.wait() }
        return release
    }

    @Test(.timeLimit(.minutes(1))) func batchesQueuedBehindACommitShareTheNext() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        let writer = GroupCommitter(log: log)
        // Another write holds the environment, so the writer's first commit waits behind it.
        let release = try await holdWriteLock(of: log)
        let first = Task { try await writer.append([note("q", n: 0)]) }
        while writer.batchesTaken < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let later = (1...2).map { i in Task { try await writer.append([note("q", n: i)]) } }
        while writer.batchesWaiting < 2 { try await Task.sleep(for: .milliseconds(5)) }
        release.signal()
        #expect(try await first.value.positions == [1])
        for task in later { #expect(try await task.value.positions.count == 1) }
        // The two that queued behind the first commit shared the next one.
        #expect(writer.commits == 2)
        writer.shutdown()
        #expect(try log.head() == 3)
    }

    @Test func groupCommitSharesCommits() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try EventLog(directory: directory)
        let writer = GroupCommitter(log: log)
        let appenders = 64
        // A large batch keeps the writer busy while the small ones queue up behind it.
        let big = (0..<20_000).map { note("big", n: $0) }
        try await withThrowingTaskGroup(of: UInt64.self) { group in
            group.addTask { try await writer.append(big).positions[0] }
            try await Task.sleep(for: .milliseconds(5))
            for i in 0..<appenders {
                group.addTask { try await writer.append([note("s\(i % 5)", id: "g\(i)", n: i)]).positions[0] }
            }
            var positions: [UInt64] = []
            for try await p in group { positions.append(p) }
            #expect(positions.count == appenders + 1)
            #expect(Set(positions).count == appenders + 1)
        }
        writer.shutdown()
        #expect(writer.commits <= appenders / 4)
        #expect(try log.head() == UInt64(appenders + 20_000))
        if case .failure(let f) = try log.verify() { Issue.record("\(f)") }
    }
}
