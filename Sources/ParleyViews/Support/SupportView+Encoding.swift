import ParleyModel

extension SupportView {
    /// The canonical JSON bytes of ``tickets(_:)`` (what `JSONWriter.encode` gives for it), written
    /// row by row without building the rows as JSON values: keys in bytewise order, values
    /// through the same writer.
    ///
    /// A few hundred bytes a ticket: the answer over tens of thousands of tickets is megabytes.
    public func encodedTickets(_ q: ViewQuery) throws(ViewQueryError) -> [UInt8] {
        let rows = standings(q, withTeams: true)
        var w = JSONWriter(capacity: 64 + rows.count * 280)
        w.raw(#"{"tickets":["#)
        for (i, s) in rows.enumerated() {
            let v = s.verdict
            w.raw(i == 0 ? #"{"due":"# : #",{"due":"#)
            w.write(instant: v.due)
            w.raw(v.escalated ? #","escalated":true,"first_response":"# : #","escalated":false,"first_response":"#)
            w.write(instant: v.firstResponse)
            w.raw(#","frt_s":"#)
            w.write(Self.seconds(v.frt))
            w.raw(#","member":"#)
            w.write(string: s.member)
            w.raw(#","opened":"#)
            w.write(instant: s.opened)
            w.raw(#","resolution_s":"#)
            w.write(Self.seconds(v.resolution))
            w.raw(#","sla":"#)
            w.write(string: v.sla.text)
            w.raw(v.isResolved ? #","status":"resolved","teams":["# : #","status":"open","teams":["#)
            for (j, team) in s.teams.enumerated() {
                if j > 0 { w.raw(",") }
                w.write(string: team)
            }
            w.raw(#"],"ticket":"#)
            w.write(string: s.ticket)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }

    /// The canonical JSON bytes of ``backlog(_:)``, written as ``encodedTickets(_:)`` writes.
    public func encodedBacklog(_ q: ViewQuery) throws(ViewQueryError) -> [UInt8] {
        let rows = backlogStandings(q)
        var w = JSONWriter(capacity: 64 + rows.count * 130)
        w.raw(#"{"tickets":["#)
        for (i, s) in rows.enumerated() {
            w.raw(i == 0 ? #"{"due":"# : #",{"due":"#)
            w.write(instant: s.verdict.due)
            w.raw(#","member":"#)
            w.write(string: s.member)
            w.raw(#","opened":"#)
            w.write(instant: s.opened)
            w.raw(#","sla":"#)
            w.write(string: s.verdict.sla.text)
            w.raw(#","ticket":"#)
            w.write(string: s.ticket)
            w.raw("}")
        }
        w.raw("]}")
        return w.bytes
    }
}

extension JSONWriter {
    /// Appends an instant as its RFC 3339 string, or `null`.
    mutating func write(instant: Instant?) {
        if let instant { write(string: instant.rfc3339) } else { raw("null") }
    }
}
