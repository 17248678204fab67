import Testing
import ParleyDemo
@testable import ParleyLog
@testable import ParleyModel

/// The import's fast path (``ScannedEvent``) against the general one (``JSONParser``, then
/// ``NewEvent/init(json:)``): it may leave any line to the general path, but a line it takes
/// must be one the general path accepts, prepared to the same bytes.
@Suite struct EventLineScannerTests {
    /// Both ways of preparing `line`: the scan's (nil when it leaves the line), and the general
    /// path's (nil when it refuses the line).
    private func prepare(_ line: [UInt8]) -> (scanned: PreparedEvent?, general: PreparedEvent?) {
        var scanner = EventLineScanner()
        let scanned = line.withUnsafeBufferPointer { scanner.scan($0, PreparedEvent.init) }
        let general = try? PreparedEvent(NewEvent(json: JSONParser.parse(line)))
        return (scanned, general)
    }

    private func expectSame(_ a: PreparedEvent, _ b: PreparedEvent, _ line: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let text = String(decoding: line, as: UTF8.self)
        #expect(a.pieces == b.pieces, "\(text)", sourceLocation: sourceLocation)
        #expect(a.idEnd == b.idEnd && a.positionAt == b.positionAt, "\(text)", sourceLocation: sourceLocation)
        #expect(a.id == b.id && a.stream == b.stream && a.expectedVersion == b.expectedVersion, "\(text)", sourceLocation: sourceLocation)
    }

    /// The lines an import usually holds take the scan.
    @Test(arguments: [
        #"{"data":{"author":"m0","comment":"c0","post":"p0","text":"Thanks! #0"},"id":"bench-0","stream":"member:m0","time":"2026-05-28T20:26:40Z","type":"comment.posted"}"#,
        #"  { "stream": "s", "type": "test.note", "time": "2026-05-28T22:26:40.5+02:00", "data": { "n": [1, -2, true, null, {"a": "é"}] }, "meta": {"by": "x"}, "source": "telegram", "expected_version": 0 }  "#,
        #"{"data":{"member":"m1","role":"expert"},"hash":"ab","id":"e1","meta":{},"position":3,"recorded":"2026-05-28T20:26:40Z","source":"api","stream":"member:m1","time":"2026-05-28T20:26:40Z","type":"member.role_assigned","version":1}"#,
        #"{"stream":"idea:1","type":"idea.estimated","time":"2026-01-01T00:00:00Z","data":{"cost":5,"idea":"1","impact":1}}"#,
        #"{"stream":"s","type":"ticket.opened","time":"2026-01-01T00:00:00Z","data":{"ticket":"t1","member":"m","x":{"b":[{"d":1,"c":2}],"a":"é"}}}"#,
        #"{"stream":"a:1","type":"announcement.published","time":"2026-01-01T00:00:00Z","data":{"announcement":"a1","ideas":["i1","i2"],"notified":[],"post":null}}"#,
    ])
    func usualLinesTakeTheScan(line: String) throws {
        let bytes = Array(line.utf8)
        let (scanned, general) = prepare(bytes)
        let a = try #require(scanned, "the scan left a usual line to the general path")
        let b = try #require(general)
        expectSame(a, b, bytes)
    }

