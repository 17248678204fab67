import Foundation
import ParleyTestSupport
import Testing
import ParleyLog
import ParleyModel
import ParleyPluginHost

/// `parley plugin run` (the real CLI binary) and the loop plugin run through it.
@Suite struct PluginRunTests {
    /// Runs `parley plugin run NAME --data DIR --json …` and returns its JSON report.
    func pluginRun(_ name: String, data: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> [String: Any] {
        let output = try await runProgram(try productBinary("parley"), ["plugin", "run", name, "--data", data, "--json"] + arguments, environment: environment)
        guard output.status == 0 else {
            throw FixtureError(description: "parley plugin run \(name) exited \(output.status): \(output.stderr)")
        }
        guard let report = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any] else {
            throw FixtureError(description: "parley plugin run printed no JSON object: \(output.output)")
        }
        return report
    }

    /// Writes an executable script `name` into `dir`; returns its path.
    static func script(_ name: String, in dir: URL, _ source: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try ScriptPlugin.writeExecutable(source, to: path)
        return path
    }

    @Test func runningTwiceAppendsNothingTheSecondTime() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append((1...6).map { comment($0, help: $0 % 2 == 1) })
            let script = try ScriptPlugin.write(to: dir)
            let env = ["OUT": dir.appendingPathComponent("out.jsonl").path, "MODE": "good"]
            let first = try await pluginRun("helpbot", data: log.directory, ["--command", script], environment: env)
            #expect(first["appended"] as? Int == 3 && first["delivered"] as? Int == 6 && first["held"] as? Bool == false)
            let head = try log.head()
            #expect(head == 9)
            let second = try await pluginRun("helpbot", data: log.directory, ["--command", script], environment: env)
            #expect(second["appended"] as? Int == 0 && second["emitted"] as? Int == 0)
            #expect(try log.head() == head)
            #expect(try PluginCheckpoints(log: log).position(of: "helpbot") ?? 0 >= 6)
        }
    }

    /// A run whose emits were rejected fails (exit 1), after its report: a backfill that lost
    /// events must not pass for a complete one.
    @Test func rejectedEmitsFailTheRun() async throws {
        try await withTemporaryLog { log, dir in
            // The id the plugin will give comment 1's ticket, taken by another event.
            _ = try log.append([event("note", stream: "misc:1", id: "helpbot:c1", time: "2026-03-02T08:00:00Z", [:]), comment(1, help: true), comment(2, help: true)])
            let script = try ScriptPlugin.write(to: dir)
            let env = ["OUT": dir.appendingPathComponent("out.jsonl").path, "MODE": "good"]
            let output = try await runProgram(
                try productBinary("parley"), ["plugin", "run", "helpbot", "--data", log.directory, "--command", script, "--json"], environment: env)
            #expect(output.status == 1, "\(output.stderr)")
            let report = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
            #expect(report?["rejected"] as? Int == 1 && report?["appended"] as? Int == 1, "\(String(decoding: output.stdout, as: UTF8.self))")
            #expect(output.stderr.contains("plugin helpbot: 1 of its emits were rejected"), "\(output.stderr)")
        }
    }

    /// A plugin that cannot be started says why in words: a script without a `#!` line, a file
    /// that is not executable, a path that names nothing.
    @Test func aPluginThatCannotStartIsExplained() async throws {
        try await withTemporaryLog { log, dir in
            let script = dir.appendingPathComponent("plugin.py").path
            try "import sys\n".write(toFile: script, atomically: true, encoding: .utf8)
            for (mode, reason) in [(0o644, "it is not executable"), (0o755, "it is neither a program nor a script that starts with a #! line")] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: script)
                let run = try await runProgram(try productBinary("parley"), ["plugin", "run", "p", "--data", log.directory, "--command", script], environment: [:])
                #expect(run.status == 1 && run.stderr.contains("cannot start \(script): \(reason)"), "\(run.stderr)")
            }
            let missing = try await runProgram(try productBinary("parley"), ["plugin", "run", "p", "--data", log.directory, "--command", dir.appendingPathComponent("nothing").path], environment: [:])
            #expect(missing.status == 1 && missing.stderr.contains("there is no such file"), "\(missing.stderr)")
        }
    }

    /// A plugin that confirms only the events it was sent (so never the head, when later events
    /// are of types it did not subscribe to) and answers no webhook still ends the run; lines of
    /// unknown types and log levels on the way are ignored, not fatal.
    @Test func aPluginThatConfirmsOnlyWhatItWasSentEndsTheRun() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: true)])
            _ = try log.append([NewEvent(stream: "member:m", type: "member.joined", time: Instant(microseconds: 1_780_000_000_000_000), data: ["member": "m"])])
            let script = try Self.script("confirm-sent.py", in: dir, """
            #!/usr/bin/env python3
            import json, sys
            def send(m): sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
            for line in sys.stdin:
                m = json.loads(line)
                if m["type"] == "hello": send({"type": "hello", "protocol": 1, "subscribe": ["comment.posted"]})
                elif m["type"] == "event":
                    # A message of a later protocol and a log line of an odd level: ignored, not fatal.
                    send({"type": "progress", "done": 1})
                    send({"type": "log", "level": "loud", "message": "handled"})
                    send({"type": "checkpoint", "position": m["event"]["position"]})
            """)
            let report = try await pluginRun("confirm-sent", data: log.directory, ["--command", script])
            #expect(report["delivered"] as? Int == 1)
            #expect(report["caught_up"] as? Int == 2)
            #expect(report["checkpoint"] as? Int == 1)
            #expect(report["held"] as? Bool == true)
        }
    }

    /// A plugin that confirms the head when it is told it is caught up is not sent the
    /// settling webhook: it needs none, and one that checks signatures would log a refusal.
    @Test func aPluginThatConfirmsTheHeadIsNotSettled() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: true), comment(2, help: false)])
            let received = dir.appendingPathComponent("received.jsonl").path
            let script = try Self.script("confirm-head.py", in: dir, """
            #!/usr/bin/env python3
            import json, os, sys
            def send(m): sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
            out = open(os.environ["RECEIVED"], "a")
            for line in sys.stdin:
                m = json.loads(line)
                out.write(m["type"] + "\\n"); out.flush()
                if m["type"] == "hello": send({"type": "hello", "protocol": 1, "subscribe": ["comment.posted"]})
                elif m["type"] == "caught_up": send({"type": "checkpoint", "position": m["position"]})
                elif m["type"] == "webhook": send({"type": "ack", "webhook": m["id"]})
            """)
            for _ in 0..<2 {
                let report = try await pluginRun("confirm-head", data: log.directory, ["--command", script], environment: ["RECEIVED": received])
                #expect(report["held"] as? Bool == false)
                #expect(report["checkpoint"] as? Int == 2)
            }
            let types = try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n")
            #expect(!types.contains("webhook"), "\(types)")
            #expect(types.filter { $0 == "caught_up" }.count == 2)
        }
    }

    /// Emits a plugin writes right after confirming the head, back to back, are appended and
    /// answered, a rejected one among them too: the run ends only once the plugin is quiet.
    @Test func emitsWrittenRightAfterTheFinalCheckpointAreNotLost() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: false), comment(2, help: false)])
            let received = dir.appendingPathComponent("received.jsonl").path
            let script = try Self.script("late-emits.py", in: dir, """
            #!/usr/bin/env python3
            import json, os, sys
            out = open(os.environ["RECEIVED"], "a")
            def emit(ref, stream, data):
                return json.dumps({"type": "emit", "ref": ref, "events": [{"id": "late:" + ref, "stream": stream,
                    "type": "ticket.opened", "time": "2026-03-02T10:00:00Z", "data": data}]}) + "\\n"
            for line in sys.stdin:
                m = json.loads(line)
                if m["type"] in ("emitted", "rejected"): out.write(m["type"] + " " + m["ref"] + " " + m.get("error", "") + "\\n"); out.flush()
                if m["type"] == "hello":
                    sys.stdout.write(json.dumps({"type": "hello", "protocol": 1, "subscribe": ["comment.posted"]}) + "\\n"); sys.stdout.flush()
                elif m["type"] == "caught_up":
                    # One write: the checkpoint and three emits reach the runner together.
                    sys.stdout.write(json.dumps({"type": "checkpoint", "position": m["position"]}) + "\\n"
                        + emit("good1", "ticket:l1", {"ticket": "l1", "member": "m1"})
                        + emit("bad", "ticket:l2", {"member": "m1"})
                        + emit("good2", "ticket:l3", {"ticket": "l3", "member": "m1"}))
                    sys.stdout.flush()
            """)
            let output = try await runProgram(
                try productBinary("parley"), ["plugin", "run", "late", "--data", log.directory, "--command", script, "--json"],
                environment: ["RECEIVED": received])
            // The rejected emit fails the run, after the other two were appended.
            #expect(output.status == 1, "\(output.stderr)")
            let report = try? JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
            #expect(report?["appended"] as? Int == 2 && report?["rejected"] as? Int == 1, "\(String(decoding: output.stdout, as: UTF8.self)) \(output.stderr)")
            #expect(try log.read(from: 1, limit: 10).map(\.id).suffix(2) == ["late:good1", "late:good2"])
            let answers = try String(contentsOfFile: received, encoding: .utf8).split(separator: "\n")
            #expect(answers == ["emitted good1 ", "rejected bad event 0: field \"data.ticket\" is required for ticket.opened", "emitted good2 "], "\(answers)")
        }
    }

    /// A plugin that confirms the head and then keeps writing (a log line on a timer) does not
    /// keep the run alive: the runner closes its stdin within seconds.
    @Test func aPluginThatKeepsWritingAfterTheHeadStillEnds() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: false)])
            let ended = dir.appendingPathComponent("ended").path
            let script = try Self.script("chatty.py", in: dir, """
            #!/usr/bin/env python3
            import json, os, sys, threading, time
            def send(m): sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
            def chatter():
                for _ in range(200):  # 10 s, then it gives up by itself
                    send({"type": "log", "level": "debug", "message": "still here"}); time.sleep(0.05)
                open(os.environ["ENDED"], "w").write("gave up"); os._exit(0)
            for line in sys.stdin:
                m = json.loads(line)
                if m["type"] == "hello": send({"type": "hello", "protocol": 1, "subscribe": []})
                elif m["type"] == "caught_up":
                    send({"type": "checkpoint", "position": m["position"]})
                    threading.Thread(target=chatter, daemon=True).start()
            open(os.environ["ENDED"], "w").write("stdin closed")
            """)
            let report = try await pluginRun("chatty", data: log.directory, ["--command", script], environment: ["ENDED": ended])
            #expect(report["checkpoint"] as? Int == 1)
            #expect(try String(contentsOfFile: ended, encoding: .utf8) == "stdin closed")
        }
    }

    /// An installed layout: `bin/parley` finds `lib/parley/parley-plugin-NAME`.
    @Test func theNameAloneFindsThePluginInLibParley() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: true)])
            let fm = FileManager.default
            let bin = dir.appendingPathComponent("prefix/bin"), lib = dir.appendingPathComponent("prefix/lib/parley")
            try fm.createDirectory(at: bin, withIntermediateDirectories: true)
            try fm.createDirectory(at: lib, withIntermediateDirectories: true)
            try fm.copyItem(atPath: try productBinary("parley"), toPath: bin.appendingPathComponent("parley").path)
            let plugin = lib.appendingPathComponent("parley-plugin-helpbot").path
            try fm.copyItem(atPath: try ScriptPlugin.write(to: dir), toPath: plugin)
            let output = try await runProgram(
                bin.appendingPathComponent("parley").path, ["plugin", "run", "helpbot", "--data", log.directory, "--json"],
                environment: ["OUT": dir.appendingPathComponent("out.jsonl").path, "MODE": "good"])
            #expect(output.status == 0, "\(output.stderr)")
            let report = try JSONParser.parse(Array(output.stdout))
            #expect(report["plugin"] == "helpbot")
            #expect(report["appended"] == 1)
        }
    }

    /// `parley plugin run NAME` alone runs `parley-plugin-NAME`, found beside `parley`.
    @Test func theNameAloneFindsThePluginsExecutable() async throws {
        try await withTemporaryLog { log, _ in
            _ = try log.append([comment(1, help: true)])
            let report = try await pluginRun("sla-watch", data: log.directory, [])
            #expect(report["plugin"] as? String == "sla-watch")
            #expect(report["caught_up"] as? Int == 1)
        }
    }

    /// The telegram plugin keeps its checkpoint below its own poll answers (to give a
    /// redelivered update its stored time after a restart), so an offline run settles it: the
    /// runtime acks the settling webhook itself, and the plugin logs nothing about it.
    @Test func aPluginHoldingItsCheckpointIsSettledQuietly() async throws {
        try await withTemporaryLog { log, _ in
            _ = try log.append([
                comment(1, help: false),
                event("poll.voted", stream: "post:tg-poll-9", id: "tg:poll_answer:77:0", time: "2026-03-02T09:00:00Z",
                      source: "telegram", ["post": "tg-poll-9", "member": "tg:5", "option": "0"]),
                comment(2, help: false),
            ])
            let output = try await runProgram(try productBinary("parley"), ["plugin", "run", "telegram", "--data", log.directory, "--json"], environment: [:])
            #expect(output.status == 0, "\(output.stderr)")
            let report = try JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
            #expect(report?["held"] as? Bool == true && report?["checkpoint"] as? Int == 1, "\(String(decoding: output.stdout, as: UTF8.self))")
            #expect(!output.stderr.contains("warning") && !output.stderr.contains("error"), "\(output.stderr)")
        }
    }

    @Test func configFileNamesThePlugin() async throws {
        try await withTemporaryLog { log, dir in
            _ = try log.append([comment(1, help: true)])
            let script = try ScriptPlugin.write(to: dir)
            let config = dir.appendingPathComponent("parley.json").path
            let out = dir.appendingPathComponent("out.jsonl").path
            let document = #"{"listen": "127.0.0.1:7420", "plugins": [{"name": "helpbot", "command": ["\#(script)"], "env": {"OUT": "\#(out)", "MODE": "good"}, "config": {"x": 1}, "from": 0}]}"#
            try document.write(toFile: config, atomically: true, encoding: .utf8)
            let report = try await pluginRun("helpbot", data: log.directory, ["--config", config])
            #expect(report["appended"] as? Int == 1)
            #expect((ScriptPlugin.records(out, kind: "hello").first?["config"] as? [String: Int]) == ["x": 1])
        }
    }

    /// The CLI reads `--config` with the daemon's reader: what `parleyd` refuses, `parley plugin
    /// run` refuses too, with the same message (file, line, key).
    @Test func configFileIsReadAsTheDaemonReadsIt() async throws {
        let cases = [
            ("Help Bot", "plugins:\n  - name: Help Bot\n    command: [\"/bin/true\"]\n",
             "parley.yaml line 2: plugins[0].name: \"Help Bot\" must be 1–64 characters of [a-z0-9_-]"),
            ("helpbot", "plugins:\n  - name: helpbot\n    comand: [\"/bin/true\"]\n", "comand"),
        ]
        try await withTemporaryLog { log, dir in
            let config = dir.appendingPathComponent("parley.yaml").path
            for (name, yaml, message) in cases {
                try yaml.write(toFile: config, atomically: false, encoding: .utf8)
                let output = try await runProgram(
                    try productBinary("parley"), ["plugin", "run", name, "--data", log.directory, "--config", config], environment: [:])
                #expect(output.status == 1)
                #expect(output.stderr.contains(message), "\(output.stderr)")
            }
        }
    }

    @Test func loopDraftsOncePerShippingWithTheOwedMembers() async throws {
        try await withTemporaryLog { log, _ in
            let t = "2026-03-0"
            func idea(_ type: String, _ n: Int, _ data: JSONObject) -> NewEvent {
                event(type, stream: "idea:\(data["idea"]!.stringValue!)", id: "e\(n)", time: "\(t)\(n % 9 + 1)T10:00:00Z", data)
            }
            _ = try log.append([
                idea("idea.proposed", 1, ["idea": "i1", "author": "m1", "title": "Dark mode"]),
                idea("idea.proposed", 2, ["idea": "i2", "author": "m2", "title": "Night theme"]),
                idea("idea.voted", 3, ["idea": "i1", "member": "m3"]),
                idea("idea.voted", 4, ["idea": "i2", "member": "m4"]),
                idea("idea.voted", 5, ["idea": "i1", "member": "m5"]),
                idea("idea.unvoted", 6, ["idea": "i1", "member": "m5"]),
                idea("idea.voted", 7, ["idea": "i1", "member": "brand"]),
                idea("idea.merged", 8, ["idea": "i2", "into": "i1"]),
                event("announcement.published", stream: "post:a1", id: "e9", time: "2026-03-05T10:00:00Z",
                      ["announcement": "a1", "ideas": ["i1"], "notified": ["m3"]]),
                idea("idea.status_changed", 10, ["idea": "i1", "status": "shipped"]),
                idea("idea.status_changed", 11, ["idea": "i1", "status": "shipped"]),  // no change: no draft
            ])
            let loop = try productBinary("parley-plugin-loop")
            let first = try await pluginRun("loop", data: log.directory, ["--command", loop])
            #expect(first["appended"] as? Int == 1)
            #expect(first["held"] as? Bool == true)
            let drafts = try log.read(type: "announcement.drafted")
            #expect(drafts.map(\.id) == ["loop:i1:10"])
            #expect(drafts.first?.stream == "idea:i1" && drafts.first?.source == "loop")
            #expect(drafts.first?.data["owed"] == ["m1", "m2", "m4"])
            #expect(drafts.first?.data["title"] == "Dark mode")

            let again = try await pluginRun("loop", data: log.directory, ["--command", loop])
            #expect(again["appended"] as? Int == 0 && again["emitted"] as? Int == 0)

            // Shipped again after a step back: a second draft, for the new shipping only.
            _ = try log.append([
                idea("idea.status_changed", 12, ["idea": "i1", "status": "in_progress"]),
                idea("idea.status_changed", 13, ["idea": "i1", "status": "shipped"]),
            ])
            let third = try await pluginRun("loop", data: log.directory, ["--command", loop])
            #expect(third["appended"] as? Int == 1)
            let head = try log.head()
            #expect(try log.read(type: "announcement.drafted").map(\.id) == ["loop:i1:10", "loop:i1:\(head - 1)"])
        }
    }
}
