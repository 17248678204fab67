public import ParleyModel

extension SupportView {
    /// The `sla` answer as text for people: one line per figure, durations as `1d 2h 03m`.
    public static func renderSLA(_ json: JSONValue) -> String {
        let (c, duration, percent) = (AlignedColumns.cell, AlignedColumns.duration, AlignedColumns.percent)
        var lines = AlignedColumns(nil)
        func stats(_ key: String, _ label: String) {
            let s = json[key]
            lines.add(["\(label) count", c(s?["count"])])
            lines.add(["  mean", duration(s?["mean_s"])])
            lines.add(["  median", duration(s?["median_s"])])
            lines.add(["  p90", duration(s?["p90_s"])])
        }
        lines.add(["as of", c(json["as_of"])])
        lines.add(["opened after", c(json["from"])])
        lines.add(["opened up to", c(json["to"])])
        for key in ["tickets", "met", "breached", "pending"] { lines.add([key, c(json[key])]) }
        lines.add(["attainment", percent(json["attainment"])])
        stats("first_response", "first response")
        for key in ["open", "resolved", "escalated"] { lines.add([key, c(json[key])]) }
        lines.add(["resolved without escalation", percent(json["resolved_without_escalation"])])
        stats("resolution", "resolution")
        return lines.text
    }

    /// The `tickets` answer as a table, one line per ticket.
    public static func renderTickets(_ json: JSONValue) -> String {
        let (c, duration) = (AlignedColumns.cell, AlignedColumns.duration)
        var table = AlignedColumns(
            ["ticket", "member", "opened", "status", "sla", "first response", "escalated", "teams", "resolution", "due"],
            rightAligned: [5, 8], empty: "(no tickets)")
        for t in json["tickets"]?.arrayValue ?? [] {
            table.add([
                c(t["ticket"]), c(t["member"]), c(t["opened"]), c(t["status"]), c(t["sla"]),
                duration(t["frt_s"]), t["escalated"]?.boolValue == true ? "yes" : "no",
                (t["teams"]?.arrayValue ?? []).map { c($0) }.joined(separator: ","),
                duration(t["resolution_s"]), c(t["due"]),
            ])
        }
        return table.text
    }

    /// The `backlog` answer as a table, most urgent first.
    public static func renderBacklog(_ json: JSONValue) -> String {
        let c = AlignedColumns.cell
        var table = AlignedColumns(["ticket", "member", "opened", "sla", "due"], empty: "(no tickets)")
        for t in json["tickets"]?.arrayValue ?? [] {
            table.add([c(t["ticket"]), c(t["member"]), c(t["opened"]), c(t["sla"]), c(t["due"])])
        }
        return table.text
    }
}
