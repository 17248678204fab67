import ParleyModel

/// Plain-text tables for people: an optional header row and rows of cells, each column padded to
/// its widest cell, two spaces between columns. Columns of numbers (percentages and signed
/// numbers too) are right-aligned, and so are the columns named in `rightAligned`.
struct AlignedColumns {
    /// The column titles; nil for a table of label and value lines.
    var header: [String]?
    /// Columns right-aligned whatever their cells (durations such as `2h 05m`).
    var rightAligned: Set<Int>
    /// What a table with a header and no rows says under it, e.g. `(no tickets)`.
    var empty: String?
    /// The rows, one cell per column.
    var rows: [[String]] = []

    init(_ header: [String]?, rightAligned: Set<Int> = [], empty: String? = nil) {
        self.header = header
        self.rightAligned = rightAligned
        self.empty = empty
    }

    /// Appends a row.
    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table as lines of text, ending with a newline.
    var text: String {
        let all = (header.map { [$0] } ?? []) + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = Array(repeating: 0, count: columns)
        var numeric = Array(repeating: !rows.isEmpty, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        for row in rows {
            for (i, cell) in row.enumerated() where !Self.looksNumeric(cell) { numeric[i] = false }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                if i > 0 { line += "  " }
                line += numeric[i] || rightAligned.contains(i) ? pad + cell : cell + pad
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        if header != nil, rows.isEmpty, let empty { out += empty + "\n" }
        return out
    }

    static func looksNumeric(_ cell: String) -> Bool {
        cell == "-" || Double(cell.hasSuffix("%") ? String(cell.dropLast()) : cell) != nil
    }

    /// A JSON value as a table cell: strings bare, `null` as `-`, ratios with up to 4 decimals.
    static func cell(_ v: JSONValue?) -> String {
        switch v {
        case nil, .null?: return "-"
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?:
            let scaled = (d * 10_000).rounded() / 10_000
            return scaled.rounded() == scaled ? String(Int64(scaled)) : String(scaled)
        case .bool(let b)?: return b ? "yes" : "no"
        case let other?: return JSONWriter.string(other)
        }
    }

    /// A ratio as a percentage with one decimal (`0.6042` is `60.4%`); `-` for null.
    static func percent(_ value: JSONValue?) -> String {
        guard let ratio = value?.doubleValue else { return "-" }
        return tenths(ratio * 100) + "%"
    }

    /// Percentage points with their sign and one decimal (`+30.4`, `-20.2`); `-` for null.
    static func points(_ value: JSONValue?) -> String {
        guard let points = value?.doubleValue else { return "-" }
        let shown = tenths(points)
        return shown.hasPrefix("-") || shown == "0.0" ? shown : "+" + shown
    }

    /// `value` rounded to one decimal, without a minus sign on a zero.
    private static func tenths(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
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
}
