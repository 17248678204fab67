import Foundation
import ParleyTestSupport
import Testing
import ParleyDemo
import ParleyModel

/// `parley --server URL --token T` against a real `parleyd` child: the same answers as the CLI
/// over the data directory.
@Suite(.serialized) struct CLIThroughServerTests {
    /// Runs the built `parley` with `arguments` and `stdin`.
    func parley(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) async throws -> (status: Int32, out: String, err: String) {
        try await offThePool { try Self.run(arguments, stdin: stdin, environment: environment) }
    }

    static func run(_ arguments: [String], stdin: Data?, environment: [String: String]) throws -> (status: Int32, out: String, err: String) {
        let parley = URL(fileURLWithPath: DaemonProcess.executable).deletingLastPathComponent().appendingPathComponent("parley").path
        let run = try runProgramBlocking(parley, arguments, stdin: stdin, environment: environment)
        return (run.status, run.output, run.stderr)
    }

    @Test func importAndQueriesThroughTheServerMatchTheDirectory() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.start(directory: directory)
        let until = try Instant(rfc3339: "2026-03-31T00:00:00Z")
        var demo = DemoCommunity(seed: 3, until: until, days: 20, members: 60)
        var lines: [UInt8] = []
        for e in demo.generate() { lines += JSONWriter.encode(e.json) + [0x0A] }
        let remote = ["--server", daemon.base, "--token", TestTokens.admin]

        let first = try await parley(["import", "-", "--json"] + remote, stdin: Data(lines))
        #expect(first.status == 0, "\(first.err)")
        let again = try await parley(["import", "-", "--json"] + remote, stdin: Data(lines))
        let summary = try JSONParser.parse(again.out)
        #expect(summary["appended"] == 0)
        #expect(summary["duplicates"] == summary["read"])

        for query in [["support", "sla"], ["community", "summary"], ["content", "mix"], ["product", "loop"]] {
            let options = ["--as-of", "2026-03-30T12:00:00Z", "--json"]
            let viaServer = try await parley(query + options + remote)
            #expect(viaServer.status == 0, "\(viaServer.err)")
            daemon.signal(SIGSTOP)
            let direct = try await parley(query + options + ["--data", directory])
            daemon.signal(SIGCONT)
            #expect(try JSONParser.parse(viaServer.out) == JSONParser.parse(direct.out), "\(query)")
        }

