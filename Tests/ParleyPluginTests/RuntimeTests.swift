import Testing
import ParleyModel
import ParleyPluginProtocol

/// A handler that echoes: every event becomes one `echo.seen` event, every webhook one
/// `echo.hooked` event (a webhook with header `refuse` is refused with 403).
struct EchoHandler: PluginHandler {
    var emitted: [String] = []
    var rejected: [String] = []

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        if hello.config["greet"] != nil { context.log(.info, "starting with a greeting") }
        if hello.config["fail"] != nil { throw PluginProtocolError(.invalidValue, "config key \"fail\" is set") }
        return PluginHello(subscribe: ["comment.*"], tickSeconds: 30)
    }

    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] {
        if event.data["skip"] != nil { return [] }
        if event.data["boom"] != nil { throw PluginProtocolError(.invalidValue, "boom") }
        if event.data["invalid"] != nil {
            return [NewEvent(id: "bad", stream: "t:1", type: "ticket.opened", time: event.time, source: "echo", data: [:])]
        }
        return [NewEvent(id: "echo:\(event.id)", stream: "echo:1", type: "echo.seen", time: event.time, source: "echo", data: [:])]
    }

    mutating func onWebhook(_ webhook: Webhook, context: PluginContext) -> WebhookOutcome {
        if webhook.header("refuse") != nil { return .refused(status: 403, error: "no") }
        let time = Instant(microseconds: 0)
        return .accepted([NewEvent(id: "hook:\(webhook.id)", stream: "echo:1", type: "echo.hooked", time: time, source: "echo", data: [:])])
    }

    mutating func onEmitted(ref: String, positions: [UInt64], context: PluginContext) { emitted.append(ref) }
    mutating func onRejected(ref: String, error: String, context: PluginContext) { rejected.append(ref) }
}

@Suite struct RuntimeTests {
    static func event(_ position: UInt64, _ data: JSONObject = [:]) -> String {
        DaemonMessage.event(Event(
            position: position, version: 1, recorded: Instant(microseconds: 0), id: "e\(position)", stream: "post:p",
            type: "comment.posted", time: Instant(microseconds: Int64(position) * 1_000_000), source: "api",
            data: (["comment": .string("c\(position)"), "post": "p", "author": "a"] as JSONObject).merging(data) { _, new in new }, meta: [:]
        )).line
    }

    static let hello = DaemonMessage.hello(DaemonHello(name: "echo", checkpoint: 0)).line

    /// Runs the echo handler over `input`, answering each `emit` through `answer` (nil: no answer).
    static func run(_ input: [String], answer: ((String) -> DaemonMessage?)? = nil) -> (status: Int32, output: [PluginMessage], handler: EchoHandler) {
        let lines = MemoryLines(input: input) { line, transport in
            guard let answer, case .emit(let ref, _)? = try? PluginMessage(line: line), let reply = answer(ref) else { return }
            transport.input.insert(reply.line, at: 0)
        }
        var runtime = PluginRuntime(handler: EchoHandler(), transport: lines)
        runtime.replayCheckpointInterval = 1
        let status = runtime.run()
        return (status, lines.output.map { try! PluginMessage(line: $0) }, runtime.handler)
    }

    static func checkpoints(_ output: [PluginMessage]) -> [UInt64] {
        output.compactMap { if case .checkpoint(let p) = $0 { return p } else { return nil } }
    }

    @Test func handshakeComesFirst() {
        let (status, output, _) = Self.run([Self.hello])
        #expect(status == 0)
        #expect(output == [.hello(PluginHello(subscribe: ["comment.*"], tickSeconds: 30))])
    }

    /// What a handler logs while it starts goes out after its hello: the daemon takes any
    /// other first line for a broken plugin.
    @Test func aLogWhileStartingFollowsTheHello() {
        let greet = DaemonMessage.hello(DaemonHello(name: "echo", checkpoint: 0, config: ["greet": true])).line
        let (status, output, _) = Self.run([greet])
        #expect(status == 0)
        #expect(output == [.hello(PluginHello(subscribe: ["comment.*"], tickSeconds: 30)), .log(level: .info, message: "starting with a greeting")])
        // A start that fails writes nothing to the daemon, its log included.
        let failing = DaemonMessage.hello(DaemonHello(name: "echo", checkpoint: 0, config: ["greet": true, "fail": true])).line
        let failed = Self.run([failing])
        #expect(failed.status == 1)
        #expect(failed.output.isEmpty)
    }

