import ParleyModel

extension DemoCommunity {
    /// A day of member contributions: comments, reactions, shares, saves, poll votes, member
    /// posts, ideas and votes, drawn so that a few members do most of it.
    mutating func memberActivity(on midnight: Instant, day: Int, roster: [String], ideas: inout IdeaBoard) {
        let recent = Array(posts.suffix(6 * intensity))
        guard !recent.isEmpty else { return }
        for n in 0..<(int(30...70) * intensity) {
            let member = activeMember(roster)
            let time = at(midnight, hours: 7...23)
            let post = pick(recent)
            switch int(0...99) {
            case 0..<38:
                var text = pick(["Love this!", "When does it ship?", "Great tip, thanks", "Does this work on Android?", "Not convinced."])
                if chance(0.02) { text = "this is a scam" }
                add("post:\(post)", "comment.posted", time, ["comment": .string("c\(day)-\(n)"), "post": .string(post), "author": .string(member), "text": .string(text)])
            case 38..<72:
                add("post:\(post)", "reaction.added", time, ["target": .string(post), "member": .string(member), "reaction": .string(pick(["👍", "❤️", "🔥"]))])
                if chance(0.05) {
                    add("post:\(post)", "reaction.removed", time.adding(seconds: 600), ["target": .string(post), "member": .string(member), "reaction": "👍"])
                }
            case 72..<78: add("post:\(post)", "post.shared", time, ["post": .string(post), "member": .string(member)])
            case 78..<83: add("post:\(post)", "post.saved", time, ["post": .string(post), "member": .string(member)])
            case 83..<88: add("post:\(post)", "poll.voted", time, ["post": .string(post), "member": .string(member), "option": .string(pick(["a", "b", "c"]))])
            case 88..<91:
                let ugc = "u\(day)-\(n)"
                add("post:\(ugc)", "post.published", time, ["post": .string(ugc), "author": .string(member), "kind": "ugc", "format": .string(pick(["image", "video", "text"]))])
                posts.append(ugc)
            case 91..<93:
                ideas.propose(&self, by: member, at: time)
            default:
                ideas.vote(&self, by: member, at: time)
            }
        }
    }

    /// A day of support tickets: opened at any hour, most answered (some only after the next
    /// opening, some never), a few escalated, most resolved, a few reopened.
    mutating func tickets(on midnight: Instant, day: Int, roster: [String]) {
        for n in 0..<(int(1...6) * intensity) {
            let ticket = "t\(day)-\(n)"
            let member = pick(roster)
            let opened = at(midnight, hours: chance(0.7) ? 8...18 : 0...23)
            add("ticket:\(ticket)", "ticket.opened", opened, [
                "ticket": .string(ticket), "member": .string(member), "origin": .string(pick(["comment", "mention", "dm", "email"])),
                "subject": .string(pick(["Login fails", "Refund", "Delivery late", "How do I export?", "Bug in the app"])),
            ])
            guard chance(0.92) else { continue }
            let delay = chance(0.7) ? Double(int(300...7_000)) : Double(int(7_200...200_000))
            let replied = opened.adding(seconds: delay)
            add("ticket:\(ticket)", "ticket.replied", replied, ["ticket": .string(ticket), "by": .string(pick(["anna", "ben", "chloe"])), "staff": true, "public": .bool(chance(0.5))])
            if chance(0.1) {
                add("ticket:\(ticket)", "ticket.escalated", replied.adding(seconds: 900), ["ticket": .string(ticket), "team": .string(pick(["billing", "engineering", "logistics"])), "by": "anna"])
            }
            guard chance(0.85) else { continue }
            let resolved = replied.adding(seconds: Double(int(600...300_000)))
            add("ticket:\(ticket)", "ticket.resolved", resolved, ["ticket": .string(ticket), "by": "ben", "resolution": "answered"])
            if chance(0.05) {
                add("ticket:\(ticket)", "ticket.reopened", resolved.adding(seconds: 86_400), ["ticket": .string(ticket), "by": .string(member)])
            }
        }
    }