    /// Lines the scan must leave to the general path: it would write other bytes, or the line
    /// is refused and the general path names why.
    @Test(arguments: [
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"a":"\u0041"}}"#,  // an escape
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"a":-0}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"a":1.0}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"a":9223372036854775808}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"a":1,"a":2}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{"b":1,"a":2,"b":3}}"#,
        #"{"stream":"s","stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{},"position":1,"position":2}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{},"extra":1}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{},"meta":null}"#,
        #"{"stream":"s","type":"T","time":"2026-01-01T00:00:00Z","data":{}}"#,
        #"{"stream":"","type":"t","time":"2026-01-01T00:00:00Z","data":{}}"#,
        #"{"stream":"s","type":"t","time":"2026-02-30T00:00:00Z","data":{}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{},"expected_version":-1}"#,
        #"{"stream":"s","type":"member.role_assigned","time":"2026-01-01T00:00:00Z","data":{"member":"m","role":"\#u{212A}"}}"#,
        #"{"stream":"s","type":"member.role_assigned","time":"2026-01-01T00:00:00Z","data":{"member":"m","role":"owner"}}"#,
        #"{"stream":"s","type":"idea.estimated","time":"2026-01-01T00:00:00Z","data":{"cost":6,"idea":"1","impact":1}}"#,
        #"{"stream":"s","type":"policy.set","time":"2026-01-01T00:00:00Z","data":{"name":"sla","value":{}}}"#,
        #"{"stream":"s","type":"t","time":"2026-01-01T00:00:00Z","data":{}} x"#,
    ])
    func unusualLinesAreLeftToTheGeneralPath(line: String) {
        var scanner = EventLineScanner()
        #expect(Array(line.utf8).withUnsafeBufferPointer { scanner.scan($0) { _ in true } } == nil)
    }

    /// Random lines, valid and not, written every way JSON allows.
    @Test(arguments: [1, 2, 3])
    func theScanAgreesWithTheGeneralPath(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var scannedCount = 0, generalOnly = 0
        for _ in 0..<3000 {
            var writer = LineWriter(rng: rng)
            let line = writer.event()
            rng = writer.rng
            let (scanned, general) = prepare(line)
            if let scanned {
                scannedCount += 1
                guard let general else {
                    Issue.record("the scan took a line the general path refuses: \(String(decoding: line, as: UTF8.self))")
                    continue
                }
                expectSame(scanned, general, line)
            } else if general != nil {
                generalOnly += 1
            }
        }
        // Both paths are exercised, or the comparison says little.
        #expect(scannedCount > 1000 && generalOnly > 100, "scanned \(scannedCount), general path only \(generalOnly)")
    }
}

/// Writes random event lines: half of them plain, the others with parts written unusually or
/// wrongly.
private struct LineWriter {
    var rng: SeededGenerator
    private var out: [UInt8] = []
    /// How likely each unusual part is: 0 in a plain line, up to 1 in a messy one.
    private var messiness = 0.0

    init(rng: SeededGenerator) {
        self.rng = rng
        if chance(0.5) { messiness = Double.random(in: 0.05..<1, using: &self.rng) }
    }

    private mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    /// Something unusual or wrong, only in a messy line.
    private mutating func odd(_ p: Double) -> Bool { messiness > 0 && chance(p * messiness) }
    private mutating func pick<T>(_ options: [T]) -> T { options.randomElement(using: &rng)! }

    private mutating func space() {
        if chance(0.15) { out += Array(pick([" ", "  ", "\t", "\r\n "]).utf8) }
    }

    private mutating func raw(_ text: String) { out += Array(text.utf8) }

    private mutating func string() {
        let plain = ["", "a", "comment", "member:m1", "Thanks for the update, when will it ship? #4", "héllo", "日本", "x/y"]
        let unusual = [#"\u0041"#, #"a\"b"#, #"\/"#, #"\n"#, "\u{212A}", "é", #"\ud83d\ude00"#]
        raw("\"")
        if odd(0.05) {
            out += [0x61, 0xFF, 0x62]  // invalid UTF-8
        } else if odd(0.03) {
            out.append(0x01)  // an unescaped control character
        } else {
            raw(odd(0.3) ? pick(unusual) : pick(plain))
        }
        raw("\"")
    }

    private mutating func number() {
        let plain = ["0", "7", "-12", "5", "1", "3", "9223372036854775807", "-9223372036854775808"]
        raw(pick(odd(0.5) ? ["-0", "007", "1.0", "1.5", "2e3", "9223372036854775808", "123456789012345678901", "-"] : plain))
    }

    private mutating func value(depth: Int) {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0, 1, 2, 3: string()
        case 4, 5: number()
        case 6: raw(odd(0.2) ? "nul" : pick(["true", "false", "null"]))
        case 7 where depth < 3: array(depth: depth + 1)
        case 8 where depth < 3:
            object(keys: odd(0.3) ? ["a", "a"] : pick([["a"], ["a", "b"], ["b", "a"], ["é", "", "a", "A"], []]), depth: depth + 1)
        default: string()
        }
    }

