public import ParleyModel

/// The content view of `views.md`: the mix of posts against the policy's targets, the brand's
/// publishing hygiene, engagement, the best hour to post, and the lint of a draft.
///
/// Readings of the spec this view makes:
/// - A post is the first `post.published` of its id; later ones with that id are ignored for
///   everything (they are not posts of their own, and they do not change the first one).
/// - Engagement counts every engagement event as of T naming the post, whoever made it (the brand
///   too) and whenever it happened, even before the post's own `post.published` (backfills).
/// - `best_hour` counts the contributions of `views.md` "Members" (nothing by the brand), each
///   `post.published` event as it is.
///
/// Complexity: `apply` O(1) amortized; `mix` O(p log p + c) for p posts and c contributions in
/// the window.
public struct ContentView: Sendable {
    /// A post as its first `post.published` describes it.
    struct Post: Sendable {
        var id: String
        var time: Instant
        /// Whether its author is `brand`.
        var byBrand: Bool
        var kind: String
        var format: String?
        /// `none` when absent.
        var nextStep: String
        var adLabel: Bool
        var captions: Bool
    }

    /// The posts, in (time, position) order of their first `post.published`.
    var posts: [Post] = []
    /// The ids of the posts seen, so later `post.published` with those ids are ignored.
    var postIDs: Set<String> = []
    /// Times of `reaction.added` (by target), `comment.posted`, `post.shared`, `post.saved` and
    /// `poll.voted` (by post), for every id named.
    var engagement: [String: SortedInstants] = [:]
    /// Times of every contribution, ascending.
    var contributions = SortedInstants()

    /// An empty view.
    public init() {}

    /// Takes in one event; events come in (time, position) order. Unknown types are ignored.
    ///
    /// Complexity: O(1) amortized.
    public mutating func apply(_ event: Event) {
        let data = event.data
        switch event.type {
        case "post.published":
            guard let id = data["post"]?.stringValue, let author = data["author"]?.stringValue,
                let kind = data["kind"]?.stringValue
            else { return }
            if author != "brand" { contributions.append(event.time) }
            guard postIDs.insert(id).inserted else { return }
            posts.append(Post(
                id: id, time: event.time, byBrand: author == "brand", kind: kind,
                format: data["format"]?.stringValue, nextStep: data["next_step"]?.stringValue ?? "none",
                adLabel: data["ad_label"]?.boolValue ?? false, captions: data["captions"]?.boolValue ?? false))
        case "comment.posted":
            if let author = data["author"]?.stringValue, author != "brand" { contributions.append(event.time) }
            engage(data["post"], at: event.time)
        case "reaction.added":
            if let member = data["member"]?.stringValue, member != "brand" { contributions.append(event.time) }
            engage(data["target"], at: event.time)
        case "poll.voted", "post.shared":
            if let member = data["member"]?.stringValue, member != "brand" { contributions.append(event.time) }
            engage(data["post"], at: event.time)
        case "post.saved":
            engage(data["post"], at: event.time)
        case "idea.proposed":
            if let author = data["author"]?.stringValue, author != "brand" { contributions.append(event.time) }
        case "idea.voted":
            if let member = data["member"]?.stringValue, member != "brand" { contributions.append(event.time) }
        default:
            break
        }
    }

    /// Counts an engagement event for the post `id`.
    private mutating func engage(_ id: JSONValue?, at time: Instant) {
        guard let id = id?.stringValue else { return }
        engagement[id, default: SortedInstants()].append(time)
    }

    /// The posts whose first `post.published` lies in `(from, to]`, in time order.
    func posts(after from: Instant, through to: Instant) -> ArraySlice<Post> {
        guard from < to else { return [] }
        let lo = prefixThrough(posts, from) { $0.time }
        let hi = prefixThrough(posts, to) { $0.time }
        return posts[lo..<max(lo, hi)]
    }

    /// The four mix kinds, in the order tables show them.
    static let mixKinds = ["engaging", "ugc", "educational", "promotional"]
}
