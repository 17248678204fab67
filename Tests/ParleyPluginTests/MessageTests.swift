import Testing
import ParleyModel
import ParleyPluginProtocol

@Suite struct MessageTests {
    static let time = try! Instant(rfc3339: "2026-03-02T09:15:00Z")

    static let stored = Event(
        position: 7, version: 2, recorded: time.adding(seconds: 1), id: "gh:issue_comment:1009", stream: "ticket:gh-42",
        type: "ticket.replied", time: time, source: "github", data: ["ticket": "gh-42", "by": "octocat", "staff": true],
        meta: ["correlation": "gh-42"]
    )

    static let daemonMessages: [DaemonMessage] = [
        .hello(DaemonHello(name: "github", checkpoint: 41, config: ["ideas_category": "Ideas", "n": 3])),
        .event(stored),
        .caughtUp(position: 99),
        .webhook(Webhook(id: "w-1", headers: ["X-GitHub-Event": "issues"], body: Array("{\"a\":1}\n\u{0}ü".utf8))),
        .webhook(Webhook(id: "w-2", headers: [:], body: [])),
        .tick(now: time),
        .emitted(ref: "r1", positions: [8, 9]),
        .rejected(ref: "r2", error: "event 0: field \"data.ticket\" is required for ticket.opened"),
    ]

    static let pluginMessages: [PluginMessage] = [
        .hello(PluginHello(subscribe: ["ticket.*", "comment.posted"], tickSeconds: 60)),
        .hello(PluginHello()),
        .emit(ref: "r1", events: [
            NewEvent(id: "x:1", stream: "ticket:t1", type: "ticket.opened", time: time, source: "triage",
                     expectedVersion: 0, data: ["ticket": "t1", "member": "m1"], meta: ["causation": "c1"]),
            NewEvent(stream: "custom:1", type: "custom.thing", time: time, source: "triage", data: ["n": 1.5]),
        ]),
        .ack(WebhookAck(webhook: "w-1")),
        .ack(WebhookAck(webhook: "w-2", status: 401, error: "bad signature")),
        .checkpoint(position: 12),
        .log(level: .warning, message: "line 3: \"quoted\"\nnext"),
    ]

    @Test(arguments: daemonMessages)
    func daemonMessageRoundTrip(_ message: DaemonMessage) throws {
        let line = message.line
        #expect(!line.contains("\n"))
        #expect(try DaemonMessage(line: line) == message)
        #expect(try DaemonMessage(line: line + "\n") == message)
    }

    @Test(arguments: pluginMessages)
    func pluginMessageRoundTrip(_ message: PluginMessage) throws {
        let line = message.line
        #expect(!line.contains("\n"))
        #expect(try PluginMessage(line: line) == message)
    }

    @Test func wireShapesMatchTheSpec() throws {
        #expect(DaemonMessage.caughtUp(position: 5).line == #"{"position":5,"type":"caught_up"}"#)
        #expect(DaemonMessage.webhook(Webhook(id: "w", headers: ["h": "v"], body: Array("hi".utf8))).line
            == #"{"body":"aGk=","headers":{"h":"v"},"id":"w","type":"webhook"}"#)
        #expect(PluginMessage.ack(WebhookAck(webhook: "w")).line == #"{"status":202,"type":"ack","webhook":"w"}"#)
        #expect(PluginMessage.hello(PluginHello(subscribe: ["a.*"], tickSeconds: 60)).line
            == #"{"protocol":1,"subscribe":["a.*"],"tick_s":60,"type":"hello"}"#)
        let event = try #require(DaemonMessage.event(Self.stored).json["event"])
        #expect(event["position"] == 7 && event["version"] == 2 && event["recorded"] == "2026-03-02T09:15:01Z")
    }

