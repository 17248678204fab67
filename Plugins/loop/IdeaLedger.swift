import ParleyModel

/// The ideas as the events tell them, in position order: who proposed each, who votes for it,
/// what was merged into what, who was told by an announcement, and each idea's status.
///
/// Merges follow the product view's rules (`views.md`, "Product"): one is ignored when its idea
/// is not proposed, when its target was not proposed before it, or when it would close a cycle;
/// a later merge of the same idea replaces an earlier one.
struct IdeaLedger: Sendable {
    /// First proposals: author and title by idea.
    private(set) var proposals: [String: (author: String, title: String)] = [:]
    /// Each member's latest vote (true) or unvote (false), by idea; never the brand's.
    private var votes: [String: [String: Bool]] = [:]
    /// The idea each merged idea was merged into.
    private var mergedInto: [String: String] = [:]
    /// Members named in `notified` of announcements listing the idea.
    private var notified: [String: Set<String>] = [:]
    /// The latest status by idea.
    private(set) var status: [String: String] = [:]

    /// Takes in one event of `idea.*` or `announcement.published`; others are ignored.
    mutating func apply(_ event: Event) {
        let data = event.data
        guard event.type != "announcement.published" else {
            let members = (data["notified"]?.arrayValue ?? []).compactMap(\.stringValue)
            for idea in (data["ideas"]?.arrayValue ?? []).compactMap(\.stringValue) {
                notified[idea, default: []].formUnion(members)
            }
            return
        }
        guard let idea = data["idea"]?.stringValue else { return }
        switch event.type {
        case "idea.proposed":
            guard proposals[idea] == nil, let author = data["author"]?.stringValue else { return }
            proposals[idea] = (author, data["title"]?.stringValue ?? "")
        case "idea.voted", "idea.unvoted":
            guard let member = data["member"]?.stringValue, member != "brand" else { return }
            votes[idea, default: [:]][member] = event.type == "idea.voted"
        case "idea.merged":
            guard let into = data["into"]?.stringValue, proposals[idea] != nil, proposals[into] != nil else { return }
            var current = into
            while current != idea, let next = mergedInto[current] { current = next }
            guard current != idea else { return }
            mergedInto[idea] = into
        case "idea.status_changed":
            if let s = data["status"]?.stringValue { status[idea] = s }
        default:
            break
        }
    }

    /// Whether `idea` was merged into another.
    func isMerged(_ idea: String) -> Bool { mergedInto[idea] != nil }

    /// The members owed word of `idea` shipping: its author, the authors of the ideas merged
    /// into it (transitively) and the voters of all of them, less the brand and everyone an
    /// announcement listing `idea` has notified; sorted bytewise.
    ///
    /// - Complexity: O(m) in the number of merges, plus the voters.
    func owed(_ idea: String) -> [String] {
        var family = [idea]
        for merged in mergedInto.keys where end(of: merged) == idea { family.append(merged) }
        var owed: Set<String> = []
        for member in family {
            if let author = proposals[member]?.author { owed.insert(author) }
            for (voter, voted) in votes[member] ?? [:] where voted { owed.insert(voter) }
        }
        owed.remove("brand")
        owed.subtract(notified[idea] ?? [])
        return owed.sorted { $0.utf8Precedes($1) }
    }

    private func end(of idea: String) -> String {
        var current = idea
        while let next = mergedInto[current] { current = next }
        return current
    }
}
