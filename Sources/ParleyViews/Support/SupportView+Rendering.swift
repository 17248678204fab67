public import ParleyModel

extension SupportView {
    /// The `sla` answer as text for people: one line per figure, durations as `1d 2h 03m`.
    public static func renderSLA(_ json: JSONValue) -> String {
        func stats(_ key: String, _ label: String) -> [[String]] {
            let s = json[key]
            return [
                ["\(label) count", text(s?["count"])],
                ["  mean", duration(s?["mean_s"])],
                ["  median", duration(s?["median_s"])],
                ["  p90", duration(s?["p90_s"])],
            ]
        }
        var rows: [[String]] = [
            ["as of", text(json["as_of"])],
            ["opened after", json["from"]?.isNull == false ? text(json["from"]) : "-"],
            ["opened up to", text(json["to"])],
            ["tickets", text(json["tickets"])],
            ["met", text(json["met"])],
            ["breached", text(json["breached"])],
            ["pending", text(json["pending"])],
            ["attainment", percent(json["attainment"])],
        ]
        rows += stats("first_response", "first response")
        rows += [
            ["open", text(json["open"])],
            ["resolved", text(json["resolved"])],
            ["escalated", text(json["escalated"])],
            ["resolved without escalation", percent(json["resolved_without_escalation"])],
        ]
        rows += stats("resolution", "resolution")
        return table(header: nil, rows: rows, rightAligned: [])
    }

    /// The `tickets` answer as a table, one line per ticket.
    public static func renderTickets(_ json: JSONValue) -> String {
        let rows = (json["tickets"]?.arrayValue ?? []).map { t -> [String] in
            [
                text(t["ticket"]), text(t["member"]), text(t["opened"]), text(t["status"]), text(t["sla"]),
                duration(t["frt_s"]), t["escalated"]?.boolValue == true ? "yes" : "no",
                (t["teams"]?.arrayValue ?? []).map { text($0) }.joined(separator: ","),
                duration(t["resolution_s"]), text(t["due"]),
            ]
        }
        return table(
            header: ["TICKET", "MEMBER", "OPENED", "STATUS", "SLA", "FIRST RESPONSE", "ESCALATED", "TEAMS", "RESOLUTION", "DUE"],
            rows: rows, rightAligned: [5, 8])
    }

    /// The `backlog` answer as a table, most urgent first.
    public static func renderBacklog(_ json: JSONValue) -> String {
        let rows = (json["tickets"]?.arrayValue ?? []).map { t -> [String] in
            [text(t["ticket"]), text(t["member"]), text(t["opened"]), text(t["sla"]), text(t["due"])]
        }
        return table(header: ["TICKET", "MEMBER", "OPENED", "SLA", "DUE"], rows: rows, rightAligned: [])
    }

    /// A scalar as plain text; `-` for null or missing.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        case .bool(let b)?: return b ? "true" : "false"
        default: return "-"
        }
    }

    /// A ratio as a percentage with one decimal; `-` for null.
    static func percent(_ value: JSONValue?) -> String {
        guard let r = value?.doubleValue else { return "-" }
        let tenths = Int((r * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// Seconds as `1d 2h 03m`, `2h 05m`, `4m 10s` or `12.5s`; `-` for null.
    static func duration(_ value: JSONValue?) -> String {
        guard let s = value?.doubleValue else { return "-" }
        if s < 60 { return s == s.rounded() ? "\(Int(s))s" : "\(String((s * 10).rounded() / 10))s" }
        let total = Int(s.rounded(.down))
        let (d, h, m, sec) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if d > 0 { return "\(d)d \(h)h \(two(m))m" }
        if h > 0 { return "\(h)h \(two(m))m" }
        return "\(m)m \(two(sec))s"
    }

    /// Aligned columns separated by two spaces, with an optional header line.
    static func table(header: [String]?, rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let columns = all.map(\.count).max(), columns > 0 else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                if i > 0 { line += "  " }
                line += rightAligned.contains(i) ? pad + cell : (i == row.count - 1 ? cell : cell + pad)
            }
            out += line + "\n"
        }
        if header != nil, rows.isEmpty { out += "(no tickets)\n" }
        return out
    }
}
