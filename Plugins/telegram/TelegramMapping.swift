import ParleyModel
import ParleyPluginProtocol

/// Maps Telegram Bot API updates to Parley events.
///
/// Ids come from what Telegram numbers: messages are `tg-<chat id>-<message id>` (posts,
/// comments, tickets), reactions and poll answers use the `update_id`, members are
/// `tg:<user id>`. The same update therefore always gives the same ids.
struct TelegramMapping {
    /// The plugin's settings.
    var config: TelegramConfig
    /// The time of updates that carry none (poll answers).
    let clock: @Sendable () -> Instant
    /// Times given to poll answers, by update id, so that a retried update keeps its time.
    var pollAnswers = PollAnswerTimes()
    /// The channel posts under discussion, by their copy in the channel's discussion group.
    var discussions = DiscussionThreads()

    init(config: TelegramConfig, clock: @escaping @Sendable () -> Instant) {
        self.config = config
        self.clock = clock
    }

    /// The events for one update; none for the kinds Parley does not record.
    ///
    /// - Throws: ``PluginProtocolError`` naming a payload field that is missing or malformed.
    mutating func events(update u: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let updateID = try u.integer("update_id")
        if let post = u.nested("channel_post") { return try channelPost(post) }
        if let message = u.nested("message") { return try self.message(message) }
        if let reaction = u.nested("message_reaction") { return try reactions(reaction, updateID: updateID) }
        if let answer = u.nested("poll_answer") { return try pollAnswer(answer, time: time(of: updateID), updateID: updateID) }
        if let change = u.nested("chat_member") { return try chatMember(change) }
        return []
    }

    /// The time a poll answer is recorded with: when its update first arrived.
    private mutating func time(of updateID: Int64) -> Instant {
        pollAnswers.time(of: updateID) { Instant(microseconds: clock().microseconds / 1_000_000 * 1_000_000) }
    }

    func messageKey(chat: Int64, message: Int64) -> String { "tg-\(chat)-\(message)" }
    func member(_ id: Int64) -> String { "tg:\(id)" }

    func event(id: String, stream: String, type: String, time: Instant, data: [String: JSONValue?]) -> NewEvent {
        NewEvent(id: id, stream: stream, type: type, time: time, source: config.source, data: JSONObject(data.compactMapValues { $0 }))
    }

    /// The text of a message, or its caption.
    func text(_ m: Payload) -> String? { m.optionalString("text") ?? m.optionalString("caption") }

    /// A post in the brand's channel.
    private mutating func channelPost(_ m: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let channel = try m.integer("chat.id")
        discussions.brandChannels.insert(channel)
        let key = messageKey(chat: channel, message: try m.integer("message_id"))
        let format: String? =
            m.has("poll") ? "poll" : m.has("video") ? "video" : m.has("photo") ? "image" : m.has("text") ? "text" : nil
        return [event(
            id: "tg:post:\(key)", stream: "post:\(key)", type: "post.published", time: try m.unixTime("date"),
            data: ["post": .string(key), "author": "brand", "kind": .string(config.postKind),
                   "channel": .string(config.channel), "format": format.map(JSONValue.string),
                   "text": text(m).map(JSONValue.string)]
        )]
    }

    /// A message: people joining, a comment in a group (and a ticket when it asks the bot), or
    /// a private message to the bot (a ticket).
    private mutating func message(_ m: Payload) throws(PluginProtocolError) -> [NewEvent] {
        let chat = try m.integer("chat.id")
        let messageID = try m.integer("message_id")
        let time = try m.unixTime("date")
        let joined = m.array("new_chat_members")
        if !joined.isEmpty {
            var events: [NewEvent] = []
            for user in joined where user.value("is_bot")?.boolValue != true {
                let userID = try user.integer("id")
                events.append(memberJoined(userID, handle: user.optionalString("username"), time: time,
                                           id: "tg:joined:\(chat):\(messageID):\(userID)"))
            }
            return events
        }
        let chatType = m.optionalString("chat.type") ?? ""
        let key = messageKey(chat: chat, message: messageID)
        // A channel post's copy in the channel's discussion group: the `channel_post` update
        // records the post; the copy only tells which thread discusses it.
        if chatType == "supergroup" || chatType == "group", m.value("is_automatic_forward")?.boolValue == true {
            if let post = try channelPost(forwardedAs: m) { discussions.remember(post, discussedIn: key) }
            return []
        }
        // A private message is a contact even without words: its subject says what it holds.
        guard let text = text(m) ?? (chatType == "private" ? Self.contentLabel(m) : nil) else { return [] }
        let fromBot = m.value("from.is_bot")?.boolValue == true
        switch chatType {
        case "private":
            guard !fromBot, !text.hasPrefix("/") else { return [] }
            let author = try m.has("from.id") ? m.integer("from.id") : m.integer("sender_chat.id")
            return [ticketOpened(key, member: member(author), origin: "dm", text: text, ref: nil, time: time)]
        case "group", "supergroup":
            let (post, replyTo) = try commentPlace(m, chat: chat)
            let author = try self.author(m, chat: chat, post: post)
            var events = [event(
                id: "tg:message:\(key)", stream: "post:\(post.key)", type: "comment.posted", time: time,
                data: ["comment": .string(key), "post": .string(post.key),
                       "author": .string(author), "text": .string(text), "reply_to": replyTo.map(JSONValue.string)]
            )]
            if !fromBot, author != "brand", asksTheBot(m, text: text) {
                events.append(ticketOpened(key, member: author, origin: "mention", text: text, ref: key, time: time))
            }
            return events
        default:
            return []
        }
    }

