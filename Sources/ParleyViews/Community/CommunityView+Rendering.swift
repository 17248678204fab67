public import ParleyModel

extension CommunityView {
    /// The `summary` JSON as text: headline numbers, then roles and flags.
    public static func renderSummary(_ json: JSONValue) -> String {
        let (c, percent) = (AlignedColumns.cell, AlignedColumns.percent)
        var head = AlignedColumns(["as of", "members", "active", "core share", "D7 return", "D30 return", "UGC"])
        head.add([c(json["as_of"]), c(json["members"]), c(json["active"]), percent(json["core_share"]),
                  percent(json["d7_return"]), percent(json["d30_return"]), c(json["ugc"])])
        var roles = AlignedColumns(["role", "members"])
        for role in ["moderator", "expert", "newcomer", "activist", "regular", "dormant"] {
            roles.add([role, c(json["roles"]?[role])])
        }
        var flags = AlignedColumns(["flag reason", "flags"])
        for reason in flagReasons + ["total"] { flags.add([reason, c(json["flags"]?[reason])]) }
        return head.text + "\n" + roles.text + "\n" + flags.text
    }

    /// The `members` JSON as a table, one member a row.
    public static func renderMembers(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["member", "first seen", "role", "contributions", "last active"])
        for m in json["members"]?.arrayValue ?? [] {
            table.add([c(m["member"]), c(m["first_seen"]), c(m["role"]), c(m["contributions"]), c(m["last_active"])])
        }
        return table.text
    }

    /// The `heroes` JSON as a ranked table.
    public static func renderHeroes(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["rank", "member", "score"])
        for (i, h) in (json["heroes"]?.arrayValue ?? []).enumerated() {
            table.add([String(i + 1), c(h["member"]), c(h["score"])])
        }
        return "Heroes of \(c(json["week"]))\n" + table.text
    }
}
