public import ParleyModel

/// Every view of `views.md` together, fed the same events: the four reducers and the policies.
///
/// Feed it the events a query may see (time ≤ T, position ≤ P) in (time, position) order, then
/// ask it any query.
public struct Views: Sendable {
    public var support = SupportView()
    public var community = CommunityView()
    public var content = ContentView()
    public var product = ProductView()
    /// The policies in force, from the `policy.set` events applied and any overrides.
    public var policies: PolicyTimeline

    /// Empty views; `policies` may carry `--policy FILE` overrides.
    public init(policies: PolicyTimeline = PolicyTimeline()) {
        self.policies = policies
    }

    /// Applies one event to every view.
    public mutating func apply(_ event: Event) {
        apply(event, to: .all)
    }

    /// Some of the views: each folds the events independently of the others, so a rebuild may
    /// fold the same events into different parts on different threads and join the results
    /// (``take(_:from:)``).
    public struct Parts: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// The `policy.set` events in ``Views/policies``.
        public static let policies = Parts(rawValue: 1 << 0)
        public static let support = Parts(rawValue: 1 << 1)
        public static let community = Parts(rawValue: 1 << 2)
        public static let content = Parts(rawValue: 1 << 3)
        public static let product = Parts(rawValue: 1 << 4)
        public static let all: Parts = [.policies, .support, .community, .content, .product]

        /// The view `name` reads (its policies aside).
        public init(reading name: ViewQueryName) {
            switch name {
            case .supportSLA, .supportTickets, .supportBacklog: self = .support
            case .communitySummary, .communityMembers, .communityHeroes: self = .community
            case .contentMix, .contentCheck: self = .content
            case .productIdeas, .productMatrix, .productLoop, .productProposals: self = .product
            }
        }
    }

    /// Applies one event to the views of `parts` only.
    public mutating func apply(_ event: Event, to parts: Parts) {
        if parts.contains(.policies), event.type == "policy.set" { policies.record(event) }
        if parts.contains(.support) { support.apply(event) }
        if parts.contains(.community) { community.apply(event) }
        if parts.contains(.content) { content.apply(event) }
        if parts.contains(.product) { product.apply(event) }
    }

    /// Replaces the views of `parts` with those of `other`.
    public mutating func take(_ parts: Parts, from other: Views) {
        if parts.contains(.policies) { policies = other.policies }
        if parts.contains(.support) { support = other.support }
        if parts.contains(.community) { community = other.community }
        if parts.contains(.content) { content = other.content }
        if parts.contains(.product) { product = other.product }
    }

    /// The canonical JSON bytes of ``answer(_:_:draft:)`` (what `JSONWriter.encode` gives for
    /// it); the long answers (`support tickets`, `support backlog`) are written without building
    /// their JSON values.
    public func encodedAnswer(_ name: ViewQueryName, _ q: ViewQuery, draft: JSONValue? = nil) throws(ViewQueryError) -> [UInt8] {
        var q = q
        q.policies = policies
        switch name {
        case .supportTickets: return try support.encodedTickets(q)
        case .supportBacklog: return try support.encodedBacklog(q)
        default: return JSONWriter.encode(try answer(name, q, draft: draft))
        }
    }

    /// The JSON of `view`/`query` (`support`/`sla`, …); `draft` is the input of `content check`.
    public func answer(_ name: ViewQueryName, _ q: ViewQuery, draft: JSONValue? = nil) throws(ViewQueryError) -> JSONValue {
        var q = q
        q.policies = policies
        switch name {
        case .supportSLA: return try support.sla(q)
        case .supportTickets: return try support.tickets(q)
        case .supportBacklog: return try support.backlog(q)
        case .communitySummary: return try community.summary(q)
        case .communityMembers: return try community.members(q)
        case .communityHeroes: return try community.heroes(q)
        case .contentMix: return try content.mix(q)
        case .contentCheck:
            guard let draft else { throw ViewQueryError(parameter: "draft", "content check needs a draft") }
            return try content.check(draft: draft, q)
        case .productIdeas: return try product.ideas(q)
        case .productMatrix: return try product.matrix(q)
        case .productLoop: return try product.loop(q)
        case .productProposals: return try product.proposals(q)
        }
    }
}

/// The queries of `views.md`, named as the CLI and the HTTP API name them.
public enum ViewQueryName: String, Sendable, CaseIterable {
    case supportSLA = "support/sla"
    case supportTickets = "support/tickets"
    case supportBacklog = "support/backlog"
    case communitySummary = "community/summary"
    case communityMembers = "community/members"
    case communityHeroes = "community/heroes"
    case contentMix = "content/mix"
    case contentCheck = "content/check"
    case productIdeas = "product/ideas"
    case productMatrix = "product/matrix"
    case productLoop = "product/loop"
    case productProposals = "product/proposals"

    /// The query of view `view` named `query`, if there is one.
    public init?(view: String, query: String) {
        self.init(rawValue: "\(view)/\(query)")
    }

    /// The parameters besides `as_of` (and `at_position`) the query reads (`views.md`): a window
    /// `from`/`to` for the support and content queries, a `week` for heroes.
    public var parameters: Set<String> {
        switch self {
        case .supportSLA, .supportTickets, .supportBacklog, .contentMix, .contentCheck: ["from", "to"]
        case .communityHeroes: ["week"]
        case .communitySummary, .communityMembers, .productIdeas, .productMatrix, .productLoop, .productProposals: []
        }
    }

    /// The queries that read the log alone (all but `content check`, which also reads a draft):
    /// the ones `parley audit replay` digests.
    public static var replayable: [ViewQueryName] { allCases.filter { $0 != .contentCheck } }

    /// A plain-text table of `json`, the answer to this query.
    public func render(_ json: JSONValue) -> String {
        switch self {
        case .supportSLA: return SupportView.renderSLA(json)
        case .supportTickets: return SupportView.renderTickets(json)
        case .supportBacklog: return SupportView.renderBacklog(json)
        case .communitySummary: return CommunityView.renderSummary(json)
        case .communityMembers: return CommunityView.renderMembers(json)
        case .communityHeroes: return CommunityView.renderHeroes(json)
        case .contentMix: return ContentView.renderMix(json)
        case .contentCheck: return ContentView.renderCheck(json)
        case .productIdeas: return ProductView.renderIdeas(json)
        case .productMatrix: return ProductView.renderMatrix(json)
        case .productLoop: return ProductView.renderLoop(json)
        case .productProposals: return ProductView.renderProposals(json)
        }
    }
}
