import ParleyModel
import ParleyPluginProtocol

/// Discussions, their comments, stars and watchers.
extension GitHubMapping {
    /// Whether the payload's discussion is in the ideas category (``GitHubConfig/ideasCategory``).
    func isIdeaDiscussion(_ p: Payload) -> Bool {
        (p.optionalString("discussion.category.name") ?? "").lowercased() == config.ideasCategory.lowercased()
    }

    /// Whether the payload's discussion is a question: in a category whose discussions take an
    /// answer (GitHub's Q&A), other than the ideas category. Questions are support tickets.
    func isQuestion(_ p: Payload) -> Bool {
        p.value("discussion.category.is_answerable")?.boolValue == true && !isIdeaDiscussion(p)
    }

    /// A discussion in the ideas category proposes an idea; a question opens a ticket;
    /// discussions elsewhere map to nothing.
    func discussionCreated(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard isIdeaDiscussion(p) || isQuestion(p) else { return [] }
        let key = try key(p, number: "discussion.number")
        let id = "gh:discussion:\(try p.integer("discussion.id")):created"
        let time = try p.instant("discussion.created_at")
        let author = member(try p.string("discussion.user.login"))
        let title = try p.string("discussion.title")
        let url = p.optionalString("discussion.html_url").map(JSONValue.string)
        if isQuestion(p) {
            return [event(
                id: id, stream: "ticket:\(key)", type: "ticket.opened", time: time,
                data: ["ticket": .string(key), "member": .string(author), "origin": "other",
                       "ref": url, "subject": .string(title), "channel": "github"]
            )]
        }
        return [event(
            id: id, stream: "idea:\(key)", type: "idea.proposed", time: time,
            data: ["idea": .string(key), "author": .string(author), "title": .string(title),
                   "ref": url, "text": p.optionalString("discussion.body").map(JSONValue.string)]
        )]
    }

    /// A question's answer chosen: its ticket is resolved, by whoever chose the answer.
    func discussionAnswered(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard isQuestion(p) else { return [] }
        let key = try key(p, number: "discussion.number")
        let time = try p.instant(p.has("discussion.answer_chosen_at") ? "discussion.answer_chosen_at" : "discussion.updated_at")
        let by = p.optionalString("discussion.answer_chosen_by.login") ?? p.optionalString("sender.login")
        return [event(
            id: "gh:discussion:\(try p.integer("discussion.id")):answered:\(time.rfc3339)", stream: "ticket:\(key)",
            type: "ticket.resolved", time: time,
            data: ["ticket": .string(key), "by": by.map { .string(member($0)) }, "resolution": "answered"]
        )]
    }

    /// A question's answer unmarked: its ticket is open again.
    func discussionUnanswered(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard isQuestion(p) else { return [] }
        return [try ticketReopened(p, subject: "discussion", id: "gh:discussion:\(try p.integer("discussion.id")):unanswered")]
    }

    /// A comment in a discussion, `reply_to` its parent comment when it has one; in a question,
    /// also a reply to its ticket.
    func discussionCommentCreated(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let key = try key(p, number: "discussion.number")
        let commentID = try p.integer("comment.id")
        let id = "gh:discussion_comment:\(commentID)"
        var events = [event(
            id: id, stream: "post:\(key)", type: "comment.posted",
            time: try p.instant("comment.created_at"),
            data: ["comment": .string("gh-dcomment-\(commentID)"), "post": .string(key),
                   "author": .string(member(try p.string("comment.user.login"))),
                   "text": p.optionalString("comment.body").map(JSONValue.string),
                   "reply_to": p.optionalInteger("comment.parent_id").map { .string("gh-dcomment-\($0)") }]
        )]
        if isQuestion(p) { events.append(try ticketReplied(p, key: key, comment: "comment", commentEventID: id)) }
        return events
    }

    /// A star or a new watcher: the sender joins the community. The id carries the time, so
    /// that starring again later is a new fact, while a redelivery is the same one.
    func memberJoined(_ p: Payload, via kind: String, time: Instant) throws(PluginProtocolError) -> [NewEvent] {
        let login = try p.string("sender.login")
        let repositoryID = try p.integer("repository.id")
        let senderID = try p.integer("sender.id")
        return [event(
            id: "gh:\(kind):\(repositoryID):\(senderID):\(time.rfc3339)", stream: "member:\(member(login))",
            type: "member.joined", time: time,
            data: ["member": .string(member(login)), "handle": .string(login), "platform": "github"]
        )]
    }
}
