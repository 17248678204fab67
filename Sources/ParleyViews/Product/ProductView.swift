public import ParleyModel

/// The product view of `views.md`: ideas with their votes, status and estimate, the
/// impact/cost matrix, closing the loop on shipped ideas, and proposals per month.
///
/// The view keeps each idea's history (statuses, estimates, each member's votes), every merge in
/// event order and every announcement; a query resolves them as of its T (see
/// ``ProductView/resolve(asOf:)`` for how merges are read).
///
/// Readings of the spec this view makes:
/// - An idea exists as of T when its first `idea.proposed` is timed ≤ T; the title, author and
///   proposed time are that first event's. Its other events (votes, statuses, estimates) count as
///   of T even when timed before the proposal, as a backfill may do.
/// - Votes, statuses, estimates, merges and announcements of ideas never proposed are ignored;
///   the brand's votes too.
/// - An announcement counts only for the ideas it lists by id: one listing a merged idea neither
///   notifies nor announces the idea it was merged into.
/// - `shipped_at` is the time of the latest `idea.status_changed` to `shipped`; the days to
///   announce are fractional days of 86,400 s.
///
/// Complexity: `apply` O(1) amortized; queries O(e log e) for e ideas, plus the merges and
/// announcements as of T.
public struct ProductView: Sendable {
    /// An idea as its first `idea.proposed` describes it.
    struct Proposal: Sendable {
        /// The order of that event among all events applied (stands for (time, position)).
        var sequence: Int
        var time: Instant
        var author: String
        var title: String
    }

    /// One `idea.merged`, in event order.
    struct Merge: Sendable {
        var sequence: Int
        var time: Instant
        var idea: String
        var into: String
    }

    /// One `announcement.published`.
    struct Announcement: Sendable {
        var time: Instant
        var ideas: [String]
        var notified: [String]
    }

    /// The number of events applied so far: the event order of what is recorded.
    var applied = 0
    /// First proposals by idea id.
    var proposals: [String: Proposal] = [:]
    /// `idea.status_changed` per idea, in order.
    var statuses: [String: [(time: Instant, status: String)]] = [:]
    /// `idea.estimated` per idea, in order.
    var estimates: [String: [(time: Instant, impact: Int64, cost: Int64)]] = [:]
    /// `idea.voted` (true) / `idea.unvoted` (false) per idea and member, in order.
    var votes: [String: [String: [(time: Instant, voted: Bool)]]] = [:]
    /// Every `idea.merged`, in order.
    var merges: [Merge] = []
    /// Every `announcement.published`, in order.
    var announcements: [Announcement] = []

    /// An empty view.
    public init() {}

    /// Takes in one event; events come in (time, position) order. Unknown types are ignored.
    ///
    /// Complexity: O(1) amortized (O(k) for an announcement listing k ideas and members).
    public mutating func apply(_ event: Event) {
        applied += 1
        let data = event.data
        switch event.type {
        case "idea.proposed":
            guard let idea = data["idea"]?.stringValue, proposals[idea] == nil,
                let author = data["author"]?.stringValue, let title = data["title"]?.stringValue
            else { return }
            proposals[idea] = Proposal(sequence: applied, time: event.time, author: author, title: title)
        case "idea.status_changed":
            guard let idea = data["idea"]?.stringValue, let status = data["status"]?.stringValue else { return }
            statuses[idea, default: []].append((event.time, status))
        case "idea.estimated":
            guard let idea = data["idea"]?.stringValue, let impact = data["impact"]?.intValue,
                let cost = data["cost"]?.intValue
            else { return }
            estimates[idea, default: []].append((event.time, impact, cost))
        case "idea.voted", "idea.unvoted":
            guard let idea = data["idea"]?.stringValue, let member = data["member"]?.stringValue, member != "brand" else { return }
            votes[idea, default: [:]][member, default: []].append((event.time, event.type == "idea.voted"))
        case "idea.merged":
            guard let idea = data["idea"]?.stringValue, let into = data["into"]?.stringValue else { return }
            merges.append(Merge(sequence: applied, time: event.time, idea: idea, into: into))
        case "announcement.published":
            guard let ideas = data["ideas"]?.arrayValue, let notified = data["notified"]?.arrayValue else { return }
            announcements.append(Announcement(
                time: event.time, ideas: ideas.compactMap(\.stringValue), notified: notified.compactMap(\.stringValue)))
        default:
            break
        }
    }
}
