import Testing
import ParleyModel
import ParleyPluginProtocol
@testable import ParleyPluginTriage

/// Drives the real `parley-plugin-triage` executable with `comment.posted` events, and checks
/// its classifier directly.
@Suite struct TriagePluginTests {
    static let start = try! Instant(rfc3339: "2026-03-02T09:00:00Z")

    static func comment(_ position: UInt64, by author: String, _ text: String, at seconds: Double = 0, source: String = "telegram") -> Event {
        Event(
            position: position, version: 1, recorded: start, id: "tg:message:c\(position)", stream: "post:p1", type: "comment.posted",
            time: start.adding(seconds: seconds == 0 ? Double(position) * 600 : seconds), source: source,
            data: ["comment": .string("c\(position)"), "post": "p1", "author": .string(author), "text": .string(text)], meta: [:]
        )
    }

    static func started(_ config: JSONObject = [:]) throws -> PluginProcess {
        let (plugin, hello) = try PluginProcess.started("triage", config: config)
        #expect(hello.subscribe == ["comment.posted"])
        #expect(hello.subscription.matches("comment.posted") && !hello.subscription.matches("ticket.opened"))
        return plugin
    }

    static let multilingual: [(String, CommentClass)] = [
        ("How do I reset my password?", .question),
        ("The app doesn't work after the update, this is terrible", .complaint),
        ("It would be great if you added a dark mode", .suggestion),
        ("Love it, thanks!", .other),
        ("Подскажите, где найти настройки?", .question),
        ("Оплата не работает, верните деньги", .complaint),
        ("Предлагаю добавить тёмную тему", .suggestion),
        ("Şifremi nasıl değiştirebilirim?", .question),
        ("Uygulama çalışmıyor, berbat bir deneyim", .complaint),
        ("Karanlık mod eklerseniz çok iyi olur, önerim bu", .suggestion),
        // Capitals: Swift lowercases I to i and İ to i with a combining dot, as no Turk would.
        ("UYGULAMA ÇALIŞMIYOR", .complaint),
        ("İADE istiyorum", .complaint),
        ("איך אני משנה את הסיסמה?", .question),
        ("האפליקציה לא עובדת מאז העדכון, תקלה חמורה", .complaint),
        ("הצעה: תוסיפו מצב לילה", .suggestion),
        ("תודה רבה", .other),
    ]

    @Test(arguments: multilingual)
    func classifier(_ text: String, _ expected: CommentClass) {
        #expect(CommentClassifier().classify(text) == expected)
    }

    @Test func classifierKeywordsStartAtWordBoundaries() {
        let classifier = CommentClassifier()
        #expect(classifier.classify("I love debugging tools") == .other)
        #expect(classifier.classify("found a bug") == .complaint)
        let custom = CommentClassifier(extra: [.complaint: ["meh"]], builtIn: false, stopWords: ["Casino"])
        #expect(custom.classify("meh, it's slow") == .complaint)
        #expect(custom.classify("how do I log in") == .other)
        #expect(custom.stopWord(in: "best CASINO bonus") == "casino")
    }

    @Test func aTicketsSubjectIsTheFirstLineThatIsNotBlank() {
        #expect(TriageHandler.summary("   \n  Why is this slow?\nmore", limit: 80) == "Why is this slow?")
        #expect(TriageHandler.summary(" \n\t", limit: 80) == "(no text)")
    }

    @Test func commentsInFourLanguagesBecomeTicketsAndIdeas() throws {
        let plugin = try Self.started()
        let events = Self.multilingual.enumerated().map { i, sample in Self.comment(UInt64(i + 1), by: "m\(i)", sample.0) }
        let result = try plugin.deliver(events)
        #expect(result.emits == Self.multilingual.filter { $0.1 != .other }.count)
        for (i, sample) in Self.multilingual.enumerated() {
            let comment = "c\(i + 1)"
            let caused = result.events.filter { $0.data["ref"] == .string(comment) }
            switch sample.1 {
            case .question, .complaint:
                #expect(caused.map(\.type) == ["ticket.opened"], "\(sample.0)")
                let ticket = try #require(caused.first)
                #expect(ticket.id == "triage:\(comment):ticket" && ticket.stream == "ticket:triage-\(comment)")
                #expect(ticket.data["origin"] == "comment" && ticket.data["member"] == .string("m\(i)"))
                #expect(ticket.data["classification"] == .string(sample.1.rawValue))
                #expect(ticket.time == events[i].time && ticket.source == "triage")
            case .suggestion:
                #expect(caused.map(\.type) == ["idea.proposed"], "\(sample.0)")
                let idea = try #require(caused.first)
                #expect(idea.id == "triage:\(comment):idea" && idea.data["author"] == .string("m\(i)"))
                #expect(idea.data["title"] == .string(sample.0))
            case .other:
                #expect(caused.isEmpty, "\(sample.0)")
            }
        }
        #expect(!result.types.contains("moderation.actioned"))
    }