    /// The post a group message comments on, and the comment it replies to.
    ///
    /// In a channel's discussion group, a reply to the copy of a channel post, and any message
    /// in that copy's thread, comment on the channel post (a reply to the copy replies to no
    /// comment). In any other group, a reply comments on the message it replies to; a message
    /// that replies to nothing, on the chat (`tg-chat-<chat id>`).
    private mutating func commentPlace(_ m: Payload, chat: Int64) throws(PluginProtocolError) -> (post: DiscussionThreads.Post, replyTo: String?) {
        let reply = m.nested("reply_to_message")
        let replyKey = try reply.map { (r: Payload) throws(PluginProtocolError) in messageKey(chat: chat, message: try r.integer("message_id")) }
        if let reply, let replyKey, reply.value("is_automatic_forward")?.boolValue == true, let post = try channelPost(forwardedAs: reply) {
            discussions.remember(post, discussedIn: replyKey)
            return (post, nil)
        }
        if m.value("is_topic_message")?.boolValue != true, let thread = m.optionalInteger("message_thread_id"),
           let post = discussions.post(discussedIn: messageKey(chat: chat, message: thread)) {
            return (post, replyKey)
        }
        return (DiscussionThreads.Post(key: replyKey ?? "tg-chat-\(chat)", channel: nil), replyKey)
    }

    /// Who wrote a group message: the person, or the chat it was sent on behalf of (Telegram
    /// then puts a stand-in bot in `from`).
    private func author(_ m: Payload, chat: Int64, post: DiscussionThreads.Post) throws(PluginProtocolError) -> String {
        guard let sender = m.optionalInteger("sender_chat.id") else { return member(try m.integer("from.id")) }
        return acting(sender, in: chat, channel: post.channel)
    }

    /// Who acts as the chat `sender` (a message's `sender_chat`, a reaction's `actor_chat`, a
    /// vote's `voter_chat`) in `chat`: the brand for the group itself (an anonymous admin), for
    /// `channel` (the channel whose post is discussed) and for any channel seen posting; else
    /// the chat, as a member.
    func acting(_ sender: Int64, in chat: Int64?, channel: Int64?) -> String {
        let isBrand = sender == chat || sender == channel || discussions.brandChannels.contains(sender)
        return isBrand ? "brand" : member(sender)
    }

    /// The channel post that `m` is the automatic copy of: Bot API 7's `forward_origin` of type
    /// channel, or the older `forward_from_chat` and `forward_from_message_id`.
    private func channelPost(forwardedAs m: Payload) throws(PluginProtocolError) -> DiscussionThreads.Post? {
        if m.optionalString("forward_origin.type") == "channel" {
            let channel = try m.integer("forward_origin.chat.id")
            return DiscussionThreads.Post(key: messageKey(chat: channel, message: try m.integer("forward_origin.message_id")), channel: channel)
        }
        if let channel = m.optionalInteger("forward_from_chat.id"), let message = m.optionalInteger("forward_from_message_id") {
            return DiscussionThreads.Post(key: messageKey(chat: channel, message: message), channel: channel)
        }
        return nil
    }

    /// What a message without text or caption holds, as a ticket's subject: `(voice message)`,
    /// `(photo)`, …; nil for kinds that are not someone writing in (a service message).
    static func contentLabel(_ m: Payload) -> String? {
        let kinds: [(field: String, label: String)] = [
            ("voice", "voice message"), ("video_note", "video message"), ("video", "video"), ("photo", "photo"),
            ("document", "document"), ("audio", "audio"), ("sticker", "sticker"), ("animation", "animation"),
            ("location", "location"), ("contact", "contact"), ("poll", "poll"),
        ]
        return kinds.first { m.has($0.field) }.map { "(\($0.label))" }
    }

    /// Whether a group message is a question to the bot: it mentions `@bot_username`, or it
    /// replies to the bot (to any bot when `bot_username` is not configured).
    func asksTheBot(_ m: Payload, text: String) -> Bool {
        let repliedToBot = m.value("reply_to_message.from.is_bot")?.boolValue == true
        guard let bot = config.botUsername?.lowercased() else { return repliedToBot }
        if text.lowercased().contains("@" + bot) { return true }
        return repliedToBot && m.optionalString("reply_to_message.from.username")?.lowercased() == bot
    }

