import Testing
import ParleyModel
import ParleyPluginProtocol

/// Drives the real `parley-plugin-telegram` executable with the nutgram example updates.
@Suite struct TelegramPluginTests {
    static func start(config: JSONObject = ["bot_username": "parley_bot"], token: String? = nil) throws -> PluginProcess {
        let (plugin, hello) = try PluginProcess.started("telegram", config: config, environment: token.map { ["TELEGRAM_SECRET_TOKEN": $0] } ?? [:])
        #expect(hello.subscribe == ["poll.voted"])
        return plugin
    }

    static func update(_ id: String, _ body: [UInt8], token: String? = nil) -> Webhook {
        var headers = ["Content-Type": "application/json"]
        if let token { headers["X-Telegram-Bot-Api-Secret-Token"] = token }
        return Webhook(id: id, headers: headers, body: body)
    }

    @Test func channelPostIsABrandPost() throws {
        let plugin = try Self.start(config: ["post_kind": "educational"])
        let result = try plugin.deliver(Self.update("u1", try Fixtures.telegram("channel_post")))
        #expect(result.ack?.status == 202)
        let post = try result.event("post.published")
        #expect(post.id == "tg:post:tg-456-123" && post.stream == "post:tg-456-123" && post.source == "telegram")
        #expect(post.time == Instant(microseconds: 1_684_984_664_000_000))
        #expect(post.data == ["post": "tg-456-123", "author": "brand", "kind": "educational", "channel": "telegram", "format": "text", "text": "Ciao"])
    }

    @Test func privateMessageOpensATicketButCommandsDoNot() throws {
        let plugin = try Self.start()
        let result = try plugin.deliver(Self.update("u1", try Fixtures.telegram("message")))
        let ticket = try result.event("ticket.opened")
        #expect(result.events.count == 1)
        #expect(ticket.id == "tg:message:tg-456-123:ticket" && ticket.stream == "ticket:tg-456-123")
        #expect(ticket.data == ["ticket": "tg-456-123", "member": "tg:456", "origin": "dm", "channel": "telegram", "subject": "Ciao"])
        let command = try plugin.deliver(Self.update("u2", try Fixtures.telegram("command_message")))
        #expect(command.emits == 0 && command.ack?.status == 202)
        // Without words (a voice note, a document) it is a contact all the same.
        for (fixture, subject) in [("voice", "(voice message)"), ("document", "(document)"), ("sticker", "(sticker)")] {
            let media = try plugin.deliver(Self.update("u-\(fixture)", try Fixtures.telegram(fixture)))
            let events = media.events.filter { $0.type == "ticket.opened" }
            #expect(events.count == 1 && events.first?.data["subject"] == .string(subject) && events.first?.data["origin"] == "dm", "\(fixture): \(media.events)")
        }
    }

