public import ParleyModel

extension Views {
    /// The layout of ``encodedState()``; a stored state of another format is rebuilt.
    public static let stateFormat: UInt64 = 2

    /// The stored state of the four reducers, in the compact binary layout of
    /// `ViewStateWriter` (an index format, see ``stateFormat``): the support, community, content
    /// and product states, each after its length in bytes, so that a reader can take one alone.
    /// The policies are not part of it: they are rebuilt from the `policy.set` events (see
    /// ``init(encodedState:policies:reading:)``).
    public func encodedState() -> [UInt8] {
        var w = ViewStateWriter(capacity: 1 << 20)
        var part = ViewStateWriter(capacity: 1 << 20)
        support.encode(into: &part)
        w.section(&part)
        community.encode(into: &part)
        w.section(&part)
        content.encode(into: &part)
        w.section(&part)
        product.encode(into: &part)
        w.section(&part)
        return w.bytes
    }

    /// The views whose reducers' state `bytes` holds (written by ``encodedState()`` with the
    /// same ``stateFormat``), with `policies` (the timeline of the `policy.set` events applied).
    ///
    /// - Parameter reading: when given, only the state of the view this query reads is decoded,
    ///   and the other views stay empty: such views answer that query, and nothing else; never
    ///   apply events to them or store them.
    /// - Throws: ``ViewStateError`` when the bytes do not hold one whole state.
    public init(encodedState bytes: UnsafeRawBufferPointer, policies: PolicyTimeline, reading: ViewQueryName? = nil) throws(ViewStateError) {
        var r = ViewStateReader(bytes)
        self.init(policies: policies)
        let parts = reading.map(Parts.init(reading:)) ?? .all
        var part = try r.section()
        if parts.contains(.support) { support = try SupportView(from: &part) }
        try part.finish(decoded: parts.contains(.support))
        part = try r.section()
        if parts.contains(.community) { community = try CommunityView(from: &part) }
        try part.finish(decoded: parts.contains(.community))
        part = try r.section()
        if parts.contains(.content) { content = try ContentView(from: &part) }
        try part.finish(decoded: parts.contains(.content))
        part = try r.section()
        if parts.contains(.product) { product = try ProductView(from: &part) }
        try part.finish(decoded: parts.contains(.product))
        guard r.isAtEnd else { throw ViewStateError.trailingBytes }
    }
}

extension SupportView {
    func encode(into w: inout ViewStateWriter) {
        w.varint(slaPolicies.changes.count)
        for change in slaPolicies.changes {
            w.instant(change.time)
            w.uint64(change.position)
            w.slaPolicy(change.policy)
        }
        w.optionalInstant(latestTicketTime)
        w.varint(records.count)
        for t in records.values {
            w.string(t.id)
            w.bool(t.opening != nil)
            if let o = t.opening {
                w.instant(o.time)
                w.uint64(o.position)
                w.string(o.member)
            }
            w.optionalInstant(t.firstStaffReply)
            w.varint(t.statusChanges.count)
            for c in t.statusChanges {
                w.instant(c.time)
                w.uint64(c.position)
                w.bool(c.resolved)
                w.int64(c.business)
            }
            w.varint(t.teams.count)
            for (team, time) in t.teams {
                w.string(team)
                w.instant(time)
            }
            w.optionalInstant(t.firstEscalation)
            w.bool(t.times != nil)
            if let times = t.times {
                w.optionalInt64(times.threshold)
                w.optionalInt64(times.frt)
                w.optionalInstant(times.due)
                switch times.breach {
                case .never: w.byte(0)
                case .at(let instant):
                    w.byte(1)
                    w.instant(instant)
                case .unknown: w.byte(2)
                }
            }
        }
    }

    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        for _ in 0..<(try r.count(width: 17)) {
            slaPolicies.insert(.init(time: try r.instant(), position: try r.uint64(), policy: try r.slaPolicy()))
        }
        latestTicketTime = try r.optionalInstant()
        let n = try r.count()
        records.reserveCapacity(n)
        for _ in 0..<n {
            var t = SupportTicket(id: try r.string())
            if try r.bool() {
                t.opening = SupportTicket.Opening(time: try r.instant(), position: try r.uint64(), member: try r.string())
            }
            t.firstStaffReply = try r.optionalInstant()
            let changes = try r.count(width: 25)
            t.statusChanges.reserveCapacity(changes)
            for _ in 0..<changes {
                t.statusChanges.append(.init(time: try r.instant(), position: try r.uint64(), resolved: try r.bool(), business: try r.int64()))
            }
            for _ in 0..<(try r.count(width: 9)) { t.teams[try r.string()] = try r.instant() }
            t.firstEscalation = try r.optionalInstant()
            if try r.bool() {
                let threshold = try r.optionalInt64(), frt = try r.optionalInt64(), due = try r.optionalInstant()
                let breach: SupportTicket.Breach
                switch try r.byte() {
                case 0: breach = .never
                case 1: breach = .at(try r.instant())
                case 2: breach = .unknown
                default: throw ViewStateError.invalid
                }
                t.times = SupportTicket.Times(threshold: threshold, frt: frt, due: due, breach: breach)
            }
            // The memo exactly when opened, with a first-response time when answered.
            guard (t.times != nil) == (t.opening != nil), t.firstStaffReply == nil || t.opening == nil || t.times?.frt != nil else {
                throw ViewStateError.invalid
            }
            records.insert(t)
        }
    }
}