    /// Flags and actions: negative comments are classified, never deleted.
    mutating func moderation(on midnight: Instant, day: Int, roster: [String]) {
        guard chance(0.6), let post = posts.last else { return }
        let member = activeMember(roster)
        let time = at(midnight, hours: 9...22)
        let reason = pick(["toxic", "spam", "spam", "offtopic", "rate_limit", "stop_word"])
        add("post:\(post)", "moderation.flagged", time, ["target": .string(post), "member": .string(member), "reason": .string(reason), "by": "m001"])
        if chance(0.3) {
            add("post:\(post)", "moderation.actioned", time.adding(seconds: 300), ["target": .string(post), "member": .string(member), "action": .string(pick(["hide", "warn", "slow_mode"])), "by": "m001"])
        }
    }
}

/// Ideas proposed during the demo, and their way to shipped and announced.
struct IdeaBoard {
    var ideas: [(id: String, author: String, proposed: Instant)] = []
    var voters: [String: Set<String>] = [:]

    mutating func propose(_ demo: inout DemoCommunity, by member: String, at time: Instant) {
        let id = "i\(ideas.count + 1)"
        let title = demo.pick(["Dark mode", "Export to CSV", "Offline mode", "Shared lists", "Bigger fonts", "Calendar sync", "Weekly digest"])
        demo.add("idea:\(id)", "idea.proposed", time, ["idea": .string(id), "author": .string(member), "title": .string("\(title) (\(id))")])
        ideas.append((id, member, time))
    }

    mutating func vote(_ demo: inout DemoCommunity, by member: String, at time: Instant) {
        guard !ideas.isEmpty else { return }
        let idea = ideas[min(ideas.count - 1, Int(Double(ideas.count) * demo.unit() * demo.unit()))]
        guard idea.proposed < time else { return }
        if voters[idea.id, default: []].contains(member), demo.chance(0.3) {
            demo.add("idea:\(idea.id)", "idea.unvoted", time, ["idea": .string(idea.id), "member": .string(member)])
            voters[idea.id]?.remove(member)
        } else {
            demo.add("idea:\(idea.id)", "idea.voted", time, ["idea": .string(idea.id), "member": .string(member)])
            voters[idea.id, default: []].insert(member)
        }
    }

    /// Estimates, statuses, merges, shipping and announcements, spread over the demo.
    func progress(_ demo: inout DemoCommunity, start: Instant) {
        for (n, idea) in ideas.enumerated() {
            var t = idea.proposed.adding(days: demo.int(1...6))
            if demo.chance(0.75) {
                demo.add("idea:\(idea.id)", "idea.estimated", t, ["idea": .string(idea.id), "impact": .int(Int64(demo.int(1...5))), "cost": .int(Int64(demo.int(1...5))), "by": "pm"])
            }
            if n > 2, n % 9 == 0 {
                let into = ideas[n - demo.int(1...2)].id
                demo.add("idea:\(idea.id)", "idea.merged", t.adding(seconds: 3600), ["idea": .string(idea.id), "into": .string(into), "by": "pm"])
                continue
            }
            let path: [String] = switch n % 7 {
            case 0: ["under_review", "planned", "in_progress", "shipped"]
            case 1: ["under_review", "declined"]
            case 2: ["under_review", "planned"]
            case 3: ["under_review", "planned", "in_progress"]
            case 4: ["under_review", "planned", "in_progress", "shipped"]
            default: []
            }
            for status in path {
                t = t.adding(days: demo.int(1...8))
                demo.add("idea:\(idea.id)", "idea.status_changed", t, ["idea": .string(idea.id), "status": .string(status), "by": "pm"])
            }
            if path.last == "shipped", demo.chance(0.7) {
                var notified = Array(voters[idea.id, default: []]).sorted()
                if demo.chance(0.5) { notified.append(idea.author) }
                if demo.chance(0.4), !notified.isEmpty { notified.removeLast() }
                demo.add("idea:\(idea.id)", "announcement.published", t.adding(days: demo.int(0...5)), [
                    "announcement": .string("a-\(idea.id)"), "ideas": [.string(idea.id)], "notified": .array(notified.map { .string($0) }),
                    "title": "You asked, we did",
                ])
            }
        }
    }
}

extension DemoCommunity {
    mutating func unit() -> Double { Double.random(in: 0..<1, using: &rng) }
}
