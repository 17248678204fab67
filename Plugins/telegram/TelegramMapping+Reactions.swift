import ParleyModel
import ParleyPluginProtocol

/// Reactions, poll answers and chat membership changes.
extension TelegramMapping {
    /// The reactions of `message_reaction` as a diff: one `reaction.added` for every reaction
    /// in `new_reaction` but not `old_reaction`, one `reaction.removed` for the reverse.
    func reactions(_ r: Payload, updateID: Int64) throws(PluginProtocolError) -> [NewEvent] {
        let chat = try r.integer("chat.id")
        let message = messageKey(chat: chat, message: try r.integer("message_id"))
        // A reaction to a channel post's copy in its discussion group is a reaction to the post.
        let discussed = discussions.post(discussedIn: message)
        let target = discussed?.key ?? message
        // An anonymous reaction names the chat it was made as (`actor_chat`), not a person.
        let who = try r.has("user.id")
            ? member(r.integer("user.id")) : acting(r.integer("actor_chat.id"), in: chat, channel: discussed?.channel)
        let time = try r.unixTime("date")
        let old = r.array("old_reaction").map(Self.reactionName)
        let new = r.array("new_reaction").map(Self.reactionName)
        var events: [NewEvent] = []
        for (type, names) in [("reaction.added", new.filter { !old.contains($0) }), ("reaction.removed", old.filter { !new.contains($0) })] {
            for name in names {
                events.append(event(
                    id: "tg:reaction:\(updateID):\(type == "reaction.added" ? "added" : "removed"):\(name)",
                    stream: "post:\(target)", type: type, time: time,
                    data: ["target": .string(target), "member": .string(who), "reaction": .string(name)]
                ))
            }
        }
        return events
    }

    /// A reaction as text: the emoji itself, `custom:<id>` for a custom emoji, `paid` for a star.
    static func reactionName(_ reaction: Payload) -> String {
        switch reaction.optionalString("type") {
        case "emoji": return reaction.optionalString("emoji") ?? "emoji"
        case "custom_emoji": return "custom:\(reaction.optionalString("custom_emoji_id") ?? "?")"
        case let other?: return other
        case nil: return "unknown"
        }
    }

    /// One `poll.voted` per chosen option; a retracted vote (no options) records nothing.
    func pollAnswer(_ a: Payload, time: Instant, updateID: Int64) throws(PluginProtocolError) -> [NewEvent] {
        let poll = "tg-poll-\(try a.string("poll_id"))"
        // An anonymous vote names the chat it was cast as (`voter_chat`), not a person.
        let who = try a.has("user.id") ? member(a.integer("user.id")) : acting(a.integer("voter_chat.id"), in: nil, channel: nil)
        var events: [NewEvent] = []
        for option in a.value("option_ids")?.arrayValue ?? [] {
            guard let index = option.intValue else {
                throw PluginProtocolError(.invalidValue, "payload field \"poll_answer.option_ids\" must hold integers")
            }
            events.append(event(
                id: "tg:poll_answer:\(updateID):\(index)", stream: "post:\(poll)", type: "poll.voted", time: time,
                data: ["post": .string(poll), "member": .string(who), "option": .string(String(index))]
            ))
        }
        return events
    }

    /// A member status change: someone who was out of the chat (left, kicked, or restricted and
    /// not a member) is now in it.
    func chatMember(_ c: Payload) throws(PluginProtocolError) -> [NewEvent] {
        guard let old = c.nested("old_chat_member"), let new = c.nested("new_chat_member") else { return [] }
        guard !Self.isIn(old), Self.isIn(new), new.value("user.is_bot")?.boolValue != true else { return [] }
        let user = try new.integer("user.id")
        let chat = try c.integer("chat.id")
        let date = try c.integer("date")
        return [memberJoined(user, handle: new.optionalString("user.username"), time: try c.unixTime("date"),
                             id: "tg:chat_member:\(chat):\(user):\(date)")]
    }

    static func isIn(_ member: Payload) -> Bool {
        switch member.optionalString("status") {
        case "creator", "administrator", "member": return true
        case "restricted": return member.value("is_member")?.boolValue == true
        default: return false
        }
    }
}
