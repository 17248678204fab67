import Foundation
import Crypto
import Testing
import ParleyModel
import ParleyPluginProtocol

/// Drives the real `parley-plugin-github` executable with the octokit example payloads.
@Suite struct GitHubPluginTests {
    static let secret = "It's a Secret to Everybody"
    static let repoKey = "gh-Codertocat/Hello-World-1"

    /// `sha256=<hex>` computed here with swift-crypto, independently of the plugin's code.
    static func signature(_ body: [UInt8], secret: String = secret) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func webhook(_ id: String, event: String, body: [UInt8], signature: String?? = nil) -> Webhook {
        var headers = ["X-GitHub-Event": event, "Content-Type": "application/json", "X-GitHub-Delivery": "72d3162e-\(id)"]
        switch signature {
        case .none: headers["X-Hub-Signature-256"] = Self.signature(body)
        case .some(.some(let given)): headers["X-Hub-Signature-256"] = given
        case .some(.none): break
        }
        return Webhook(id: id, headers: headers, body: body)
    }

    static func start(config: JSONObject = [:], secret: String? = secret) throws -> PluginProcess {
        let (plugin, hello) = try PluginProcess.started("github", config: config, environment: secret.map { ["GITHUB_WEBHOOK_SECRET": $0] } ?? [:])
        #expect(hello.subscribe.isEmpty)
        return plugin
    }