    @Test func stopWordsAreFlagged() throws {
        let plugin = try Self.started(["stop_words": ["casino", "казино"]])
        let result = try plugin.deliver([
            Self.comment(1, by: "spammer", "Best CASINO bonus here"),
            Self.comment(2, by: "spammer2", "Лучшее казино!"),
            Self.comment(3, by: "fan", "Nice post"),
        ])
        #expect(result.types == ["moderation.flagged", "moderation.flagged"])
        let flag = try #require(result.events.first)
        #expect(flag.id == "triage:c1:stop_word")
        #expect(flag.data == ["target": "c1", "member": "spammer", "reason": "stop_word", "by": "triage", "rule": "casino"])
        #expect(result.events[1].data["rule"] == "казино")
    }

    @Test func floodsAreFlaggedByEventTime() throws {
        let plugin = try Self.started(["rate_limit": ["count": 3, "seconds": 60]])
        // Five comments by one member within 40 s, one by another, then one much later.
        let burst = (1...5).map { Self.comment(UInt64($0), by: "fast", "hi \($0)", at: Double($0) * 10) }
        let result = try plugin.deliver(burst + [Self.comment(6, by: "calm", "hello", at: 45), Self.comment(7, by: "fast", "back", at: 500)])
        #expect(result.types == ["moderation.flagged", "moderation.flagged"])
        #expect(result.ids == ["triage:c4:rate_limit", "triage:c5:rate_limit"])
        #expect(result.events.allSatisfy { $0.data["reason"] == "rate_limit" && $0.data["member"] == "fast" })
    }

    @Test func replayEmitsTheSameIds() throws {
        let events = [
            Self.comment(1, by: "a", "Why is my order late?"),
            Self.comment(2, by: "b", "Please add Apple Pay"),
            Self.comment(3, by: "c", "casino casino"),
        ]
        let first = try Self.started(["stop_words": ["casino"]]).deliver(events)
        let second = try Self.started(["stop_words": ["casino"]]).deliver(events)
        #expect(first.ids == ["triage:c1:ticket", "triage:c2:idea", "triage:c3:stop_word"])
        #expect(first.events == second.events)
    }

    @Test func checkpointsFollowAnsweredEmits() throws {
        let plugin = try Self.started()
        let result = try plugin.deliver([Self.comment(1, by: "a", "Why?"), Self.comment(2, by: "b", "ok")])
        #expect(result.emits == 1)
        plugin.send(.caughtUp(position: 5))
        #expect(try plugin.receiveSkippingLogs() == .checkpoint(position: 5))
    }

    @Test func brandCommentsAndOtherSourcesAreLeftAlone() throws {
        let plugin = try Self.started(["sources": ["telegram"]])
        let result = try plugin.deliver([
            Self.comment(1, by: "brand", "How can we help?"),
            Self.comment(2, by: "x", "How do I pay?", source: "github"),
            Self.comment(3, by: "y", "How do I pay?"),
        ])
        #expect(result.ids == ["triage:c3:ticket"])
    }

    @Test func badConfigStopsThePlugin() throws {
        let plugin = try PluginProcess("triage")
        plugin.send(.hello(DaemonHello(name: "triage", checkpoint: 0, config: ["rate_limit": ["count": "five"]])))
        let (status, stderr) = plugin.finish()
        #expect(status == 1)
        #expect(stderr.contains("config key \"count\" must be an integer"))
    }
}
