import ParleyModel
import ParleyPluginProtocol

/// Discussions, their comments, stars and watchers.
extension GitHubMapping {
    /// A discussion in the ideas category (``GitHubConfig/ideasCategory``) proposes an idea;
    /// discussions elsewhere map to nothing.
    func discussionCreated(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let category = p.optionalString("discussion.category.name") ?? ""
        guard category.lowercased() == config.ideasCategory.lowercased() else { return [] }
        let key = try key(p, number: "discussion.number")
        return [event(
            id: "gh:discussion:\(try p.integer("discussion.id")):created", stream: "idea:\(key)", type: "idea.proposed",
            time: try p.instant("discussion.created_at"),
            data: ["idea": .string(key), "author": .string(member(try p.string("discussion.user.login"))),
                   "title": .string(try p.string("discussion.title")),
                   "ref": p.optionalString("discussion.html_url").map(JSONValue.string),
                   "text": p.optionalString("discussion.body").map(JSONValue.string)]
        )]
    }

    /// A comment in a discussion, `reply_to` its parent comment when it has one.
    func discussionCommentCreated(_ p: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let key = try key(p, number: "discussion.number")
        let commentID = try p.integer("comment.id")
        return [event(
            id: "gh:discussion_comment:\(commentID)", stream: "post:\(key)", type: "comment.posted",
            time: try p.instant("comment.created_at"),
            data: ["comment": .string("gh-dcomment-\(commentID)"), "post": .string(key),
                   "author": .string(member(try p.string("comment.user.login"))),
                   "text": p.optionalString("comment.body").map(JSONValue.string),
                   "reply_to": p.optionalInteger("comment.parent_id").map { .string("gh-dcomment-\($0)") }]
        )]
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
