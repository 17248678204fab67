import Foundation
import ParleyTestSupport
import Testing
import ParleyModel

/// The `parley` binary's own commands over a data directory.
@Suite struct CLICommandTests {
    func parley(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
        try await offThePool { try CLIThroughServerTests.run(arguments, stdin: stdin, environment: environment) }
    }

    /// `surfaces.md`: "the same log gives the same digests". Without `--as-of` the replay is
    /// as of the latest event's time, which the log fixes, not the clock.
    @Test func auditReplayGivesTheSameDigestsForTheSameLog() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (i, time) in ["2026-03-02T09:00:00Z", "2026-03-05T17:30:00Z", "2026-03-03T12:00:00Z"].enumerated() {
            let appended = try await parley([
                "append", "--data", directory, "--stream", "ticket:t\(i)", "--type", "ticket.opened", "--time", time,
                "--data", #"{"ticket": "t\#(i)", "member": "m\#(i)"}"#,
            ])
            #expect(appended.status == 0, "\(appended.err)")
        }
        let first = try await parley(["audit", "replay", "--data", directory, "--json"])
        try await Task.sleep(for: .milliseconds(1100))
        let second = try await parley(["audit", "replay", "--data", directory, "--json"])
        #expect(first.status == 0 && second.status == 0, "\(first.err) \(second.err)")
        #expect(first.out == second.out)
        #expect(try JSONParser.parse(first.out)["as_of"] == "2026-03-05T17:30:00Z")
        let explicit = try await parley(["audit", "replay", "--data", directory, "--json", "--as-of", "2026-03-05T17:30:00Z"])
        #expect(explicit.out == first.out)
        let earlier = try await parley(["audit", "replay", "--data", directory, "--json", "--at-position", "1"])
        #expect(try JSONParser.parse(earlier.out)["as_of"] == "2026-03-02T09:00:00Z")
        let text = try await parley(["audit", "replay", "--data", directory])
        #expect(text.out.split(separator: "\n").map { $0.split(separator: " ").first ?? "" } == ["support", "community", "content", "product"])
    }

    /// An existing empty directory is an empty log to the reading commands; a missing one is
    /// an error naming it.
    @Test func anEmptyDirectoryIsAnEmptyLog() async throws {
        let directory = temporaryPath()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let read = try await parley(["read", "--data", directory])
        #expect(read.status == 0 && read.out.isEmpty, "\(read.err)")
        let stats = try await parley(["stats", "--data", directory, "--json"])
        #expect(try JSONParser.parse(stats.out)["events"] == 0, "\(stats.err)")
        let sla = try await parley(["support", "sla", "--data", directory, "--json", "--as-of", "2026-03-02T09:00:00Z"])
        #expect(sla.status == 0, "\(sla.err)")
        #expect(try await parley(["audit", "verify", "--data", directory]).status == 0)
        let missing = try await parley(["read", "--data", directory + "/nowhere"])
        #expect(missing.status == 1 && missing.err.contains("nowhere"), "\(missing.err)")
    }

    /// A directory the user may not open is said to be one, not taken for a missing log (which
    /// read "no Parley log at …"), and a data directory it may not create says why. As root,
    /// which may open anything, the commands run as `nobody`.
    @Test func aDirectoryTheUserMayNotOpenIsSaidToBeSo() async throws {
        let fm = FileManager.default
        let closed = temporaryPath(), readOnly = temporaryPath()
        defer { for d in [closed, readOnly] { try? fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: d); try? fm.removeItem(atPath: d) } }
        try fm.createDirectory(atPath: closed + "/data", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: readOnly, withIntermediateDirectories: true)
        try fm.setAttributes([.posixPermissions: 0], ofItemAtPath: closed)
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: readOnly)
        func parleyUnprivileged(_ arguments: [String]) async throws -> (status: Int32, err: String) {
            let parley = URL(fileURLWithPath: DaemonProcess.executable).deletingLastPathComponent().appendingPathComponent("parley").path
            let (program, prefix) = geteuid() == 0
                ? ("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", parley]) : (parley, [])
            let run = try await runProgram(program, prefix + arguments)
            return (run.status, run.stderr)
        }
        for command in [["stats"], ["read"], ["import", "-"]] {
            let refused = try await parleyUnprivileged(command + ["--data", closed + "/data"])
            #expect(refused.status == 1 && refused.err == "parley: cannot open \(closed)/data: permission denied\n", "\(command): \(refused.err)")
        }
        let created = try await parleyUnprivileged(["import", "--data", readOnly + "/data", "-"])
        #expect(created.status == 1 && created.err == "parley: cannot create the data directory \(readOnly)/data: permission denied\n", "\(created.err)")
        #expect(try fm.contentsOfDirectory(atPath: readOnly).isEmpty)
    }

    /// `append --data` names the event's data when it is JSON that names no path: anything but
    /// an object is refused as data, in one sentence, and nothing is written.
    @Test func appendRefusesDataThatIsNotAnObject() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = ["append", "--data", directory, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z"]
        for data in ["[1]", "\"x\"", "42", "null"] {
            let refused = try await parley(base + ["--data", data])
            #expect(refused.status == 1, "\(data): \(refused.err)")
            #expect(refused.err.contains("\"data\"") && refused.err.contains("object"), "\(data): \(refused.err)")
            #expect(refused.err.split(separator: "\n").count == 1)
        }
        let missing = try await parley(base)
        #expect(missing.status == 2)
        #expect(missing.err.contains("--data"), "\(missing.err)")
        #expect(missing.err.hasPrefix("parley: ") && missing.err.split(separator: "\n").count == 1, "\(missing.err)")
        let appended = try await parley(base + ["--data", "{}", "--json"])
        #expect(try JSONParser.parse(appended.out) == ["position": 1, "duplicate": false])
    }

    /// The commands the HTTP API has no route for read a data directory only: a server named
    /// by `--server`, or by `PARLEY_SERVER` without `--data`, is refused as bad usage rather
    /// than ignored for the local directory's figures. `--data` outranks `PARLEY_SERVER`.
    @Test func commandsWithoutARouteRefuseAServer() async throws {
        let directory = temporaryPath()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: directory + ".backup")
        }
        let appended = try await parley([
            "append", "--data", directory, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z", "--data", "{}",
        ])
        #expect(appended.status == 0, "\(appended.err)")
        let nowhere = "http://127.0.0.1:9"
        let commands: [(name: String, arguments: [String])] = [
            ("stats", ["stats"]), ("audit verify", ["audit", "verify"]), ("audit replay", ["audit", "replay"]),
            ("backup", ["backup", directory + ".backup"]), ("plugin run", ["plugin", "run", "p", "--command", "/bin/true"]),
        ]
        for (name, arguments) in commands {
            let named = try await parley(arguments + ["--data", directory, "--server", nowhere])
            #expect(named.status == 2, "\(name): \(named.err)")
            #expect(named.err.contains("parley \(name) reads a data directory") && named.err.contains("--server"), "\(named.err)")
            #expect(named.err.split(separator: "\n").count == 1 && named.out.isEmpty)
            let inEnvironment = try await parley(arguments, environment: ["PARLEY_SERVER": nowhere])
            #expect(inEnvironment.status == 2, "\(name): \(inEnvironment.err)")
            #expect(inEnvironment.err.contains("PARLEY_SERVER") && inEnvironment.err.contains("--data"), "\(inEnvironment.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + ".backup"))
        // `parley bench` measures a scratch directory of its own: a server or a data directory
        // named to it would be ignored.
        let bench = try await parley(["bench", "--server", nowhere, "--events", "10"])
        #expect(bench.status == 2 && bench.err.contains("ops/bench-server"), "\(bench.err)")
        let benchData = try await parley(["bench", "--data", directory, "--events", "10"])
        #expect(benchData.status == 2 && benchData.err.contains("--scratch"), "\(benchData.err)")
        let explicit = try await parley(["stats", "--data", directory, "--json"], environment: ["PARLEY_SERVER": nowhere])
        #expect(explicit.status == 0, "\(explicit.err)")
        #expect(try JSONParser.parse(explicit.out)["events"] == 1)
        let read = try await parley(["read", "--data", directory], environment: ["PARLEY_SERVER": nowhere])
        #expect(read.status == 0 && read.out.split(separator: "\n").count == 1, "\(read.err)")
    }

    /// Bad usage, whether ArgumentParser finds it or a command does (an option's value that
    /// cannot be read, an option the query does not take), exits 2 with one line naming it.
    @Test func badUsageIsOneLineAndExits2() async throws {
        let usages: [(arguments: [String], says: String)] = [
            (["frobnicate"], "Unexpected argument 'frobnicate' (see 'parley --help')"),
            (["read", "--bogus"], "Unknown option '--bogus' (see 'parley read --help')"),
            (["read", "--limit", "x"], "'--limit <limit>'"),
            (["import"], "Missing expected argument '<file>' (see 'parley import --help')"),
            (["support", "sla", "--as-of", "yesterday"], "--as-of: \"yesterday\""),
            (["support", "sla", "--week", "2026-W10"], "--week: support/sla does not read it"),
            (["community", "heroes", "--week", "W10"], "--week"),
            (["policy", "show", "--as-of", "x"], "--as-of"),
        ]
        for (arguments, says) in usages {
            let refused = try await parley(arguments, environment: ["PARLEY_DATA": temporaryPath()])
            #expect(refused.status == 2, "\(arguments): \(refused.err)")
            #expect(refused.err.hasPrefix("parley: ") && refused.err.contains(says), "\(arguments): \(refused.err)")
            #expect(refused.err.split(separator: "\n").count == 1 && refused.out.isEmpty, "\(arguments): \(refused.err)")
        }
    }

    /// The help lists `--server` for the commands that work through a daemon, and not for those
    /// that refuse it; `parley --help` names the options every command takes.
    @Test func helpListsTheServerOptionsWhereTheyWork() async throws {
        for command in [["read"], ["append"], ["import"], ["support", "sla"], ["policy", "show"]] {
            let help = try await parley(command + ["--help"])
            #expect(help.status == 0 && help.out.contains("--server <server>") && help.out.contains("--data <data>"), "\(command): \(help.out)")
        }
        for command in [["stats"], ["backup"], ["audit", "verify"], ["plugin", "run"], ["bench"]] {
            let help = try await parley(command + ["--help"])
            #expect(help.status == 0 && !help.out.contains("--server") && !help.out.contains("--token"), "\(command): \(help.out)")
        }
        let root = try await parley(["--help"])
        #expect(["--data DIR", "--json", "--server URL", "$PARLEY_TOKEN"].allSatisfy(root.out.contains), "\(root.out)")
    }

    /// `events.md`: bytes that are not valid UTF-8 are an error. An argument holding them is
    /// refused before anything runs, naming its index and the option it is the value of,
    /// rather than stored with U+FFFD in their place.
    @Test func anArgumentThatIsNotUTF8IsRefused() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let parley = URL(fileURLWithPath: DaemonProcess.executable).deletingLastPathComponent().appendingPathComponent("parley").path
        // `Process` takes its arguments as strings; the shell's printf puts the byte 0xFF in.
        let append = #"exec "$0" append --data "$1" --type note --time 2026-03-02T09:00:00Z"#
        for (script, argument, option) in [
            (append + #" --stream "$(printf 'a\377b')" --data '{}'"#, 9, "(after --stream)"),
            (append + #" --stream s:1 --data "$(printf '{"a": "\377"}')""#, 11, "(after --data)"),
            (append + #" --stream s:1 "--meta=$(printf '{"a": "\377"}')" --data '{}'"#, 10, "(the value of --meta)"),
        ] {
            let refused = try await runProgram("/bin/sh", ["-c", script, parley, directory])
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderr.contains("argument \(argument) \(option) is not valid UTF-8"), "\(refused.stderr)")
            #expect(refused.stderr.contains(#"\xFF"#) && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory), "\(script)")
        }
    }

    /// A UTF-8 byte-order mark at the very start of an import (a file or stdin), as editors on
    /// Windows write, is skipped; one at the start of a later line is still an error there.
    @Test func importSkipsAByteOrderMarkAtTheStartOnly() async throws {
        let directory = temporaryPath()
        let file = directory + ".jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: file)
        }
        let byteOrderMark = Data([0xEF, 0xBB, 0xBF])
        func line(_ n: Int) -> Data {
            Data(#"{"id":"bom\#(n)","stream":"s:\#(n)","type":"note","time":"2026-03-02T09:00:00Z","data":{}}"#.utf8 + [0x0A])
        }
        try (byteOrderMark + line(1) + line(2)).write(to: URL(fileURLWithPath: file))
        let fromFile = try await parley(["import", file, "--data", directory, "--json"])
        #expect(fromFile.status == 0, "\(fromFile.err)")
        #expect(try JSONParser.parse(fromFile.out)["appended"] == 2)
        let fromStdin = try await parley(["import", "-", "--data", directory, "--json"], stdin: byteOrderMark + line(3))
        #expect(fromStdin.status == 0, "\(fromStdin.err)")
        #expect(try JSONParser.parse(fromStdin.out)["appended"] == 1)
        let later = try await parley(["import", "-", "--data", directory], stdin: line(4) + byteOrderMark + line(5))
        #expect(later.status == 1)
        #expect(later.err.contains("stdin line 2:") && later.err.contains("0xef"), "\(later.err)")
    }

    /// The event's data given twice (`--data '{…}'` is `--event-data`) is bad usage naming
    /// both options, not the last one silently stored.
    @Test func appendRefusesTheEventDataTwice() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let base = ["append", "--data", directory, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z"]
        for twice in [["--data", #"{"a":5}"#, "--event-data", #"{"b":1}"#], ["--data", #"{"a":5}"#, "--data", #"{"b":1}"#]] {
            let refused = try await parley(base + twice)
            #expect(refused.status == 2, "\(twice): \(refused.err)")
            #expect(refused.err.contains("--data") && refused.err.contains("--event-data"), "\(refused.err)")
            #expect(refused.err.split(separator: "\n").count == 1 && refused.out.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    /// `stats` counts as bytes on disk every file of the data directory (the views' and the
    /// lock files too), and the log file's own size apart as `log_bytes`.
    @Test func statsBytesAreTheWholeDataDirectory() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let appended = try await parley([
            "append", "--data", directory, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z", "--data", "{}",
        ])
        #expect(appended.status == 0, "\(appended.err)")
        // A query stores the views' state beside the log.
        #expect(try await parley(["support", "sla", "--data", directory, "--json"]).status == 0)
        let stats = try await parley(["stats", "--data", directory, "--json"])
        #expect(stats.status == 0, "\(stats.err)")
        let files = FileManager.default
        var everyFile = 0
        for case let path as String in try #require(files.enumerator(atPath: directory)) {
            let attributes = try files.attributesOfItem(atPath: directory + "/" + path)
            if attributes[.type] as? FileAttributeType == .typeRegular { everyFile += try #require(attributes[.size] as? Int) }
        }
        let logFile = try #require(try files.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? Int)
        #expect(files.fileExists(atPath: directory + "/views/data.mdb") && everyFile > logFile)
        let json = try JSONParser.parse(stats.out)
        #expect(json["bytes"] == .int(Int64(everyFile)), "\(stats.out)")
        #expect(json["log_bytes"] == .int(Int64(logFile)), "\(stats.out)")
        #expect(json["events"] == 1 && json["streams"] == 1)
        let text = try await parley(["stats", "--data", directory])
        #expect(text.out.contains("bytes      \(everyFile) on disk") && text.out.contains("log file   \(logFile) bytes"), "\(text.out)")
    }

    /// A log on read-only media (a backup, a mounted snapshot) is read, audited and queried
    /// there, from a replay of the log when no index is stored beside it; an append says why
    /// it cannot be made and changes nothing. Needs a real read-only mount (tmpfs: root).
    @Test(.enabled(if: ReadOnlyMount.isAvailable, "mounting a tmpfs needs root"))
    func aLogOnReadOnlyMediaIsReadAuditedAndQueried() async throws {
        let mount = try ReadOnlyMount()
        defer { mount.remove() }
        let (indexed, bare) = (mount.path + "/indexed", mount.path + "/bare")
        let demo = try await parley(["demo", "--members", "40", "--days", "10", "--until", "2026-03-20T00:00:00Z"])
        #expect(try await parley(["import", "--data", indexed, "-"], stdin: Data(demo.out.utf8)).status == 0)
        let queries = [["support", "sla"], ["community", "summary"], ["product", "ideas"], ["support", "backlog", "--at-position", "100"]]
        var answers: [String] = []
        for query in queries {
            let answer = try await parley(query + ["--data", indexed, "--json", "--as-of", "2026-03-20T00:00:00Z"])
            #expect(answer.status == 0, "\(query): \(answer.err)")
            answers.append(answer.out)
        }
        let read = try await parley(["read", "--data", indexed])
        let policies = try await parley(["policy", "show", "--data", indexed, "--json", "--as-of", "2026-03-20T00:00:00Z"])
        // The same log without the views' index the queries stored.
        #expect(try runProgramBlocking("/bin/cp", ["-a", indexed, bare]).status == 0)
        try FileManager.default.removeItem(atPath: bare + "/views")
        let logBytes = try Data(contentsOf: URL(fileURLWithPath: indexed + "/data.mdb"))
        try mount.makeReadOnly()

        for directory in [indexed, bare] {
            #expect(try await parley(["read", "--data", directory]).out == read.out, "\(directory)")
            let audit = try await parley(["audit", "verify", "--data", directory])
            #expect(audit.status == 0 && audit.out.hasPrefix("ok: "), "\(directory): \(audit.out) \(audit.err)")
            for (query, expected) in zip(queries, answers) {
                let answer = try await parley(query + ["--data", directory, "--json", "--as-of", "2026-03-20T00:00:00Z"])
                #expect(answer.status == 0, "\(query) \(directory): \(answer.err)")
                #expect(answer.out == expected, "\(query) \(directory)")
            }
            let shown = try await parley(["policy", "show", "--data", directory, "--json", "--as-of", "2026-03-20T00:00:00Z"])
            #expect(shown.status == 0 && shown.out == policies.out, "\(directory): \(shown.err)")
            let stats = try await parley(["stats", "--data", directory, "--json"])
            #expect(stats.status == 0, "\(directory): \(stats.err)")
        }
        // A copy to writable storage, where the log is whole again.
        let copy = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let backup = try await parley(["backup", "--data", bare, copy])
        #expect(backup.status == 0, "\(backup.err)")
        #expect(try await parley(["read", "--data", copy]).out == read.out)
        let append = try await parley([
            "append", "--data", bare, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z", "--data", "{}",
        ])
        #expect(append.status == 1)
        #expect(append.err.contains("read-only file system") && append.err.split(separator: "\n").count == 1, "\(append.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: indexed + "/data.mdb")) == logBytes)
    }

    /// A negative number for a numeric option is refused as such (bad usage), not taken for
    /// an option with the value said to be missing.
    @Test func negativeNumbersAreRefusedAsSuch() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let append = ["append", "--data", directory, "--stream", "s:1", "--type", "note", "--time", "2026-03-02T09:00:00Z", "--data", "{}"]
        #expect(try await parley(append).status == 0)
        for (arguments, option) in [
            (append + ["--expected-version", "-1"], "--expected-version"), (["read", "--data", directory, "--from", "-3"], "--from"),
            (["read", "--data", directory, "--limit", "-1"], "--limit"), (["read", "--data", directory, "--limit=-1"], "--limit"),
            (["audit", "replay", "--data", directory, "--at-position", "-2"], "--at-position"),
            (["plugin", "run", "p", "--data", directory, "--command", "/bin/true", "--from", "-1"], "--from"),
        ] {
            let refused = try await parley(arguments)
            #expect(refused.status == 2, "\(arguments): \(refused.err)")
            #expect(refused.err.contains("'\(option) ") && refused.err.contains("must be a whole number ≥ 0"), "\(refused.err)")
        }
        // The views check a position as the HTTP API does, and say so.
        let view = try await parley(["support", "sla", "--data", directory, "--at-position", "-1"])
        #expect(view.status != 0 && view.err.contains("--at-position: \"-1\" is not a position (a whole number ≥ 0)"), "\(view.err)")
        let read = try await parley(["read", "--data", directory, "--from", "1", "--limit", "5"])
        #expect(read.out.split(separator: "\n").count == 1, "\(read.err)")
    }
}

/// A tmpfs mounted for one test, then made read-only.
struct ReadOnlyMount {
    let path: String

    /// Whether this process may mount one (root with the capability to mount).
    static let isAvailable: Bool = {
        guard let mount = try? ReadOnlyMount() else { return false }
        mount.remove()
        return true
    }()

    init() throws {
        path = temporaryPath()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard try runProgramBlocking("/bin/mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", path]).status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw TestFailure("cannot mount a tmpfs at \(path)")
        }
    }

    func makeReadOnly() throws {
        let run = try runProgramBlocking("/bin/mount", ["-o", "remount,ro", path])
        guard run.status == 0 else { throw TestFailure("cannot make \(path) read-only: \(run.stderr)") }
    }

    func remove() {
        _ = try? runProgramBlocking("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