    private mutating func array(depth: Int) {
        raw("[")
        space()
        for i in 0..<Int.random(in: 0..<4, using: &rng) {
            if i > 0 { raw(","); space() }
            value(depth: depth)
            space()
        }
        raw("]")
    }

    private mutating func object(keys: [String], depth: Int, values: [String: (inout LineWriter) -> Void] = [:]) {
        raw("{")
        space()
        for (i, key) in keys.enumerated() {
            if i > 0 { raw(","); space() }
            raw("\"\(key)\"")
            space()
            raw(":")
            space()
            if let write = values[key] { write(&self) } else { value(depth: depth) }
            space()
        }
        raw("}")
    }

    /// `data` for `type`: its vocabulary's fields, each usually of the right kind.
    private mutating func data(for type: String) {
        guard let fields = Vocabulary.table[type], !odd(0.2) else {
            return object(keys: pick([["n"], ["a", "n"], []]), depth: 1)
        }
        var keys = fields.filter { $0.required || chance(0.5) }.map(\.name)
        if odd(0.1), !keys.isEmpty { keys.removeLast() }
        if chance(0.2) { keys.append("extra") }
        keys.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        if chance(0.3) { keys.shuffle(using: &rng) }
        var values: [String: (inout LineWriter) -> Void] = [:]
        for field in fields {
            values[field.name] = { w in
                if w.odd(0.2) { return w.value(depth: 2) }
                switch field.kind {
                case .any, .string: w.string()
                case .bool: w.raw(w.pick(["true", "false"]))
                case .object: w.object(keys: ["a"], depth: 2)
                case .strings: w.raw(w.odd(0.3) ? #"[ "a" , 1 ]"# : w.pick(["[]", #"["a"]"#, #"["a","b"]"#, #"[ "a" , "b" ]"#]))
                case .oneOf(let allowed): w.raw("\"\(w.odd(0.3) ? "nope" : w.pick(allowed.sorted()))\"")
                case .integer: w.raw(w.odd(0.5) ? w.pick(["0", "6", "2.0"]) : w.pick(["1", "3", "5"]))
                }
            }
        }
        object(keys: keys, depth: 1, values: values)
    }

    mutating func event() -> [UInt8] {
        let type = odd(0.2) ? pick(["Bad", "test.note", ""]) : pick(Vocabulary.table.keys.sorted() + ["test.note"])
        var keys = ["data", "stream", "time", "type"]
        for optional in ["id", "source", "meta", "expected_version", "position", "hash"] where chance(0.3) { keys.append(optional) }
        if odd(0.1) { keys.removeFirst() }
        if odd(0.1) { keys.append(pick(["extra", "stream", "position"])) }
        keys.shuffle(using: &rng)
        let values: [String: (inout LineWriter) -> Void] = [
            "data": { w in w.data(for: type) },
            "stream": { w in if w.odd(0.3) { w.value(depth: 1) } else { w.raw(w.pick([#""member:m1""#, #""s""#, #""ticket:42""#])) } },
            "time": { w in
                w.raw(w.odd(0.3) ? w.pick([#""2026-13-01T00:00:00Z""#, #""yesterday""#, "1"]) : w.pick([#""2026-05-28T20:26:40Z""#, #""2026-05-28T22:26:40.123+02:00""#]))
            },
            "type": { w in w.raw("\"\(type)\"") },
            "id": { w in if w.odd(0.3) { w.value(depth: 1) } else { w.raw(w.pick([#""e1""#, #""bench-7""#])) } },
            "source": { w in w.raw(w.odd(0.5) ? w.pick([#""Bad Source""#, "null"]) : w.pick([#""api""#, #""telegram""#])) },
            "meta": { w in if w.odd(0.3) { w.value(depth: 1) } else { w.object(keys: w.pick([[], ["by"], ["a", "b"]]), depth: 1) } },
            "expected_version": { w in w.raw(w.odd(0.5) ? w.pick(["-1", "1.0", #""3""#, "null"]) : w.pick(["0", "3"])) },
            "position": { w in w.number() },
            "hash": { w in w.string() },
            "extra": { w in w.value(depth: 1) },
        ]
        space()
        object(keys: keys, depth: 0, values: values)
        space()
        return out
    }
}
