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
        w.list(slaPolicies.changes) { w, change in
            w.instant(change.time)
            w.uint64(change.position)
            w.slaPolicy(change.policy)
        }
        w.optionalInstant(latestTicketTime)
        w.list(records.values) { w, t in
            w.string(t.id)
            w.bool(t.opening != nil)
            if let o = t.opening {
                w.instant(o.time)
                w.uint64(o.position)
                w.string(o.member)
            }
            w.optionalInstant(t.firstStaffReply)
            w.list(t.statusChanges) { w, c in
                w.instant(c.time)
                w.uint64(c.position)
                w.bool(c.resolved)
                w.int64(c.business)
            }
            w.dictionary(t.teams) { w, time in w.instant(time) }
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
            t.statusChanges = try r.list(width: 25) { r throws(ViewStateError) in
                .init(time: try r.instant(), position: try r.uint64(), resolved: try r.bool(), business: try r.int64())
            }
            t.teams = try r.dictionary(width: 9) { r throws(ViewStateError) in try r.instant() }
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
        w.dictionary(members) { w, m in
            w.optionalInstant(m.firstSeen)
            w.instants(m.contributions.times)
            w.list(m.kinds) { w, k in w.byte(k.rawValue) }
            for changes in [m.moderator, m.expert] {
                w.list(changes) { w, c in
                    w.instant(c.time)
                    w.bool(c.assigned)
                }
            }
        }
        w.instants(ugcPosts.times)
        w.dictionary(flags) { w, times in w.instants(times.times) }
    }

    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        members = try r.dictionary { r throws(ViewStateError) in
            var m = Member()
            m.firstSeen = try r.optionalInstant()
            m.contributions = SortedInstants(sorted: try r.instants())
            m.kinds = try r.list { r throws(ViewStateError) in
                guard let kind = ContributionKind(rawValue: try r.byte()) else { throw ViewStateError.invalid }
                return kind
            }
            m.moderator = try Self.roleChanges(from: &r)
            m.expert = try Self.roleChanges(from: &r)
            return m
        }
        ugcPosts = SortedInstants(sorted: try r.instants())
        flags = try r.dictionary { r throws(ViewStateError) in SortedInstants(sorted: try r.instants()) }
    }

    private static func roleChanges(from r: inout ViewStateReader) throws(ViewStateError) -> [(time: Instant, assigned: Bool)] {
        try r.list(width: 9) { r throws(ViewStateError) in (time: try r.instant(), assigned: try r.bool()) }
    }
}

extension ContentView {
    func encode(into w: inout ViewStateWriter) {
        w.list(posts) { w, p in
            w.string(p.id)
            w.instant(p.time)
            w.bool(p.byBrand)
            w.string(p.kind)
            w.optionalString(p.format)
            w.string(p.nextStep)
            w.bool(p.adLabel)
            w.bool(p.captions)
        }
        w.dictionary(engagement) { w, times in w.instants(times.times) }
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
        engagement = try r.dictionary { r throws(ViewStateError) in SortedInstants(sorted: try r.instants()) }
        contributions = SortedInstants(sorted: try r.instants())
    }
}

extension ProductView {
    func encode(into w: inout ViewStateWriter) {
        w.varint(applied)
        w.dictionary(proposals) { w, p in
            w.varint(p.sequence)
            w.instant(p.time)
            w.string(p.author)
            w.string(p.title)
        }
        w.dictionary(statuses) { w, changes in
            w.list(changes) { w, c in
                w.instant(c.time)
                w.string(c.status)
            }
        }
        w.dictionary(estimates) { w, changes in
            w.list(changes) { w, c in
                w.instant(c.time)
                w.int64(c.impact)
                w.int64(c.cost)
            }
        }
        w.dictionary(votes) { w, byMember in
            w.dictionary(byMember) { w, changes in
                w.list(changes) { w, c in
                    w.instant(c.time)
                    w.bool(c.voted)
                }
            }
        }
        w.list(merges) { w, m in
            w.varint(m.sequence)
            w.instant(m.time)
            w.string(m.idea)
            w.string(m.into)
        }
        w.list(announcements) { w, a in
            w.instant(a.time)
            w.list(a.ideas) { w, s in w.string(s) }
            w.list(a.notified) { w, s in w.string(s) }
        }
    }

    init(from r: inout ViewStateReader) throws(ViewStateError) {
        self.init()
        applied = try r.varint()
        proposals = try r.dictionary { r throws(ViewStateError) in
            Proposal(sequence: try r.varint(), time: try r.instant(), author: try r.string(), title: try r.string())
        }
        statuses = try r.dictionary { r throws(ViewStateError) in
            try r.list(width: 9) { r throws(ViewStateError) in (time: try r.instant(), status: try r.string()) }
        }
        estimates = try r.dictionary { r throws(ViewStateError) in
            try r.list(width: 24) { r throws(ViewStateError) in (time: try r.instant(), impact: try r.int64(), cost: try r.int64()) }
        }
        votes = try r.dictionary { r throws(ViewStateError) in
            try r.dictionary { r throws(ViewStateError) in
                try r.list(width: 9) { r throws(ViewStateError) in (time: try r.instant(), voted: try r.bool()) }
            }
        }
        merges = try r.list(width: 11) { r throws(ViewStateError) in
            Merge(sequence: try r.varint(), time: try r.instant(), idea: try r.string(), into: try r.string())
        }
        announcements = try r.list(width: 10) { r throws(ViewStateError) in
            Announcement(
                time: try r.instant(), ideas: try r.list { r throws(ViewStateError) in try r.string() },
                notified: try r.list { r throws(ViewStateError) in try r.string() })
        }
    }
}