extension CommunityView {
    func encode(into w: inout ViewStateWriter) {
        w.varint(members.count)
        for (id, m) in members {
            w.string(id)
            w.optionalInstant(m.firstSeen)
            w.instants(m.contributions.times)
            w.varint(m.kinds.count)
            for k in m.kinds { w.byte(k.rawValue) }
            for changes in [m.moderator, m.expert] {
                w.varint(changes.count)
                for c in changes {
                    w.instant(c.time)
                    w.bool(c.assigned)
                }
            }
        }
        w.instants(ugcPosts.times)
        w.varint(flags.count)
        for (reason, times) in flags {
            w.string(reason)
            w.instants(times.times)
        }
    }

    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        let n = try r.count()
        members.reserveCapacity(n)
        for _ in 0..<n {
            let id = try r.string()
            var m = Member()
            m.firstSeen = try r.optionalInstant()
            m.contributions = SortedInstants(sorted: try r.instants())
            let kinds = try r.count()
            m.kinds.reserveCapacity(kinds)
            for _ in 0..<kinds {
                guard let kind = ContributionKind(rawValue: try r.byte()) else { throw ViewStateError.invalid }
                m.kinds.append(kind)
            }
            m.moderator = try Self.roleChanges(from: &r)
            m.expert = try Self.roleChanges(from: &r)
            members[id] = m
        }
        ugcPosts = SortedInstants(sorted: try r.instants())
        for _ in 0..<(try r.count()) { flags[try r.string()] = SortedInstants(sorted: try r.instants()) }
    }

    private static func roleChanges(from r: inout ViewStateReader) throws(ViewStateError) -> [(time: Instant, assigned: Bool)] {
        let n = try r.count(width: 9)
        var changes: [(time: Instant, assigned: Bool)] = []
        changes.reserveCapacity(n)
        for _ in 0..<n { changes.append((try r.instant(), try r.bool())) }
        return changes
    }
}

extension ContentView {
    func encode(into w: inout ViewStateWriter) {
        w.varint(posts.count)
        for p in posts {
            w.string(p.id)
            w.instant(p.time)
            w.bool(p.byBrand)
            w.string(p.kind)
            w.optionalString(p.format)
            w.string(p.nextStep)
            w.bool(p.adLabel)
            w.bool(p.captions)
        }
        w.varint(engagement.count)
        for (id, times) in engagement {
            w.string(id)
            w.instants(times.times)
        }
        w.instants(contributions.times)
    }

