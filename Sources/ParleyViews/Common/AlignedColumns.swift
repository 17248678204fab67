import ParleyModel

/// Plain-text tables for people: a header row and rows of cells, each column padded to its widest
/// cell (numbers right-aligned), two spaces between columns.
struct AlignedColumns {
    /// The column titles.
    var header: [String]
    /// The rows, one cell per column.
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    /// Appends a row.
    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table as lines of text, ending with a newline.
    var text: String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        var numeric = Array(repeating: true, count: header.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < numeric.count && !Self.looksNumeric(cell) { numeric[i] = false }
        }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                if i > 0 { line += "  " }
                line += numeric[i] && !rows.isEmpty ? pad + cell : cell + pad
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    static func looksNumeric(_ cell: String) -> Bool {
        cell == "-" || Double(cell) != nil
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
}
