/// The event types the built-in views read, and the `data` each must carry (`events.md`).
///
/// Types outside the table are stored and replayed unchanged. An optional field given as `null`
/// is the same as absent; extra fields are kept.
public enum Vocabulary {
    /// What a field must hold.
    enum Kind: Sendable {
        /// Identifiers and names the views compare and sort.
        case string
        /// Descriptive fields whose JSON type the spec leaves open (a poll option may be a
        /// number, a priority a word or a rank): kept as given.
        case any
        case bool
        case oneOf(Set<String>)
        case integer(ClosedRange<Int64>)
        case strings
        case object
    }

    struct Field: Sendable {
        var name: String
        var kind: Kind
        var required: Bool
    }

    static let roles: Kind = .oneOf(["expert", "moderator"])

    static func req(_ name: String, _ kind: Kind = .string) -> Field { Field(name: name, kind: kind, required: true) }
    static func opt(_ name: String, _ kind: Kind = .string) -> Field { Field(name: name, kind: kind, required: false) }
    static func free(_ name: String) -> Field { Field(name: name, kind: .any, required: false) }

    static let table: [String: [Field]] = [
        "member.joined": [req("member"), free("handle"), free("platform")],
        "member.role_assigned": [req("member"), req("role", roles), opt("by")],
        "member.role_revoked": [req("member"), req("role", roles), opt("by")],
        "post.published": [
            req("post"), req("author"), req("kind", .oneOf(["engaging", "educational", "promotional", "ugc"])),
            free("channel"), opt("format", .oneOf(["text", "image", "video", "carousel", "poll", "story", "live"])),
            opt("next_step", .oneOf(["poll", "form", "thread", "faq", "event", "none"])),
            opt("ad_label", .bool), opt("captions", .bool), opt("links", .strings), free("text"),
        ],
        "comment.posted": [req("comment"), req("post"), req("author"), free("text"), opt("reply_to")],
        "reaction.added": [req("target"), req("member"), free("reaction")],
        "reaction.removed": [req("target"), req("member"), free("reaction")],
        "post.shared": [req("post"), req("member")],
        "post.saved": [req("post"), req("member")],
        "poll.voted": [req("post"), req("member"), Field(name: "option", kind: .any, required: true)],
        "moderation.flagged": [
            req("target"), req("member"),
            req("reason", .oneOf(["toxic", "spam", "offtopic", "rate_limit", "stop_word"])), opt("by"), free("rule"),
        ],
        "moderation.actioned": [
            req("target"), req("member"), req("action", .oneOf(["hide", "warn", "slow_mode", "mute", "ban"])),
            opt("by"), free("until"),
        ],
        "ticket.opened": [
            req("ticket"), req("member"), opt("origin", .oneOf(["comment", "mention", "dm", "email", "other"])),
            free("ref"), free("channel"), free("subject"), free("priority"),
        ],
        "ticket.replied": [req("ticket"), req("by"), req("staff", .bool), opt("public", .bool), free("text")],
        "ticket.escalated": [req("ticket"), req("team"), opt("by"), free("reason")],
        "ticket.resolved": [req("ticket"), opt("by"), free("resolution")],
        "ticket.reopened": [req("ticket"), opt("by")],
        "idea.proposed": [req("idea"), req("author"), req("title"), free("ref"), free("text")],
        "idea.voted": [req("idea"), req("member")],
        "idea.unvoted": [req("idea"), req("member")],
        "idea.estimated": [req("idea"), req("impact", .integer(1...5)), req("cost", .integer(1...5)), opt("by")],
        "idea.status_changed": [
            req("idea"),
            req("status", .oneOf(["open", "under_review", "planned", "in_progress", "shipped", "declined"])),
            opt("by"), free("note"),
        ],
        "idea.merged": [req("idea"), req("into"), opt("by")],
        "announcement.published": [
            req("announcement"), req("ideas", .strings), req("notified", .strings), free("title"), opt("post"),
        ],
        "policy.set": [req("name", .oneOf(["sla", "community", "content", "product"])), req("value", .object)],
    ]

    /// Whether the built-in views know `type`.
    public static func isKnown(_ type: String) -> Bool { table[type] != nil }

    /// Checks `data` against the vocabulary entry of `type`; unknown types pass.
    ///
    /// - Throws: ``EventValidationError`` naming `data.<field>`.
    public static func validate(type: String, data: JSONObject) throws(EventValidationError) {
        guard let fields = table[type] else { return }
        for field in fields {
            // Named only on failure: formatting it for every field costs more than the check.
            var path: String { "data.\(field.name)" }
            guard let value = data[field.name], !value.isNull else {
                if field.required { throw EventValidationError(field: path, "is required for \(type)") }
                continue
            }
            switch field.kind {
            case .any:
                continue
            case .string:
                guard value.stringValue != nil else {
                    throw EventValidationError(field: path, "must be a string, got \(value.typeName)")
                }
            case .bool:
                guard value.boolValue != nil else {
                    throw EventValidationError(field: path, "must be a boolean, got \(value.typeName)")
                }
            case .object:
                guard value.objectValue != nil else {
                    throw EventValidationError(field: path, "must be an object, got \(value.typeName)")
                }
            case .strings:
                guard let items = value.arrayValue else {
                    throw EventValidationError(field: path, "must be an array of strings, got \(value.typeName)")
                }
                for (i, item) in items.enumerated() where item.stringValue == nil {
                    throw EventValidationError(field: "\(path)[\(i)]", "must be a string, got \(item.typeName)")
                }
            case .oneOf(let allowed):
                guard let s = value.stringValue else {
                    throw EventValidationError(field: path, "must be a string, got \(value.typeName)")
                }
                guard allowed.contains(s) else {
                    let list = allowed.sorted().joined(separator: ", ")
                    throw EventValidationError(field: path, "must be one of \(list), got \"\(s)\"")
                }
            case .integer(let range):
                guard case .int(let i) = value, range.contains(i) else {
                    throw EventValidationError(field: path, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \(JSONWriter.string(value))")
                }
            }
        }
        if type == "policy.set", case .string(let name)? = data["name"], case .object(let value)? = data["value"] {
            try Policies.validate(name: name, value: value)
        }
    }
}