    /// Reads a state; `postIDs` is rebuilt from the posts (it holds exactly their ids).
    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        let n = try r.count(width: 13)
        posts.reserveCapacity(n)
        postIDs.reserveCapacity(n)
        for _ in 0..<n {
            let post = Post(
                id: try r.string(), time: try r.instant(), byBrand: try r.bool(), kind: try r.string(),
                format: try r.optionalString(), nextStep: try r.string(), adLabel: try r.bool(), captions: try r.bool())
            posts.append(post)
            postIDs.insert(post.id)
        }
        let ids = try r.count()
        engagement.reserveCapacity(ids)
        for _ in 0..<ids { engagement[try r.string()] = SortedInstants(sorted: try r.instants()) }
        contributions = SortedInstants(sorted: try r.instants())
    }
}

extension ProductView {
    func encode(into w: inout ViewStateWriter) {
        w.varint(applied)
        w.varint(proposals.count)
        for (idea, p) in proposals {
            w.string(idea)
            w.varint(p.sequence)
            w.instant(p.time)
            w.string(p.author)
            w.string(p.title)
        }
        w.varint(statuses.count)
        for (idea, changes) in statuses {
            w.string(idea)
            w.varint(changes.count)
            for c in changes {
                w.instant(c.time)
                w.string(c.status)
            }
        }
        w.varint(estimates.count)
        for (idea, changes) in estimates {
            w.string(idea)
            w.varint(changes.count)
            for c in changes {
                w.instant(c.time)
                w.int64(c.impact)
                w.int64(c.cost)
            }
        }
        w.varint(votes.count)
        for (idea, byMember) in votes {
            w.string(idea)
            w.varint(byMember.count)
            for (member, changes) in byMember {
                w.string(member)
                w.varint(changes.count)
                for c in changes {
                    w.instant(c.time)
                    w.bool(c.voted)
                }
            }
        }
        w.varint(merges.count)
        for m in merges {
            w.varint(m.sequence)
            w.instant(m.time)
            w.string(m.idea)
            w.string(m.into)
        }
        w.varint(announcements.count)
        for a in announcements {
            w.instant(a.time)
            for list in [a.ideas, a.notified] {
                w.varint(list.count)
                for s in list { w.string(s) }
            }
        }
    }

    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        applied = try r.varint()
        for _ in 0..<(try r.count()) {
            proposals[try r.string()] = Proposal(sequence: try r.varint(), time: try r.instant(), author: try r.string(), title: try r.string())
        }
        for _ in 0..<(try r.count()) {
            let idea = try r.string()
            var changes: [(time: Instant, status: String)] = []
            for _ in 0..<(try r.count(width: 9)) { changes.append((try r.instant(), try r.string())) }
            statuses[idea] = changes
        }
        for _ in 0..<(try r.count()) {
            let idea = try r.string()
            var changes: [(time: Instant, impact: Int64, cost: Int64)] = []
            for _ in 0..<(try r.count(width: 24)) { changes.append((try r.instant(), try r.int64(), try r.int64())) }
            estimates[idea] = changes
        }
        for _ in 0..<(try r.count()) {
            let idea = try r.string()
            var byMember: [String: [(time: Instant, voted: Bool)]] = [:]
            for _ in 0..<(try r.count()) {
                let member = try r.string()
                var changes: [(time: Instant, voted: Bool)] = []
                for _ in 0..<(try r.count(width: 9)) { changes.append((try r.instant(), try r.bool())) }
                byMember[member] = changes
            }
            votes[idea] = byMember
        }
        for _ in 0..<(try r.count(width: 11)) {
            merges.append(Merge(sequence: try r.varint(), time: try r.instant(), idea: try r.string(), into: try r.string()))
        }
        for _ in 0..<(try r.count(width: 10)) {
            let time = try r.instant()
            var lists: [[String]] = [[], []]
            for i in 0..<2 {
                for _ in 0..<(try r.count()) { lists[i].append(try r.string()) }
            }
            announcements.append(Announcement(time: time, ideas: lists[0], notified: lists[1]))
        }
    }
}