    @Test func issueOpenedBecomesATicketAndRedeliveryRepeatsTheIds() throws {
        let plugin = try Self.start()
        let body = try Fixtures.github("issues/opened.payload.json")
        let first = try plugin.deliver(Self.webhook("d1", event: "issues", body: body))
        #expect(first.ack == WebhookAck(webhook: "d1", status: 202))
        let ticket = try first.event("ticket.opened")
        #expect(first.events.count == 1)
        #expect(ticket.id == "gh:issues:444500041:opened")
        #expect(ticket.stream == "ticket:\(Self.repoKey)")
        #expect(ticket.source == "github")
        #expect(ticket.time == (try Instant(rfc3339: "2019-05-15T15:20:18Z")))
        #expect(ticket.data == [
            "ticket": .string(Self.repoKey), "member": "gh:Codertocat", "origin": "other", "channel": "github",
            "ref": "https://github.com/Codertocat/Hello-World/issues/1", "subject": "Spelling error in the README file",
        ])
        let again = try plugin.deliver(Self.webhook("d2", event: "issues", body: body))
        #expect(again.events == first.events)
        #expect(plugin.finish().status == 0)
    }

    @Test func ackWaitsUntilTheEmitIsAnswered() throws {
        let plugin = try Self.start()
        let body = try Fixtures.github("issues/opened.payload.json")
        plugin.send(.webhook(Self.webhook("slow", event: "issues", body: body)))
        guard case .emit(let ref, let events) = try plugin.receiveSkippingLogs() else { Issue.record("no emit"); return }
        #expect(events.count == 1)
        // Another webhook is handled meanwhile; its ack must come, the first one's must not.
        let other = try plugin.deliver(Self.webhook("ping", event: "ping", body: try Fixtures.github("ping/payload.json")))
        #expect(other.ack?.status == 202 && other.events.isEmpty)
        plugin.send(.emitted(ref: ref, positions: [7]))
        #expect(try plugin.receiveSkippingLogs() == .ack(WebhookAck(webhook: "slow", status: 202)))
    }

    @Test func rejectedEmitIsAckedAsAnError() throws {
        let plugin = try Self.start()
        let result = try plugin.deliver(Self.webhook("r", event: "issues", body: try Fixtures.github("issues/opened.payload.json")), reject: "id conflict")
        #expect(result.ack?.status == 500)
        #expect(result.ack?.error?.contains("id conflict") == true)
    }

    @Test func featureRequestIssueIsAnIdea() throws {
        let plugin = try Self.start(config: ["idea_labels": ["wish", "Enhancement"]])
        let body = try Fixtures.github("issues/opened.payload.json") { $0.set("issue.labels", [["name": "enhancement"]]) }
        let result = try plugin.deliver(Self.webhook("i", event: "issues", body: body))
        let idea = try result.event("idea.proposed")
        #expect(result.types == ["idea.proposed"])
        #expect(idea.id == "gh:issues:444500041:opened")
        #expect(idea.stream == "idea:\(Self.repoKey)")
        #expect(idea.data["idea"] == .string(Self.repoKey) && idea.data["author"] == "gh:Codertocat")
        #expect(idea.data["title"] == "Spelling error in the README file")
        #expect(idea.data["ref"] == "https://github.com/Codertocat/Hello-World/issues/1")
    }

    @Test func issueCommentIsACommentAndAReply() throws {
        let plugin = try Self.start()
        let staff = try plugin.deliver(Self.webhook("c", event: "issue_comment", body: try Fixtures.github("issue_comment/created.payload.json")))
        #expect(staff.types == ["comment.posted", "ticket.replied"])
        let comment = try staff.event("comment.posted")
        #expect(comment.id == "gh:issue_comment:492700400" && comment.stream == "post:\(Self.repoKey)")
        #expect(comment.data["comment"] == "gh-comment-492700400" && comment.data["post"] == .string(Self.repoKey))
        #expect(comment.data["author"] == "gh:Codertocat")
        #expect(comment.data["text"] == "You are totally right! I'll get this fixed right away.")
        let reply = try staff.event("ticket.replied")
        #expect(reply.id == "gh:issue_comment:492700400:replied" && reply.stream == "ticket:\(Self.repoKey)")
        #expect(reply.data["staff"] == true && reply.data["by"] == "gh:Codertocat" && reply.data["ticket"] == .string(Self.repoKey))
        #expect(reply.time == (try Instant(rfc3339: "2019-05-15T15:20:21Z")))

        let outsider = try Fixtures.github("issue_comment/created.payload.json") { $0.set("comment.author_association", "NONE") }
        #expect(try plugin.deliver(Self.webhook("c2", event: "issue_comment", body: outsider)).event("ticket.replied").data["staff"] == false)
        let contributor = try Fixtures.github("issue_comment/created.payload.json") { $0.set("comment.author_association", "COLLABORATOR") }
        #expect(try plugin.deliver(Self.webhook("c3", event: "issue_comment", body: contributor)).event("ticket.replied").data["staff"] == true)
    }

    @Test func closedAndReopenedIssues() throws {
        let plugin = try Self.start()
        let closed = try Fixtures.github("issues/reopened.payload.json") {
            $0["action"] = "closed"
            $0.set("issue.state", "closed")
            $0.set("issue.state_reason", "completed")
        }
        let resolved = try plugin.deliver(Self.webhook("x", event: "issues", body: closed)).event("ticket.resolved")
        #expect(resolved.id == "gh:issues:444500041:closed:2021-07-05T18:07:10Z")
        #expect(resolved.data == ["ticket": .string(Self.repoKey), "by": "gh:Codertocat", "resolution": "completed"])
        let reopened = try plugin.deliver(Self.webhook("y", event: "issues", body: try Fixtures.github("issues/reopened.payload.json")))
        let event = try reopened.event("ticket.reopened")
        #expect(event.id == "gh:issues:444500041:reopened:2021-10-11T16:40:56Z")
        #expect(event.data == ["ticket": .string(Self.repoKey), "by": "gh:Codertocat"])
    }

    @Test func discussionsInTheIdeasCategoryAreIdeas() throws {
        let plugin = try Self.start()
        let general = try plugin.deliver(Self.webhook("g", event: "discussion", body: try Fixtures.github("discussion/created.payload.json")))
        #expect(general.events.isEmpty && general.ack?.status == 202)
        let ideas = try Fixtures.github("discussion/created.payload.json") { $0.set("discussion.category.name", "Ideas") }
        let idea = try plugin.deliver(Self.webhook("i", event: "discussion", body: ideas)).event("idea.proposed")
        #expect(idea.id == "gh:discussion:3299614:created")
        #expect(idea.data["idea"] == "gh-Codertocat/Hello-World-4" && idea.data["title"] == "TEST edit")
        #expect(idea.data["ref"] == "https://github.com/Codertocat/Hello-World/discussions/4")

        let configured = try Self.start(config: ["ideas_category": "general"])
        #expect(try configured.deliver(Self.webhook("g2", event: "discussion", body: try Fixtures.github("discussion/created.payload.json"))).types == ["idea.proposed"])
    }

    /// A discussion in a category that takes answers (Q&A) is a support question: a ticket that
    /// its comments reply to, resolved when an answer is chosen, open again when it is unmarked.
    @Test func questionsInAnswerableCategoriesAreTickets() throws {
        let plugin = try Self.start()
        let key = "gh-Codertocat/Hello-World-4"
        let asked = try Fixtures.github("discussion/created.payload.json") {
            $0.set("discussion.category.name", "Q&A")
            $0.set("discussion.category.is_answerable", true)
        }
        let opened = try plugin.deliver(Self.webhook("q1", event: "discussion", body: asked))
        #expect(opened.types == ["ticket.opened"])
        let ticket = try opened.event("ticket.opened")
        #expect(ticket.id == "gh:discussion:3299614:created" && ticket.stream == "ticket:\(key)")
        #expect(ticket.data == ["ticket": .string(key), "member": "gh:Codertocat", "origin": "other", "subject": "TEST edit",
                                "ref": "https://github.com/Codertocat/Hello-World/discussions/4", "channel": "github"])

        let answer = try Fixtures.github("discussion_comment/created.payload.json") {
            $0.set("discussion.category.name", "Q&A")
            $0.set("discussion.category.is_answerable", true)
        }
        let replied = try plugin.deliver(Self.webhook("q2", event: "discussion_comment", body: answer))
        #expect(replied.types == ["comment.posted", "ticket.replied"])
        let reply = try replied.event("ticket.replied")
        #expect(reply.id == "gh:discussion_comment:550062:replied")
        #expect(reply.data == ["ticket": .string(key), "by": "gh:Codertocat", "staff": true, "public": true])

        let resolved = try plugin.deliver(Self.webhook("q3", event: "discussion", body: try Fixtures.github("discussion/answered.payload.json")))
        let resolution = try resolved.event("ticket.resolved")
        #expect(resolved.types == ["ticket.resolved"])
        #expect(resolution.time == (try Instant(rfc3339: "2021-03-30T23:17:18Z")))
        #expect(resolution.data == ["ticket": .string(key), "by": "gh:Codertocat", "resolution": "answered"])

        let reopened = try plugin.deliver(Self.webhook("q4", event: "discussion", body: try Fixtures.github("discussion/unanswered.payload.json")))
        #expect(reopened.types == ["ticket.reopened"])
        #expect(try reopened.event("ticket.reopened").data == ["ticket": .string(key), "by": "gh:Codertocat"])

        // Outside an answerable category none of this is a ticket.
        let general = try plugin.deliver(Self.webhook("q5", event: "discussion_comment", body: try Fixtures.github("discussion_comment/created.payload.json")))
        #expect(general.types == ["comment.posted"])
        let notAQuestion = try Fixtures.github("discussion/answered.payload.json") { $0.set("discussion.category.is_answerable", false) }
        #expect(try plugin.deliver(Self.webhook("q6", event: "discussion", body: notAQuestion)).events.isEmpty)
    }

    @Test func discussionCommentIsAComment() throws {
        let plugin = try Self.start()
        let result = try plugin.deliver(Self.webhook("dc", event: "discussion_comment", body: try Fixtures.github("discussion_comment/created.payload.json")))
        let comment = try result.event("comment.posted")
        #expect(result.events.count == 1)
        #expect(comment.id == "gh:discussion_comment:550062")
        #expect(comment.data == ["comment": "gh-dcomment-550062", "post": "gh-Codertocat/Hello-World-4", "author": "gh:Codertocat", "text": "ANSWER"])
    }

    @Test func starsAndWatchersJoin() throws {
        let plugin = try Self.start()
        let star = try plugin.deliver(Self.webhook("s", event: "star", body: try Fixtures.github("star/created.payload.json"))).event("member.joined")
        #expect(star.id == "gh:star:186853002:21031067:2019-05-15T15:20:40Z")
        #expect(star.stream == "member:gh:Codertocat")
        #expect(star.data == ["member": "gh:Codertocat", "handle": "Codertocat", "platform": "github"])
        let watch = try plugin.deliver(Self.webhook("w", event: "watch", body: try Fixtures.github("watch/started.payload.json"))).event("member.joined")
        #expect(watch.id == "gh:watch:186853002:21031067:2019-05-15T15:20:40Z")
        #expect(watch.data["member"] == "gh:Codertocat")
    }

    /// Every example payload of octokit/webhooks is accepted (202): GitHub redelivers anything
    /// else, and none of them is malformed.
    @Test func everyExamplePayloadIsAccepted() throws {
        let plugin = try Self.start()
        let paths = try Fixtures.all(in: "github-webhooks")
        #expect(paths.count >= 60)
        for (n, path) in paths.enumerated() {
            let kind = path.split(separator: "/")[1]
            let result = try plugin.deliver(Self.webhook("all-\(n)", event: String(kind), body: try Fixtures.bytes(path)))
            #expect(result.ack?.status == 202, "\(path): \(String(describing: result.ack))")
        }
    }

    @Test func pingIsAcceptedWithoutEvents() throws {
        let plugin = try Self.start()
        let result = try plugin.deliver(Self.webhook("p", event: "ping", body: try Fixtures.github("ping/payload.json")))
        #expect(result.ack == WebhookAck(webhook: "p", status: 202))
        #expect(result.emits == 0)
    }

    @Test func badSignaturesAreRefusedWith401() throws {
        let plugin = try Self.start()
        let body = try Fixtures.github("issues/opened.payload.json")
        let cases: [(String, String??)] = [
            ("wrong-secret", .some(Self.signature(body, secret: "guess"))),
            ("missing", .some(nil)),
            ("garbled", .some("sha256=zz")),
            ("sha1", .some("sha1=" + String(repeating: "0", count: 40))),
        ]
        for (id, signature) in cases {
            let result = try plugin.deliver(Self.webhook(id, event: "issues", body: body, signature: signature))
            #expect(result.emits == 0, "\(id)")
            #expect(result.ack?.status == 401, "\(id)")
            #expect(result.ack?.error?.contains("X-Hub-Signature-256") == true, "\(id)")
        }
        // A body changed after signing fails too.
        var tampered = Self.webhook("tampered", event: "issues", body: body)
        tampered.body[10] ^= 1
        #expect(try plugin.deliver(tampered).ack?.status == 401)
        // And the plugin is still fine.
        #expect(try plugin.deliver(Self.webhook("ok", event: "issues", body: body)).types == ["ticket.opened"])
    }

    @Test func withoutASecretEverythingIsRefused() throws {
        let plugin = try Self.start(secret: nil)
        let body = try Fixtures.github("issues/opened.payload.json")
        let result = try plugin.deliver(Self.webhook("n", event: "issues", body: body))
        #expect(result.emits == 0 && result.ack?.status == 500)
        #expect(result.ack?.error?.contains("GITHUB_WEBHOOK_SECRET") == true)
    }

    @Test func badInputIsReportedNotFatal() throws {
        let plugin = try Self.start()
        let notJSON = Array("{\"action\": ".utf8)
        let bad = try plugin.deliver(Self.webhook("bad", event: "issues", body: notJSON))
        #expect(bad.ack?.status == 400 && bad.ack?.error?.contains("not JSON") == true)
        let missing = try plugin.deliver(Self.webhook("m", event: "issues", body: Array(#"{"action":"opened","issue":{}}"#.utf8)))
        #expect(missing.ack?.status == 400 && missing.ack?.error?.contains("payload field") == true)
        plugin.send(line: "this is not a message")
        guard case .log(.error, let message) = try plugin.receive() else { Issue.record("no log line"); return }
        #expect(message.contains("line 4: not a JSON line"))
        #expect(try plugin.deliver(Self.webhook("ok", event: "issues", body: try Fixtures.github("issues/opened.payload.json"))).ack?.status == 202)
    }

    @Test func unknownConfigKeyStopsThePlugin() throws {
        let plugin = try PluginProcess("github", environment: ["GITHUB_WEBHOOK_SECRET": Self.secret])
        plugin.send(.hello(DaemonHello(name: "github", checkpoint: 0, config: ["idea_label": ["x"]])))
        let (status, stderr) = plugin.finish()
        #expect(status == 1)
        #expect(stderr.contains("config key \"idea_label\" is unknown"))
    }
}