    @Test func groupMessagesAreCommentsAndQuestionsToTheBotAreTickets() throws {
        let plugin = try Self.start()
        let reply = try plugin.deliver(Self.update("g1", try Fixtures.telegram("message_general_topic_reply")))
        let comment = try reply.event("comment.posted")
        #expect(reply.types == ["comment.posted"])
        #expect(comment.id == "tg:message:tg--1001234567489-68")
        #expect(comment.data == ["comment": "tg--1001234567489-68", "post": "tg--1001234567489-66", "reply_to": "tg--1001234567489-66",
                                 "author": "tg:123456", "text": "bbbb"])

        let mention = try Fixtures.telegram("message_general_topic_reply") { $0.set("message.text", "@Parley_Bot how do I export my data?") }
        let asked = try plugin.deliver(Self.update("g2", mention))
        #expect(asked.types == ["comment.posted", "ticket.opened"])
        let ticket = try asked.event("ticket.opened")
        #expect(ticket.data["origin"] == "mention" && ticket.data["ref"] == "tg--1001234567489-68" && ticket.data["member"] == "tg:123456")

        let toBot = try Fixtures.telegram("message_general_topic_reply") {
            $0.set("message.reply_to_message.from.is_bot", true)
            $0.set("message.reply_to_message.from.username", "parley_bot")
        }
        #expect(try plugin.deliver(Self.update("g3", toBot)).types == ["comment.posted", "ticket.opened"])
    }

    @Test func reactionsAreADiff() throws {
        let plugin = try Self.start()
        let result = try plugin.deliver(Self.update("r1", try Fixtures.telegram("message_reaction")))
        #expect(result.types == ["reaction.added", "reaction.added"])
        #expect(result.events.map { $0.data["reaction"] } == ["🤡", "custom:1234567890123456789"])
        #expect(result.ids == ["tg:reaction:1:added:🤡", "tg:reaction:1:added:custom:1234567890123456789"])
        #expect(result.events.allSatisfy { $0.data["target"] == "tg-456-123" && $0.data["member"] == "tg:456" })

        let removal = try Fixtures.telegram("message_reaction") {
            $0["update_id"] = 2
            $0.set("message_reaction.new_reaction", [])
        }
        let removed = try plugin.deliver(Self.update("r2", removal))
        #expect(removed.types == ["reaction.removed"])
        #expect(removed.events.first?.data["reaction"] == "❤️")
    }

    @Test func pollAnswerIsAVoteWithAStableTimeOnRedelivery() throws {
        let plugin = try Self.start()
        let body = try Fixtures.telegram("poll_answer")
        let first = try plugin.deliver(Self.update("p1", body))
        let vote = try first.event("poll.voted")
        #expect(vote.id == "tg:poll_answer:123456789:1")
        #expect(vote.data == ["post": "tg-poll-123456789", "member": "tg:123456789", "option": "1"])
        let again = try plugin.deliver(Self.update("p2", body))
        #expect(again.events == first.events)
    }

    /// After a restart the plugin is replayed its own poll answers (it keeps its checkpoint
    /// below them) and gives a redelivered update the time it was stored with: the same id with
    /// a new time would be a conflict, and Telegram would be answered 500 until it gave up.
    @Test func aRestartedPluginKeepsThePollAnswersTimes() throws {
        let plugin = try Self.start()
        let stored = try Instant(rfc3339: "2026-03-02T09:15:00Z")
        let before = [
            Event(position: 7, version: 1, recorded: stored, id: "tg:poll_answer:123456789:1", stream: "post:tg-poll-123456789",
                  type: "poll.voted", time: stored, source: "telegram",
                  data: ["post": "tg-poll-123456789", "member": "tg:123456789", "option": "1"], meta: [:]),
            // Another source's vote with a look-alike id teaches nothing.
            Event(position: 8, version: 1, recorded: stored, id: "tg:poll_answer:5:0", stream: "post:x",
                  type: "poll.voted", time: stored, source: "api", data: ["post": "x", "member": "m", "option": "0"], meta: [:]),
        ]
        for event in before { plugin.send(.event(event)) }
        plugin.send(.caughtUp(position: 8))
        let redelivered = try plugin.deliver(Self.update("p1", try Fixtures.telegram("poll_answer")))
        // Its checkpoint stays below the answer it holds, though it handled everything to 8.
        let checkpoints = redelivered.others.compactMap { message -> UInt64? in
            if case .checkpoint(let position) = message { return position }
            return nil
        }
        #expect(checkpoints == [6])
        #expect(try redelivered.event("poll.voted").time == stored)
        #expect(redelivered.ack?.status == 202)
        let other = try Fixtures.telegram("poll_answer") { $0["update_id"] = 5 }
        #expect(try plugin.deliver(Self.update("p2", other)).event("poll.voted").time != stored)
    }

    @Test func joiningMembers() throws {
        let plugin = try Self.start()
        let joined = try plugin.deliver(Self.update("j1", try Fixtures.telegram("new_chat_members"))).event("member.joined")
        #expect(joined.id == "tg:joined:12345:123456:12345")
        #expect(joined.data == ["member": "tg:12345", "handle": "MarioBros", "platform": "telegram"])

        // The fixture's change (creator to creator, a bot) is no join; someone who had left, is.
        let unchanged = try plugin.deliver(Self.update("j2", try Fixtures.telegram("chat_member")))
        #expect(unchanged.emits == 0)
        let rejoin = try Fixtures.telegram("chat_member") {
            $0.set("chat_member.old_chat_member.status", "left")
            $0.set("chat_member.new_chat_member.status", "member")
            $0.set("chat_member.new_chat_member.user.is_bot", false)
        }
        let member = try plugin.deliver(Self.update("j3", rejoin)).event("member.joined")
        #expect(member.id == "tg:chat_member:987654321:123456789:123456789")
        #expect(member.data["member"] == "tg:123456789")
    }

    @Test func secretTokenIsChecked() throws {
        let plugin = try Self.start(token: "tok-123")
        let body = try Fixtures.telegram("channel_post")
        let missing = try plugin.deliver(Self.update("s1", body))
        #expect(missing.emits == 0 && missing.ack?.status == 401)
        let wrong = try plugin.deliver(Self.update("s2", body, token: "tok-124"))
        #expect(wrong.emits == 0 && wrong.ack?.status == 401)
        let right = try plugin.deliver(Self.update("s3", body, token: "tok-123"))
        #expect(right.ack?.status == 202 && right.types == ["post.published"])
    }

    /// Every example update of nutgram is accepted (202), whatever it maps to: Telegram
    /// redelivers anything else.
    @Test func everyExampleUpdateIsAccepted() throws {
        let plugin = try Self.start()
        let paths = try Fixtures.all(in: "telegram-nutgram-updates")
        #expect(paths.count >= 100)
        for (n, path) in paths.enumerated() {
            let result = try plugin.deliver(Self.update("all-\(n)", try Fixtures.bytes(path)))
            #expect(result.ack?.status == 202, "\(path): \(String(describing: result.ack))")
        }
    }

    @Test func badUpdatesAreRefusedWith400() throws {
        let plugin = try Self.start()
        let notJSON = try plugin.deliver(Self.update("b1", Array("update".utf8)))
        #expect(notJSON.ack?.status == 400)
        let noID = try plugin.deliver(Self.update("b2", Array(#"{"message":{}}"#.utf8)))
        #expect(noID.ack?.status == 400 && noID.ack?.error?.contains("update_id") == true)
        let array = try plugin.deliver(Self.update("b3", Array("[]".utf8)))
        #expect(array.ack?.status == 400)
        #expect(try plugin.deliver(Self.update("ok", try Fixtures.telegram("channel_post"))).ack?.status == 202)
    }

    /// A brand channel with a discussion group: Telegram copies each channel post into the
    /// group, and the post's comments are replies to that copy and to each other in its thread.
    enum Discussion {
        static let channel = #"{"id": -1001111111111, "title": "Brand", "type": "channel"}"#
        static let group = #"{"id": -1002222222222, "title": "Brand chat", "type": "supergroup"}"#
        static let post = #"{"message_id": 7, "sender_chat": \#(channel), "chat": \#(channel), "date": 1700000000, "text": "New release"}"#
        /// The copy, as Bot API 7 writes it (`forward_origin`) or as earlier versions did.
        static func copy(_ id: Int, of post: Int, legacy: Bool = false) -> String {
            let origin = legacy
                ? #""forward_from_chat": \#(channel), "forward_from_message_id": \#(post), "forward_date": 1700000000"#
                : #""forward_origin": {"type": "channel", "chat": \#(channel), "message_id": \#(post), "date": 1700000000}"#
            return #"{"message_id": \#(id), "from": {"id": 777000, "is_bot": false, "first_name": "Telegram"}, "sender_chat": \#(channel), "chat": \#(group), "date": 1700000001, \#(origin), "is_automatic_forward": true, "text": "New release"}"#
        }
        /// A message in the copy's thread; `onBehalfOf` is the chat it is sent as.
        static func comment(_ id: Int, thread: Int, replyTo: String, from: String, onBehalfOf: String? = nil, text: String) -> String {
            let sender = onBehalfOf.map { #""sender_chat": \#($0), "# } ?? ""
            return #"{"message_id": \#(id), "message_thread_id": \#(thread), "from": \#(from), \#(sender)"chat": \#(group), "date": 1700000100, "reply_to_message": \#(replyTo), "text": "\#(text)"}"#
        }
        static func person(_ id: Int) -> String { #"{"id": \#(id), "is_bot": false, "first_name": "P\#(id)"}"# }
        static func update(_ id: Int, _ kind: String, _ body: String) -> Webhook {
            TelegramPluginTests.update("d\(id)", Array(#"{"update_id": \#(id), "\#(kind)": \#(body)}"#.utf8))
        }
    }

    @Test func commentsInTheDiscussionGroupCountForTheChannelPost() throws {
        typealias D = Discussion
        let plugin = try Self.start()
        let post = "tg--1001111111111-7"
        #expect(try plugin.deliver(D.update(1, "channel_post", D.post)).types == ["post.published"])
        // The copy is the post again, not a comment by a member named after the channel.
        let copied = try plugin.deliver(D.update(2, "message", D.copy(50, of: 7)))
        #expect(copied.emits == 0 && copied.ack?.status == 202)

        let direct = try plugin.deliver(D.update(3, "message", D.comment(51, thread: 50, replyTo: D.copy(50, of: 7), from: D.person(42), text: "Love it")))
        let first = try direct.event("comment.posted")
        #expect(first.stream == "post:\(post)")
        #expect(first.data == ["comment": "tg--1002222222222-51", "post": .string(post), "author": "tg:42", "text": "Love it"])

        let answer = D.comment(51, thread: 50, replyTo: D.copy(50, of: 7), from: D.person(42), text: "Love it")
        let nested = try plugin.deliver(D.update(4, "message", D.comment(52, thread: 50, replyTo: answer, from: D.person(43), text: "Me too")))
        #expect(try nested.event("comment.posted").data == [
            "comment": "tg--1002222222222-52", "post": .string(post), "reply_to": "tg--1002222222222-51", "author": "tg:43", "text": "Me too"])

        // The channel answering in its own thread, and an anonymous admin of the group, are the
        // brand: no member, and no ticket even when they name the bot.
        let channelBot = #"{"id": 136817688, "is_bot": true, "first_name": "Channel", "username": "Channel_Bot"}"#
        let asBrand = D.comment(53, thread: 50, replyTo: answer, from: channelBot, onBehalfOf: D.channel, text: "Thanks! @parley_bot")
        let brand = try plugin.deliver(D.update(5, "message", asBrand))
        #expect(brand.types == ["comment.posted"] && brand.events.first?.data["author"] == "brand")
        let anonymousBot = #"{"id": 1087968824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"}"#
        let asAdmin = D.comment(54, thread: 50, replyTo: answer, from: anonymousBot, onBehalfOf: D.group, text: "Noted")
        #expect(try plugin.deliver(D.update(6, "message", asAdmin)).event("comment.posted").data["author"] == "brand")

        // A reaction to the copy is a reaction to the post.
        let reaction = #"{"chat": \#(D.group), "message_id": 50, "user": \#(D.person(44)), "date": 1700000200, "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]}"#
        #expect(try plugin.deliver(D.update(7, "message_reaction", reaction)).event("reaction.added").data["target"] == .string(post))

        // Anonymous reactions name the chat they were made as: the group (an anonymous admin)
        // and the brand's channel are the brand; someone's own channel is a member.
        for (update, actor, who) in [(9, D.group, "brand"), (10, D.channel, "brand"), (11, #"{"id": -1003333333333, "title": "Fan", "type": "channel"}"#, "tg:-1003333333333")] {
            let anonymous = #"{"chat": \#(D.group), "message_id": 50, "actor_chat": \#(actor), "date": 1700000300, "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "🔥"}]}"#
            let added = try plugin.deliver(D.update(update, "message_reaction", anonymous)).event("reaction.added")
            #expect(added.data["member"] == .string(who) && added.data["target"] == .string(post), "\(added.data)")
        }
        // So do anonymous votes: the brand's channel voting is the brand.
        let vote = #"{"poll_id": "77", "voter_chat": \#(D.channel), "option_ids": [0]}"#
        #expect(try plugin.deliver(D.update(12, "poll_answer", vote)).event("poll.voted").data["member"] == "brand")

        // Bot API before 7.0 names the post in forward_from_chat and forward_from_message_id.
        let legacy = try plugin.deliver(D.update(8, "message", D.comment(61, thread: 60, replyTo: D.copy(60, of: 8, legacy: true), from: D.person(45), text: "Old client")))
        #expect(try legacy.event("comment.posted").data["post"] == "tg--1001111111111-8")
    }

    @Test func aThreadUnknownSinceARestartCountsForTheRepliedComment() throws {
        typealias D = Discussion
        let plugin = try Self.start()
        let answer = D.comment(51, thread: 50, replyTo: D.copy(50, of: 7), from: D.person(42), text: "Love it")
        let nested = try plugin.deliver(D.update(1, "message", D.comment(52, thread: 50, replyTo: answer, from: D.person(43), text: "Me too")))
        #expect(try nested.event("comment.posted").data["post"] == "tg--1002222222222-51")
        // A direct reply to the copy teaches the thread again.
        _ = try plugin.deliver(D.update(2, "message", D.comment(55, thread: 50, replyTo: D.copy(50, of: 7), from: D.person(46), text: "Hi")))
        let later = try plugin.deliver(D.update(3, "message", D.comment(56, thread: 50, replyTo: answer, from: D.person(43), text: "Again")))
        #expect(try later.event("comment.posted").data["post"] == "tg--1001111111111-7")
    }
}
