import Foundation
import ParleyModel
import ParleyPluginProtocol

/// The triage plugin: for every `comment.posted`, a ticket for a question or complaint, an idea
/// for a suggestion, and moderation flags for stop words and floods. It never hides or deletes
/// anything; moderators act on the flags.
///
/// Ids are `triage:<comment>:<ticket|idea|stop_word|rate_limit>`, so a replay emits nothing twice.
struct TriageHandler: PluginHandler {
    private var config = TriageConfig()
    private var limiter = RateLimiter(limit: 5, window: 60)

    init() {}

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        config = try TriageConfig(config: PluginConfig(hello.config), source: context.source(or: "triage"))
        limiter = RateLimiter(limit: Int(config.rateLimitCount), window: Double(config.rateLimitSeconds))
        return PluginHello(subscribe: ["comment.posted"])
    }

    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] {
        guard event.type == "comment.posted" else { return [] }
        guard config.sources.isEmpty || config.sources.contains(event.source) else { return [] }
        let data = Payload(.object(event.data))
        let comment = try data.string("comment")
        let author = try data.string("author")
        guard author != "brand" else { return [] }
        let text = data.optionalString("text") ?? ""
        let meta: JSONObject = event.id.isEmpty ? [:] : ["causation": .string(event.id)]
        func make(_ suffix: String, stream: String, type: String, _ fields: [String: JSONValue?]) -> NewEvent {
            NewEvent(
                id: "triage:\(comment):\(suffix)", stream: stream, type: type, time: event.time, source: config.source,
                data: JSONObject(fields.compactMapValues { $0 }), meta: meta
            )
        }
        var events: [NewEvent] = []
        let key = "triage-\(comment)"
        let kind = text.isEmpty ? .other : config.classifier.classify(text)
        switch kind {
        case .question, .complaint:
            events.append(make("ticket", stream: "ticket:\(key)", type: "ticket.opened", [
                "ticket": .string(key), "member": .string(author), "origin": "comment", "ref": .string(comment),
                "subject": .string(Self.summary(text, limit: 120)), "priority": kind == .complaint ? "high" : "normal",
                "classification": .string(kind.rawValue),
            ]))
        case .suggestion:
            events.append(make("idea", stream: "idea:\(key)", type: "idea.proposed", [
                "idea": .string(key), "author": .string(author), "title": .string(Self.summary(text, limit: 80)),
                "ref": .string(comment), "text": .string(text),
            ]))
        case .other:
            break
        }
        if let word = config.classifier.stopWord(in: text) {
            events.append(make("stop_word", stream: "member:\(author)", type: "moderation.flagged", [
                "target": .string(comment), "member": .string(author), "reason": "stop_word",
                "by": .string(config.source), "rule": .string(word),
            ]))
        }
        if limiter.record(member: author, at: event.time) {
            let rule = "more than \(config.rateLimitCount) comments in \(config.rateLimitSeconds) s"
            events.append(make("rate_limit", stream: "member:\(author)", type: "moderation.flagged", [
                "target": .string(comment), "member": .string(author), "reason": "rate_limit",
                "by": .string(config.source), "rule": .string(rule),
            ]))
        }
        return events
    }

    /// The first line of `text` that is not blank, cut to `limit` characters with an ellipsis.
    static func summary(_ text: String, limit: Int) -> String {
        let trimmed = text.split(whereSeparator: \.isNewline).lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty } ?? ""
        return trimmed.count > limit ? String(trimmed.prefix(limit - 1)) + "…" : (trimmed.isEmpty ? "(no text)" : trimmed)
    }
}