    @Test(arguments: [
        [#"{"type":"tick","now":"2026-03-02T09:15:00Z"}"#],
        [#"{"type":"hello","protocol":2,"name":"echo"}"#],
        ["not json"],
        [DaemonMessage.hello(DaemonHello(name: "echo", checkpoint: 0, config: ["fail": true])).line],
        [],
    ])
    func badHandshakeExitsWithStatusOne(_ input: [String]) {
        let (status, output, _) = Self.run(input)
        #expect(status == 1)
        #expect(output.isEmpty)
    }

    @Test func checkpointWaitsForEmitted() {
        var answered: [String] = []
        // Events 1..3 each cause an emit; only event 1's and event 3's are answered.
        let (_, output, handler) = Self.run([Self.hello, Self.event(1), Self.event(2), Self.event(3), Self.event(4, ["skip": true])]) { ref in
            answered.append(ref)
            return ref.hasPrefix("event-2") ? nil : .emitted(ref: ref, positions: [100])
        }
        #expect(Self.checkpoints(output) == [1])
        #expect(handler.emitted.count == 2)
        #expect(answered.count == 3)
    }

    @Test func checkpointAdvancesWhenTheLastAnswerArrives() {
        let input = [Self.hello, Self.event(1), Self.event(2, ["skip": true]), #"{"type":"caught_up","position":9}"#,
                     #"{"type":"emitted","ref":"event-1#1","positions":[10]}"#]
        let (_, output, _) = Self.run(input)
        #expect(Self.checkpoints(output) == [9])
    }

    @Test func rejectedEmitIsLoggedAndPassed() {
        let (_, output, handler) = Self.run([Self.hello, Self.event(1)]) { .rejected(ref: $0, error: "conflict") }
        #expect(handler.rejected.count == 1)
        #expect(Self.checkpoints(output) == [1])
        #expect(output.contains { if case .log(.error, let m) = $0 { return m.contains("conflict") } else { return false } })
    }

    @Test func webhookAckWaitsForEmitted() {
        let hook = DaemonMessage.webhook(Webhook(id: "w1", headers: [:], body: [])).line
        let (_, unanswered, _) = Self.run([Self.hello, hook])
        #expect(!unanswered.contains { if case .ack = $0 { return true } else { return false } })

        let (_, output, _) = Self.run([Self.hello, hook]) { .emitted(ref: $0, positions: [5]) }
        guard output.count == 3, case .emit = output[1] else { Issue.record("\(output)"); return }
        #expect(output[2] == .ack(WebhookAck(webhook: "w1", status: 202)))

        let (_, failed, _) = Self.run([Self.hello, hook]) { .rejected(ref: $0, error: "id conflict") }
        #expect(failed.last == .ack(WebhookAck(webhook: "w1", status: 500, error: "the events could not be stored: id conflict")))
    }

    @Test func refusedWebhookIsAckedAtOnce() {
        let hook = DaemonMessage.webhook(Webhook(id: "w2", headers: ["Refuse": "1"], body: [])).line
        let (_, output, _) = Self.run([Self.hello, hook])
        #expect(output.last == .ack(WebhookAck(webhook: "w2", status: 403, error: "no")))
    }

    @Test func badLinesAreLoggedNotFatal() {
        let input = [Self.hello, "{oops", #"{"type":"launch"}"#, #"{"type":"emitted","ref":"nobody","positions":[]}"#, "", Self.event(1, ["boom": true]),
                     Self.event(2, ["invalid": true]), #"{"type":"caught_up","position":2}"#]
        let (status, output, _) = Self.run(input)
        #expect(status == 0)
        let logs = output.compactMap { if case .log(_, let m) = $0 { return m } else { return nil } }
        #expect(logs.count == 5)
        #expect(logs[0].hasPrefix("line 2: not a JSON line"))
        #expect(logs[1].contains("unknown message type \"launch\""))
        #expect(logs[2].contains("unknown emit \"nobody\""))
        #expect(logs[3].contains("position 1") && logs[3].contains("boom"))
        #expect(logs[4].contains("data.ticket"))
        #expect(!output.contains { if case .emit = $0 { return true } else { return false } })
        #expect(Self.checkpoints(output) == [1, 2])
    }
}