    @Test func defaultsOfOptionalFields() throws {
        #expect(try PluginMessage(line: #"{"type":"ack","webhook":"w"}"#) == .ack(WebhookAck(webhook: "w", status: 202)))
        #expect(try PluginMessage(line: #"{"type":"log","message":"m"}"#) == .log(level: .info, message: "m"))
        #expect(try PluginMessage(line: #"{"type":"hello","protocol":1}"#) == .hello(PluginHello()))
        #expect(try DaemonMessage(line: #"{"type":"hello","protocol":1,"name":"n"}"#) == .hello(DaemonHello(name: "n", checkpoint: 0)))
        let headers = try DaemonMessage(line: #"{"type":"webhook","id":"w","headers":{"Accept":["a","b"]},"body":""}"#)
        #expect(headers == .webhook(Webhook(id: "w", headers: ["Accept": "a, b"], body: [])))
    }

    @Test func emitGivesTheDefaultSource() throws {
        let line = #"{"type":"emit","ref":"r","events":[{"stream":"member:m","type":"member.joined","time":"2026-03-02T09:15:00Z","data":{"member":"m"}}]}"#
        guard case .emit(_, let events) = try PluginMessage(line: line, defaultSource: "github") else {
            Issue.record("not an emit"); return
        }
        #expect(events.first?.source == "github")
        guard case .emit(_, let plain) = try PluginMessage(line: line) else { return }
        #expect(plain.first?.source == "api")
    }

    @Test func webhookHeadersAreCaseInsensitive() {
        let hook = Webhook(id: "w", headers: ["x-github-event": "ping"], body: [])
        #expect(hook.header("X-GitHub-Event") == "ping")
        #expect(hook.header("X-Other") == nil)
    }

    @Test func logLevelsGoByTheirUsualNamesInAnyCase() throws {
        for (name, level) in [("warn", PluginLogLevel.warning), ("WARNING", .warning), ("err", .error), ("fatal", .critical), ("Info", .info)] {
            #expect(try PluginMessage(line: "{\"type\":\"log\",\"level\":\"\(name)\",\"message\":\"m\"}") == .log(level: level, message: "m"))
        }
    }

    @Test(arguments: [
        ("", PluginProtocolError.Code.malformedLine, "not a JSON line"),
        ("{\"type\":\"hello\"", .malformedLine, "not a JSON line"),
        ("[1,2]", .malformedLine, "must be a JSON object, got an array"),
        ("{\"protocol\":1}", .missingField, "\"type\""),
        ("{\"type\":7}", .wrongFieldType, "\"type\" must be a string"),
        ("{\"type\":\"launch\"}", .unknownMessageType, "unknown message type \"launch\""),
        ("{\"type\":\"emit\",\"events\":[]}", .missingField, "message \"emit\": field \"ref\" is required"),
        ("{\"type\":\"emit\",\"ref\":\"r\",\"events\":{}}", .wrongFieldType, "field \"events\" must be an array"),
        ("{\"type\":\"emit\",\"ref\":\"r\",\"events\":[{\"stream\":\"s\",\"type\":\"ticket.opened\",\"time\":\"2026-03-02T09:15:00Z\",\"data\":{}}]}",
         .invalidEvent, "event 0: field \"data.ticket\" is required for ticket.opened"),
        ("{\"type\":\"hello\",\"protocol\":2}", .unsupportedProtocol, "protocol version 2 is not supported"),
        ("{\"type\":\"hello\",\"protocol\":1,\"subscribe\":[\"*.opened\"]}", .invalidValue, "may hold `*` only at its end"),
        ("{\"type\":\"hello\",\"protocol\":1,\"tick_s\":0}", .invalidValue, "\"tick_s\" must be at least 1"),
        ("{\"type\":\"ack\",\"webhook\":\"w\",\"status\":42}", .invalidValue, "HTTP status"),
        ("{\"type\":\"checkpoint\",\"position\":-1}", .invalidValue, "position ≥ 0"),
        ("{\"type\":\"checkpoint\",\"position\":\"3\"}", .wrongFieldType, "must be an integer"),
        ("{\"type\":\"log\",\"level\":\"loud\",\"message\":\"m\"}", .invalidValue, "level \"loud\""),
    ])
    func malformedPluginLines(_ line: String, _ code: PluginProtocolError.Code, _ fragment: String) {
        #expect {
            _ = try PluginMessage(line: line)
        } throws: { error in
            guard let error = error as? PluginProtocolError else { return false }
            return error.code == code && error.message.contains(fragment)
        }
    }

    @Test(arguments: [
        ("{\"type\":\"ack\",\"webhook\":\"w\"}", PluginProtocolError.Code.unknownMessageType, "from the daemon"),
        ("{\"type\":\"hello\",\"protocol\":3,\"name\":\"n\"}", .unsupportedProtocol, "protocol version 3"),
        ("{\"type\":\"hello\",\"protocol\":\"1\",\"name\":\"n\"}", .wrongFieldType, "\"protocol\" must be an integer"),
        ("{\"type\":\"webhook\",\"id\":\"w\",\"body\":\"%%%\"}", .invalidValue, "not valid base64"),
        ("{\"type\":\"webhook\",\"id\":\"w\",\"headers\":{\"a\":1}}", .wrongFieldType, "header \"a\""),
        ("{\"type\":\"event\",\"event\":{\"stream\":\"s\",\"type\":\"x\",\"time\":\"2026-03-02T09:15:00Z\",\"data\":{}}}", .missingField, "event.position"),
        ("{\"type\":\"event\",\"event\":{\"position\":1,\"stream\":\"s\",\"type\":\"x\",\"time\":\"yesterday\",\"data\":{}}}", .invalidEvent, "\"time\""),
        ("{\"type\":\"tick\",\"now\":\"noon\"}", .invalidValue, "\"now\""),
        ("{\"type\":\"emitted\",\"ref\":\"r\",\"positions\":[1,\"2\"]}", .wrongFieldType, "positions[1]"),
    ])
    func malformedDaemonLines(_ line: String, _ code: PluginProtocolError.Code, _ fragment: String) {
        #expect {
            _ = try DaemonMessage(line: line)
        } throws: { error in
            guard let error = error as? PluginProtocolError else { return false }
            return error.code == code && error.message.contains(fragment)
        }
    }

    @Test func subscriptionMatching() {
        let s = Subscription(["ticket.*", "comment.posted"])
        #expect(s.matches("ticket.opened"))
        #expect(s.matches("ticket.resolved"))
        #expect(s.matches("comment.posted"))
        #expect(!s.matches("comment.posted2") && !s.matches("idea.proposed") && !s.matches("ticket"))
        #expect(Subscription(["*"]).matches("anything.at_all"))
        #expect(!Subscription([]).matches("ticket.opened"))
        #expect(!Subscription(["tick*et"]).matches("ticket"))
        #expect(Subscription.problem(with: "Ticket.*") != nil)
        #expect(Subscription.problem(with: "ticket.*") == nil)
    }
}