    private func ticketOpened(_ key: String, member: String, origin: String, text: String, ref: String?, time: Instant) -> NewEvent {
        let subject = text.count > 120 ? String(text.prefix(119)) + "…" : text
        return event(
            id: "tg:message:\(key):ticket", stream: "ticket:\(key)", type: "ticket.opened", time: time,
            data: ["ticket": .string(key), "member": .string(member), "origin": .string(origin),
                   "ref": ref.map(JSONValue.string), "channel": .string(config.channel), "subject": .string(subject)]
        )
    }

    func memberJoined(_ user: Int64, handle: String?, time: Instant, id: String) -> NewEvent {
        event(
            id: id, stream: "member:\(member(user))", type: "member.joined", time: time,
            data: ["member": .string(member(user)), "handle": handle.map(JSONValue.string), "platform": "telegram"]
        )
    }
}

/// Channel posts by the key of their automatic copy in the channel's discussion group, where
/// Telegram keeps a post's comments: a reply to a comment names only the thread (the copy), so
/// the copy's post must be known from the copy itself or an earlier direct reply to it.
///
/// Kept in memory for the latest 50,000 threads: after a restart, a reply to a comment in
/// a thread not seen since counts for the comment it replies to, as in any group, until someone
/// replies to the copy directly again.
struct DiscussionThreads {
    /// A channel post, and the channel's chat id (nil for a message of a group).
    struct Post: Equatable {
        var key: String
        var channel: Int64?
    }

    private var posts = RecentMap<String, Post>(capacity: 50_000)
    /// The brand's channels: those seen posting (`channel_post`) or discussed.
    var brandChannels: Set<Int64> = []

    /// Records that the copy `copy` (a message key in the discussion group) discusses `post`.
    mutating func remember(_ post: Post, discussedIn copy: String) {
        if let channel = post.channel { brandChannels.insert(channel) }
        posts.set(post, for: copy)
    }

    /// The channel post whose copy is `copy`, if known.
    func post(discussedIn copy: String) -> Post? { posts[copy] }
}

/// The times poll answers were recorded with, by update id: a poll answer carries no time, so
/// it gets its update's first arrival, and a redelivered update must get that time again (a
/// later one would make the same id a conflict). The plugin subscribes to its own `poll.voted`
/// events and keeps its checkpoint below the oldest one held, so a restart replays them and
/// learns their times back.
struct PollAnswerTimes {
    /// The update ids held: the latest 10,000 (Telegram gives up redelivering long before).
    private var times = RecentMap<Int64, (time: Instant, position: UInt64?)>(capacity: 10_000)

    /// The time of `updateID`'s answers: the one held, else `arrival()`, held from now on.
    mutating func time(of updateID: Int64, arrival: () -> Instant) -> Instant {
        if let known = times[updateID] { return known.time }
        let now = arrival()
        times.set((now, nil), for: updateID)
        return now
    }

    /// Learns a stored `poll.voted` event of this plugin's (`tg:poll_answer:<update id>:<option>`).
    mutating func learn(_ event: Event, source: String) {
        guard event.source == source, event.type == "poll.voted" else { return }
        let parts = event.id.split(separator: ":")
        guard parts.count == 4, parts[0] == "tg", parts[1] == "poll_answer", let updateID = Int64(parts[2]) else { return }
        // An answer held from its webhook keeps its time and learns its position.
        let held = times[updateID]
        times.set((held?.time ?? event.time, held?.position ?? event.position), for: updateID)
    }

    /// The position of the oldest answer held that is in the log: a restart must replay from it.
    var oldestPosition: UInt64? {
        times.firstFromOldest(\.position)
    }
}

/// A map that keeps its latest `capacity` keys and forgets the oldest first: what the plugin
/// remembers of things Telegram may still refer to.
struct RecentMap<Key: Hashable, Value> {
    let capacity: Int
    private var values: [Key: Value] = [:]
    /// Keys from the oldest to the newest; those before `oldest` are forgotten already.
    private var order: [Key] = []
    private var oldest = 0

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: Key) -> Value? { values[key] }

    /// How many keys are held.
    var count: Int { values.count }

    /// Sets `value` for `key`; a new key is the newest, and past `capacity` the oldest goes.
    mutating func set(_ value: Value, for key: Key) {
        guard values.updateValue(value, forKey: key) == nil else { return }
        order.append(key)
        guard order.count - oldest > capacity else { return }
        values[order[oldest]] = nil
        oldest += 1
        // Forgotten keys leave `order` in one move once they are as many as the keys held, so a
        // key costs O(1) on average instead of shifting every key held.
        if oldest >= capacity {
            order.removeFirst(oldest)
            oldest = 0
        }
    }

    /// The first non-nil `transform` of a value, going from the oldest key to the newest.
    func firstFromOldest<T>(_ transform: (Value) -> T?) -> T? {
        for key in order[oldest...] {
            if let value = values[key], let found = transform(value) { return found }
        }
        return nil
    }
}
