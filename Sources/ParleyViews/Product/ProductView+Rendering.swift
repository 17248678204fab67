public import ParleyModel

extension ProductView {
    /// The `ideas` JSON as a table, one idea a row.
    public static func renderIdeas(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["idea", "votes", "status", "impact", "cost", "quadrant", "author", "proposed", "title"])
        for i in json["ideas"]?.arrayValue ?? [] {
            table.add([c(i["idea"]), c(i["votes"]), c(i["status"]), c(i["impact"]), c(i["cost"]),
                       c(i["quadrant"]), c(i["author"]), c(i["proposed"]), c(i["title"])])
        }
        return table.text
    }

    /// The `matrix` JSON as text: one line per quadrant with its ideas in order.
    public static func renderMatrix(_ json: JSONValue) -> String {
        var table = AlignedColumns(["quadrant", "ideas"])
        for quadrant in quadrants {
            let ids = (json[quadrant]?.arrayValue ?? []).map { AlignedColumns.cell($0) }
            table.add([quadrant, ids.isEmpty ? "-" : ids.joined(separator: ", ")])
        }
        return table.text
    }

    /// The `loop` JSON as text: the closure numbers, then the open loops.
    public static func renderLoop(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var head = AlignedColumns(["shipped", "closed", "closure rate", "median days to announce"])
        head.add([c(json["shipped"]), c(json["closed"]), AlignedColumns.percent(json["closure_rate"]), c(json["median_days_to_announce"])])
        var loops = AlignedColumns(["open loop", "shipped at", "owed"])
        for l in json["open_loops"]?.arrayValue ?? [] {
            let owed = (l["owed"]?.arrayValue ?? []).map { c($0) }
            loops.add([c(l["idea"]), c(l["shipped_at"]), owed.isEmpty ? "-" : owed.joined(separator: ", ")])
        }
        return head.text + "\n" + loops.text
    }

    /// The `proposals` JSON as a table, one month a row.
    public static func renderProposals(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["month", "proposed", "valid"])
        for m in json["months"]?.arrayValue ?? [] { table.add([c(m["month"]), c(m["proposed"]), c(m["valid"])]) }
        return table.text
    }
}
