import ParleyModel
import ParleyPluginProtocol

/// Maps GitHub webhook payloads to Parley events. Pure: the same payload always gives the same
/// events with the same ids, so a redelivered webhook appends nothing new.
///
/// Keys: a ticket or idea is `gh-<owner>/<repo>-<number>` (issues and discussions share GitHub's
/// numbering), on stream `ticket:<key>` or `idea:<key>`; comments are posted on `post:<key>`;
/// members are `gh:<login>`.
struct GitHubMapping {
    /// The plugin's settings.
    let config: GitHubConfig

    /// The events for a webhook of kind `kind` (the `X-GitHub-Event` header); none for kinds
    /// and actions that mean nothing to Parley (`ping`, `issues labeled`, …).
    ///
    /// - Throws: ``PluginProtocolError`` naming a payload field that is missing or malformed.
    func events(kind: String, payload p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let action = p.optionalString("action") ?? ""
        switch (kind, action) {
        case ("issues", "opened"): return try issueOpened(p)
        case ("issues", "closed"): return try issueClosed(p)
        case ("issues", "reopened"): return try issueReopened(p)
        case ("issue_comment", "created"): return try issueCommentCreated(p)
        case ("discussion", "created"): return try discussionCreated(p)
        case ("discussion", "answered"): return try discussionAnswered(p)
        case ("discussion", "unanswered"): return try discussionUnanswered(p)
        case ("discussion_comment", "created"): return try discussionCommentCreated(p)
        case ("star", "created"): return try memberJoined(p, via: "star", time: try p.instant("starred_at"))
        case ("watch", "started"): return try memberJoined(p, via: "watch", time: try p.instant("repository.updated_at"))
        default: return []
        }
    }

    /// The key of issue or discussion `number` in the payload's repository.
    func key(_ p: Payload, number path: String) throws(PluginProtocolError) -> String {
        "gh-\(try p.string("repository.full_name"))-\(try p.integer(path))"
    }

    func member(_ login: String) -> String { "gh:\(login)" }

    func event(
        id: String, stream: String, type: String, time: Instant, data: [String: JSONValue?]
    ) -> NewEvent {
        NewEvent(
            id: id, stream: stream, type: type, time: time, source: config.source,
            data: JSONObject(data.compactMapValues { $0 }), meta: [:]
        )
    }

    /// Whether a comment's author (its `author_association`) speaks for the brand: an owner,
    /// member or collaborator of the repository.
    func isStaff(_ p: Payload, comment path: String) -> Bool {
        ["OWNER", "MEMBER", "COLLABORATOR"].contains(p.optionalString("\(path).author_association") ?? "NONE")
    }

    /// A reply to ticket `key` by the comment at `path` (`by` its author, `staff` per
    /// ``isStaff(_:comment:)``), with the id of the comment's event and `:replied`.
    func ticketReplied(_ p: Payload, key: String, comment path: String, commentEventID: String) throws(PluginProtocolError) -> NewEvent {
        event(
            id: "\(commentEventID):replied", stream: "ticket:\(key)", type: "ticket.replied", time: try p.instant("\(path).created_at"),
            data: ["ticket": .string(key), "by": .string(member(try p.string("\(path).user.login"))),
                   "staff": .bool(isStaff(p, comment: path)), "public": true]
        )
    }

    /// Whether the payload's issue carries an idea label.
    func isIdea(_ p: Payload) -> Bool {
        config.isIdea(labels: p.array("issue.labels").compactMap { $0.optionalString("name") })
    }

    private func issueOpened(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let key = try key(p, number: "issue.number")
        let issueID = try p.integer("issue.id")
        let author = try p.has("issue.user.login") ? p.string("issue.user.login") : p.string("sender.login")
        let time = try p.instant("issue.created_at")
        let title = try p.string("issue.title")
        let url = p.optionalString("issue.html_url")
        if isIdea(p) {
            return [event(
                id: "gh:issues:\(issueID):opened", stream: "idea:\(key)", type: "idea.proposed", time: time,
                data: ["idea": .string(key), "author": .string(member(author)), "title": .string(title),
                       "ref": url.map(JSONValue.string), "text": p.optionalString("issue.body").map(JSONValue.string)]
            )]
        }
        return [event(
            id: "gh:issues:\(issueID):opened", stream: "ticket:\(key)", type: "ticket.opened", time: time,
            data: ["ticket": .string(key), "member": .string(member(author)), "origin": "other",
                   "ref": url.map(JSONValue.string), "subject": .string(title), "channel": "github"]
        )]
    }

    private func issueClosed(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard !isIdea(p) else { return [] }
        let key = try key(p, number: "issue.number")
        let stamp = p.has("issue.closed_at") ? "issue.closed_at" : "issue.updated_at"
        let time = try p.instant(stamp)
        return [event(
            id: "gh:issues:\(try p.integer("issue.id")):closed:\(time.rfc3339)", stream: "ticket:\(key)",
            type: "ticket.resolved", time: time,
            data: ["ticket": .string(key), "by": p.optionalString("sender.login").map { .string(member($0)) },
                   "resolution": p.optionalString("issue.state_reason").map(JSONValue.string)]
        )]
    }

    private func issueReopened(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard !isIdea(p) else { return [] }
        return [try ticketReopened(p, subject: "issue", id: "gh:issues:\(try p.integer("issue.id")):reopened")]
    }

    /// The ticket of the payload's `subject` (`issue` or `discussion`) reopened by the sender,
    /// at the subject's `updated_at` (the payload has no time of its own for it), with the id
    /// `<id>:<time>`.
    func ticketReopened(_ p: Payload, subject: String, id: String) throws(PluginProtocolError) -> NewEvent {
        let key = try key(p, number: "\(subject).number")
        let time = try p.instant("\(subject).updated_at")
        return event(
            id: "\(id):\(time.rfc3339)", stream: "ticket:\(key)", type: "ticket.reopened", time: time,
            data: ["ticket": .string(key), "by": p.optionalString("sender.login").map { .string(member($0)) }]
        )
    }

    /// A comment on an issue: `comment.posted`, and `ticket.replied` unless the issue is a pull
    /// request or an idea. `staff` is whether the author is an owner, member or collaborator.
    private func issueCommentCreated(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let key = try key(p, number: "issue.number")
        let commentID = try p.integer("comment.id")
        let author = member(try p.string("comment.user.login"))
        let time = try p.instant("comment.created_at")
        var events = [event(
            id: "gh:issue_comment:\(commentID)", stream: "post:\(key)", type: "comment.posted", time: time,
            data: ["comment": .string("gh-comment-\(commentID)"), "post": .string(key), "author": .string(author),
                   "text": p.optionalString("comment.body").map(JSONValue.string)]
        )]
        if !p.has("issue.pull_request") && !isIdea(p) {
            events.append(try ticketReplied(p, key: key, comment: "comment", commentEventID: "gh:issue_comment:\(commentID)"))
        }
        return events
    }
}
