import AsyncHTTPClient
import Foundation
import ParleyTestSupport
import NIOHTTP1
import NIOCore
#if canImport(Glibc)
import Glibc
#endif
import ParleyLog
import ParleyModel
import ParleyProjections
import Testing

/// The real `parleyd`: bad configuration, graceful shutdown with requests in flight, and a
/// `kill -9` among concurrent clients.
@Suite(.serialized) struct DaemonProcessTests {
    @Test func aBadConfigurationExits2NamingTheKey() async throws {
        let path = temporaryPath() + ".yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "tokens:\n  - name: a\n    secret: \"0123456789abcdefg\"\n    scopes: [reed]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try await runParleyd(["--config", path, "--data", temporaryPath()])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("tokens[0].scopes[0]") && bad.stderr.contains("\"reed\" is not a scope"), "\(bad.stderr)")
        #expect(!bad.stderr.contains("0123456789abcdefg"))
        let listen = try await runParleyd(["--listen", "nowhere"])
        #expect(listen.status == 2)
        #expect(listen.stderr.contains("--listen"))
        // Bad usage is one line as well, saying where the help is.
        let unknown = try await runParleyd(["--bogus"])
        #expect(unknown.status == 2 && unknown.stderr == "parleyd: Unknown option '--bogus' (see 'parleyd --help')\n", "\(unknown.stderr)")
    }

    /// One daemon per data directory: a second is refused, naming the first; once the first
    /// is killed (the kernel drops its lock), a new one starts.
    @Test(.timeLimit(.minutes(1))) func aSecondDaemonOnTheSameDirectoryIsRefused() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await DaemonProcess.start(directory: directory)
        let second = try await runParleyd(["--data", directory, "--listen", "127.0.0.1:0"], seconds: 15)
        #expect(second.status == 1, "a second parleyd ran beside the first (killed after 15 s): \(second.stderr)")
        #expect(second.stderr.contains("\(directory) is already served by another parleyd (pid \(first.process.processIdentifier))"), "\(second.stderr)")
        first.signal(SIGKILL)
        first.process.waitUntilExit()
        let third = try await DaemonProcess.start(directory: directory)
        #expect(third.port > 0)
        third.signal(SIGTERM)
        third.process.waitUntilExit()
    }

    /// parleyd's memory comes from the jemalloc it links (not glibc's malloc), and its first log
    /// line says so.
    @Test(.timeLimit(.minutes(1))) func theDaemonAllocatesThroughJemalloc() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.start(directory: directory, logLevel: "info")
        daemon.signal(SIGTERM)
        let exit = await daemon.exit()
        #expect(exit.status == 0)
        #expect(exit.stderr.contains("parley.allocator=jemalloc "), "\(exit.stderr)")
    }

    @Test func helpPrintsUsageAndExits0() async throws {
        for flag in ["--help", "-h"] {
            let help = try await runParleyd([flag])
            #expect(help.status == 0, "\(flag): \(help.stderr)")
            #expect(help.stdout.contains("USAGE: parleyd") && help.stdout.contains("--listen"), "\(flag): \(help.stdout)")
        }
    }

    /// Clients posting batches, each to a new stream (so that streams keep being created), until
    /// they fail; records every 201.
    static func hammer(_ base: String, clients: Int, acknowledged: Acknowledged, http: HTTPClient) async {
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    for request in 0..<10_000 {
                        let ids = (0..<(1 + request % 4)).map { "c\(client)-r\(request)-e\($0)" }
                        let body = "[" + ids.map { "{\"id\":\"\($0)\",\"stream\":\"ticket:c\(client)-\(request)\",\"type\":\"ticket.opened\",\"time\":\"2026-03-02T09:00:00Z\",\"data\":{\"ticket\":\"c\(client)-\(request)\",\"member\":\"m\(client)\"}}" }.joined(separator: ",") + "]"
                        var post = HTTPClientRequest(url: base + "/v1/events")
                        post.method = .POST
                        post.headers.add(name: "Authorization", value: "Bearer \(TestTokens.admin)")
                        post.body = .bytes(ByteBuffer(string: body))
                        do {
                            let response = try await http.execute(post, timeout: .seconds(10))
                            let bytes = try await response.body.collect(upTo: 1 << 20)
                            guard response.status.code == 201 else { await acknowledged.refuse(); return }
                            let json = try JSONParser.parse(Array(buffer: bytes))
                            let positions = json.objectValue?["positions"]?.arrayValue?.compactMap { $0.intValue.map(UInt64.init) } ?? []
                            await acknowledged.add(ids: ids, positions: positions)
                        } catch {
                            return
                        }
                    }
                }
            }
        }
    }

    /// Every acknowledged event is in the log at its position; the chain verifies.
    static func checkDurable(_ directory: String, _ acknowledged: Acknowledged) async throws -> Int {
        let log = try EventLog(directory: directory, create: false)
        let events = await acknowledged.events
        for (id, position) in events {
            let event = try #require(try log.event(at: position), "acknowledged position \(position) is missing")
            #expect(event.id == id)
        }
        if case .failure(let failure) = try log.verify() { Issue.record("audit verify failed: \(failure)") }
        return events.count
    }

    @Test func sigtermFinishesInFlightAppendsAndExits0() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.start(directory: directory)
        let http = makeHTTPClient()
        let acknowledged = Acknowledged()
        async let load: Void = Self.hammer(daemon.base, clients: 32, acknowledged: acknowledged, http: http)
        await acknowledged.waitFor(200)
        daemon.signal(SIGTERM)
        await load
        let (status, stderr) = await daemon.exit()
        #expect(status == 0, "\(stderr)")
        try await http.shutdown()
        let count = try await Self.checkDurable(directory, acknowledged)
        #expect(count > 0)
        // Finished, not refused: an append the daemon had taken in is answered 201. (One it
        // never took in ends in a connection error, which the clients cannot tell apart from
        // a dropped one.)
        let refused = await acknowledged.refused
        #expect(refused == 0, "\(refused) appends in flight at SIGTERM were refused instead of finished")
    }

    /// The CLI appends to the data directory while the daemon takes appends too (`surfaces.md`:
    /// LMDB serves many readers beside one writer): every event of both is kept in one chain,
    /// and the daemon's views take in the CLI's events as well as its own.
    @Test func theCLIAppendsBesideABusyDaemon() async throws {
        let directory = temporaryPath(), input = temporaryPath() + ".jsonl"
        defer { for path in [directory, input] { try? FileManager.default.removeItem(atPath: path) } }
        // 300 tickets, each answered by staff: the daemon's clients open tickets nobody answers.
        var lines: [String] = []
        for i in 0..<300 {
            lines.append(#"{"id":"cli-o\#(i)","stream":"ticket:cli\#(i)","type":"ticket.opened","time":"2026-03-02T09:00:00Z","data":{"ticket":"cli\#(i)","member":"m1"}}"#)
            lines.append(#"{"id":"cli-r\#(i)","stream":"ticket:cli\#(i)","type":"ticket.replied","time":"2026-03-02T09:05:00Z","data":{"ticket":"cli\#(i)","by":"s1","staff":true}}"#)
        }
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let parley = URL(fileURLWithPath: DaemonProcess.executable).deletingLastPathComponent().appendingPathComponent("parley").path

        let daemon = try await DaemonProcess.start(directory: directory)
        let http = makeHTTPClient()
        let acknowledged = Acknowledged()
        async let load: Void = Self.hammer(daemon.base, clients: 8, acknowledged: acknowledged, http: http)
        await acknowledged.waitFor(100)
        let imported = try await runProgram(parley, ["import", input, "--data", directory, "--json", "--batch-size", "50"])
        #expect(imported.status == 0 && imported.output.contains(#""appended":600"#), "\(imported.stderr)")
        // A query waits for the views to hold what the log held on arrival, the CLI's events too.
        var query = HTTPClientRequest(url: daemon.base + "/v1/views/support/sla")
        query.headers.add(name: "Authorization", value: "Bearer \(TestTokens.admin)")
        let response = try await http.execute(query, timeout: .seconds(10))
        let body = try JSONParser.parse(Array(buffer: try await response.body.collect(upTo: 1 << 20)))
        #expect(response.status.code == 200)
        #expect(body.objectValue?["first_response"]?.objectValue?["count"] == .int(300), "\(body)")
        daemon.signal(SIGTERM)
        await load
        #expect(await daemon.exit().status == 0)
        try await http.shutdown()

        let count = try await Self.checkDurable(directory, acknowledged)
        let log = try EventLog(directory: directory, create: false)
        #expect(try log.head() == UInt64(count + 600))
        #expect(try log.read(from: 1, limit: 1_000_000).filter { $0.id.hasPrefix("cli-") }.count == 600)
    }

    @Test func kill9LosesNothingAcknowledgedAndTheViewsEqualAReplay() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.start(directory: directory)
        let http = makeHTTPClient()
        let acknowledged = Acknowledged()
        async let load: Void = Self.hammer(daemon.base, clients: 48, acknowledged: acknowledged, http: http)
        await acknowledged.waitFor(300)
        daemon.signal(SIGKILL)
        await load
        _ = await daemon.exit()
        let count = try await Self.checkDurable(directory, acknowledged)
        #expect(count > 0)

        // Restart: ready once the views caught up; then stop and compare with a replay.
        let again = try await DaemonProcess.start(directory: directory)
        var ready = false
        for _ in 0..<100 where !ready {
            let response = try await http.execute(HTTPClientRequest(url: again.base + "/readyz"), timeout: .seconds(5))
            ready = response.status.code == 200
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(ready)
        again.signal(SIGTERM)
        #expect(await again.exit().status == 0)
        try await http.shutdown()
        let log = try EventLog(directory: directory, create: false)
        let index = try ViewIndex(log: log)
        #expect(try index.checkpoint() == (try log.head()))
        let asOf = try Instant(rfc3339: "2026-04-01T00:00:00Z")
        let stored = ViewAudit.digests(of: try index.views(asOf: asOf), asOf: asOf)
        let replayed = ViewAudit.digests(of: try ViewAudit.replay(log, asOf: asOf), asOf: asOf)
        #expect(stored.map(\.digest) == replayed.map(\.digest))
    }
}
