import Testing
import ParleyModel
import ParleyPluginProtocol

/// Drives the real `parley-plugin-telegram` executable with the nutgram example updates.
@Suite struct TelegramPluginTests {
    static func start(config: JSONObject = ["bot_username": "parley_bot"], token: String? = nil) throws -> PluginProcess {
        let (plugin, hello) = try PluginProcess.started("telegram", config: config, environment: token.map { ["TELEGRAM_SECRET_TOKEN": $0] } ?? [:])
        #expect(hello.subscribe.isEmpty)
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
}