        // A what-if policy travels with the query.
        let policyFile = directory + ".policy.json"
        try Data(#"{"sla": {"first_response_s": 60, "hours": "24x7"}}"#.utf8).write(to: URL(fileURLWithPath: policyFile))
        defer { try? FileManager.default.removeItem(atPath: policyFile) }
        let whatIf = ["support", "sla", "--as-of", "2026-03-30T12:00:00Z", "--policy", policyFile, "--json"]
        let remoteWhatIf = try await parley(whatIf + remote)
        daemon.signal(SIGSTOP)
        let directWhatIf = try await parley(whatIf + ["--data", directory])
        daemon.signal(SIGCONT)
        #expect(remoteWhatIf.status == 0, "\(remoteWhatIf.err)")
        #expect(try JSONParser.parse(remoteWhatIf.out) == JSONParser.parse(directWhatIf.out))
        let withoutWhatIf = try await parley(["support", "sla", "--as-of", "2026-03-30T12:00:00Z", "--json"] + remote)
        #expect(try JSONParser.parse(remoteWhatIf.out) != JSONParser.parse(withoutWhatIf.out))

        // Options every command takes may also stand before the subcommand.
        let leading = try await parley(["--server", daemon.base, "--token", TestTokens.admin, "support", "sla", "--as-of", "2026-03-30T12:00:00Z", "--json"])
        #expect(leading.status == 0, "\(leading.err)")
        #expect(try JSONParser.parse(leading.out)["as_of"] == "2026-03-30T12:00:00Z")

        let denied = try await parley(["support", "sla"] + ["--server", daemon.base, "--token", "not-a-token-at-all"])
        #expect(denied.status == 1)
        #expect(denied.err.contains("token"), "\(denied.err)")
        let bad = try await parley(["append", "--stream", "s", "--type", "ticket.opened", "--time", "2026-03-01T00:00:00Z", "--data", #"{"ticket":"t"}"#] + remote)
        #expect(bad.status == 1)
        #expect(bad.err.contains("data.member"), "\(bad.err)")
        // A conflict reads as it does over the data directory, without the batch's event index.
        let conflict = try await parley(["append", "--stream", "s", "--type", "note", "--time", "2026-03-01T00:00:00Z", "--data", "{}", "--expected-version", "5"] + remote)
        #expect(conflict.status == 1 && conflict.err == "parley: expected_version 5 of stream \"s\" does not hold: the stream does not exist yet\n", "\(conflict.err)")
        // A bad line stops a remote import as a local one: the whole batches before it are in,
        // nothing of its own batch is.
        var input = (0..<5).map { #"{"id":"rb\#($0)","stream":"remote-batches","type":"note","time":"2026-03-01T00:00:00Z","data":{}}"# }
        input.append(#"{"id":"rb5","stream":"remote-batches","type":"ticket.opened","time":"2026-03-01T00:00:00Z","data":{"ticket":"t"}}"#)
        let stopped = try await parley(["import", "-", "--batch-size", "2"] + remote, stdin: Data((input.joined(separator: "\n") + "\n").utf8))
        #expect(stopped.status == 1)
        #expect(stopped.err.contains("line 6") && stopped.err.contains("data.member") && stopped.err.contains("appended 4 events"), "\(stopped.err)")
        let kept = try await parley(["read", "--stream", "remote-batches"] + remote)
        #expect(kept.out.split(separator: "\n").count == 4, "\(kept.out)")
        // A conflict only the daemon sees is named by the file's line, not the batch's index.
        let clash = [input[0].replacingOccurrences(of: "rb0", with: "rc0"), input[1].replacingOccurrences(of: "2026-03-01", with: "2026-04-01")]
        let conflicted = try await parley(["import", "-"] + remote, stdin: Data(("\n" + clash.joined(separator: "\n") + "\n").utf8))
        #expect(conflicted.status == 1 && conflicted.err.hasPrefix("parley: stdin line 3: id \"rb1\""), "\(conflicted.err)")
        // A batch of large events goes in several requests rather than over the daemon's
        // 16 MiB limit (20 events of 900 KB in one batch of the default 1,000).
        let text = String(repeating: "x", count: 900_000)
        let large = (0..<20).map { #"{"id":"big\#($0)","stream":"big","type":"note","time":"2026-03-01T00:00:00Z","data":{"text":"\#(text)"}}"# }
        let big = try await parley(["import", "-", "--json"] + remote, stdin: Data((large.joined(separator: "\n") + "\n").utf8))
        #expect(big.status == 0, "\(big.err.prefix(500))")
        #expect(try big.status != 0 || JSONParser.parse(big.out)["appended"] == 20)
        // A refusal that names no event reads as one sentence about the input.
        let refused = try await parley(["import", "-", "--server", daemon.base, "--token", "not-a-token-at-all"], stdin: Data((input[0] + "\n").utf8))
        #expect(refused.status == 1 && refused.err.hasPrefix("parley: stdin: the bearer token matches no configured token"), "\(refused.err)")
        daemon.signal(SIGTERM)
        _ = await daemon.exit()
    }

    /// `policy show` through a daemon takes the policies in force from its `policy.set`
    /// events, in (time, position) order as the stored views do: the same answer as over the
    /// data directory, at instants before, between and after two changes appended out of
    /// time order.
    @Test func policyShowThroughTheServerMatchesTheDirectory() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.start(directory: directory)
        let remote = ["--server", daemon.base, "--token", TestTokens.admin]
        for (time, seconds) in [("2026-03-10T00:00:00Z", 120), ("2026-03-01T00:00:00Z", 60)] {
            let set = try await parley(["policy", "set", "sla", #"{"first_response_s": \#(seconds), "hours": "24x7"}"#, "--time", time] + remote)
            #expect(set.status == 0, "\(set.err)")
        }
        for asOf in ["2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-20T00:00:00Z"] {
            for json in [["--json"], []] {
                let viaServer = try await parley(["policy", "show", "--as-of", asOf] + json + remote)
                #expect(viaServer.status == 0, "\(viaServer.err)")
                daemon.signal(SIGSTOP)
                let direct = try await parley(["policy", "show", "--as-of", asOf, "--data", directory] + json)
                daemon.signal(SIGCONT)
                #expect(direct.status == 0, "\(direct.err)")
                #expect(viaServer.out == direct.out, "\(asOf)")
            }
        }
        let later = try await parley(["policy", "show", "--as-of", "2026-03-20T00:00:00Z", "--json"] + remote)
        #expect(try JSONParser.parse(later.out)["sla"]?["first_response_s"] == 120, "\(later.out)")
        let between = try await parley(["policy", "show", "--as-of", "2026-03-05T00:00:00Z", "--json"] + remote)
        #expect(try JSONParser.parse(between.out)["sla"]?["first_response_s"] == 60, "\(between.out)")
        daemon.signal(SIGTERM)
        _ = await daemon.exit()
    }
}
