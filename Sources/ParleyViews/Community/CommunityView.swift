public import ParleyModel

/// The community view of `views.md`: members, their roles and return, UGC, flags and heroes.
///
/// State is kept per member: when they were first seen, their contributions' times (sorted, so
/// that window counts are binary searches) with the kind of each, and the history of their
/// moderator and expert roles. Every query reads it as of its own T.
///
/// Readings of the spec this view makes:
/// - A member is known from the earliest `member.joined`, `member.role_assigned` or contribution;
///   `member.role_revoked` alone does not make anyone known.
/// - `brand` is never a member: events about `brand` (joins, role changes, contributions) are
///   ignored.
/// - `ugc` and contributions count `post.published` events as they are: two events with the same
///   post id are two contributions (the "first post wins" rule is the content view's).
/// - A hero week is `[Monday 00:00, next Monday 00:00)` local time.
///
/// Complexity: `apply` O(1) amortized; queries O(m log c) for m members of c contributions each.
public struct CommunityView: Sendable {
    /// What a contribution is, for hero weights.
    enum ContributionKind: UInt8, Sendable {
        case post, comment, idea, other
    }

    /// One member's history.
    struct Member: Sendable {
        /// The time of the earliest event making them known; `nil` while only revocations are seen.
        var firstSeen: Instant?
        /// Their contributions' times, ascending.
        var contributions = SortedInstants()
        /// The kind of each contribution, parallel to `contributions`.
        var kinds: [ContributionKind] = []
        /// `member.role_assigned` (true) / `member.role_revoked` (false) for moderator, in order.
        var moderator: [(time: Instant, assigned: Bool)] = []
        /// Likewise for expert.
        var expert: [(time: Instant, assigned: Bool)] = []
    }

    /// Members by id.
    var members: [String: Member] = [:]
    /// Times of `post.published` by members (not the brand).
    var ugcPosts = SortedInstants()
    /// Times of `moderation.flagged`, by reason.
    var flags: [String: SortedInstants] = [:]

    /// The five reasons of `moderation.flagged`.
    static let flagReasons = ["toxic", "spam", "offtopic", "rate_limit", "stop_word"]

    /// An empty view.
    public init() {}

    /// Takes in one event; events come in (time, position) order. Unknown types are ignored.
    ///
    /// Complexity: O(1) amortized.
    public mutating func apply(_ event: Event) {
        let data = event.data
        switch event.type {
        case "member.joined":
            if let m = data["member"]?.stringValue { know(m, at: event.time) }
        case "member.role_assigned", "member.role_revoked":
            guard let m = data["member"]?.stringValue, m != "brand", let role = data["role"]?.stringValue else { return }
            let assigned = event.type == "member.role_assigned"
            if assigned { know(m, at: event.time) }
            switch role {
            case "moderator": members[m, default: Member()].moderator.append((event.time, assigned))
            case "expert": members[m, default: Member()].expert.append((event.time, assigned))
            default: break
            }
        case "post.published":
            guard let author = data["author"]?.stringValue, author != "brand" else { return }
            ugcPosts.append(event.time)
            contribute(author, .post, at: event.time)
        case "comment.posted":
            if let author = data["author"]?.stringValue { contribute(author, .comment, at: event.time) }
        case "idea.proposed":
            if let author = data["author"]?.stringValue { contribute(author, .idea, at: event.time) }
        case "reaction.added", "poll.voted", "post.shared", "idea.voted":
            if let m = data["member"]?.stringValue { contribute(m, .other, at: event.time) }
        case "moderation.flagged":
            if let reason = data["reason"]?.stringValue { flags[reason, default: SortedInstants()].append(event.time) }
        default:
            break
        }
    }

    /// Makes `member` known from `time` unless known already.
    private mutating func know(_ member: String, at time: Instant) {
        guard member != "brand" else { return }
        Self.know(&members[member, default: Member()], at: time)
    }

    private static func know(_ member: inout Member, at time: Instant) {
        if member.firstSeen == nil { member.firstSeen = time }
    }

    /// Records a contribution by `member` (none by the brand).
    private mutating func contribute(_ member: String, _ kind: ContributionKind, at time: Instant) {
        guard member != "brand" else { return }
        // One lookup, the member changed in place.
        Self.contribute(&members[member, default: Member()], kind, at: time)
    }

    private static func contribute(_ member: inout Member, _ kind: ContributionKind, at time: Instant) {
        know(&member, at: time)
        member.contributions.append(time)
        member.kinds.append(kind)
    }
}

extension CommunityView.Member {
    /// Whether the latest change ≤ `t` in `changes` is an assignment.
    static func holds(_ changes: [(time: Instant, assigned: Bool)], at t: Instant) -> Bool {
        let n = prefixThrough(changes, t) { $0.time }
        return n > 0 && changes[n - 1].assigned
    }

    /// The member's role as of `t`, given the window and thresholds of the community policy.
    func role(at t: Instant, windowStart: Instant, newcomerSince: Instant, activistMin: Double) -> String {
        if Self.holds(moderator, at: t) { return "moderator" }
        if Self.holds(expert, at: t) { return "expert" }
        if let firstSeen, firstSeen > newcomerSince { return "newcomer" }
        let inWindow = contributions.count(after: windowStart, through: t)
        if Double(inWindow) >= activistMin { return "activist" }
        if inWindow >= 1 { return "regular" }
        return "dormant"
    }
}
