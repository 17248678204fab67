import ParleyModel

/// The bytes of a view state as ``Views/encodedState()`` writes them: fields in declaration
/// order, with no names or tags. It is an index format, not a canonical one: a process refuses a
/// state of another ``Views/stateFormat`` (or one that does not decode) and rebuilds it from the
/// log, so the layout may change between versions (bump the format when it does).
///
/// Layout of the primitives: counts, lengths and small integers as LEB128 varints; instants and
/// 64-bit integers as 8 bytes little-endian; strings as a length and UTF-8; an optional as a
/// byte 0/1 before its value; a sorted instant list as a count and its 8-byte instants.
struct ViewStateWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    mutating func varint(_ n: Int) {
        Varint.append(UInt(bitPattern: n), to: &bytes)
    }

    mutating func int64(_ n: Int64) {
        withUnsafeBytes(of: n.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ n: UInt64) { int64(Int64(bitPattern: n)) }
    mutating func instant(_ t: Instant) { int64(t.microseconds) }
    mutating func bool(_ b: Bool) { bytes.append(b ? 1 : 0) }
    mutating func byte(_ b: UInt8) { bytes.append(b) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optionalInstant(_ t: Instant?) {
        bool(t != nil)
        if let t { instant(t) }
    }

    mutating func optionalString(_ s: String?) {
        bool(s != nil)
        if let s { string(s) }
    }

    /// The bytes of `part` after their length; empties `part` for the next section.
    mutating func section(_ part: inout ViewStateWriter) {
        varint(part.bytes.count)
        bytes.append(contentsOf: part.bytes)
        part.bytes.removeAll(keepingCapacity: true)
    }

    mutating func optionalInt64(_ n: Int64?) {
        bool(n != nil)
        if let n { int64(n) }
    }

    /// An `sla` policy: target (bits), zone, hours (0 for `24x7`, else 1 and the slots of each
    /// weekday by weekday), holidays sorted.
    mutating func slaPolicy(_ p: SLAPolicy) {
        uint64(p.firstResponseS.bitPattern)
        string(p.timezone)
        switch p.hours {
        case .always: byte(0)
        case .weekly(let days):
            byte(1)
            varint(days.count)
            for (day, slots) in days.sorted(by: { $0.key < $1.key }) {
                varint(day)
                varint(slots.count)
                for slot in slots {
                    varint(slot.lowerBound)
                    varint(slot.upperBound)
                }
            }
        }
        let holidays = p.holidays.sorted()
        varint(holidays.count)
        for h in holidays { string(h) }
    }

    /// A count, then each of `items` as `item` writes it.
    mutating func list<Items: Collection>(_ items: Items, _ item: (inout ViewStateWriter, Items.Element) -> Void) {
        varint(items.count)
        for element in items { item(&self, element) }
    }

    /// A count, then each key of `dictionary` followed by its value as `value` writes it.
    mutating func dictionary<Value>(_ dictionary: [String: Value], _ value: (inout ViewStateWriter, Value) -> Void) {
        list(dictionary) { w, entry in
            w.string(entry.key)
            value(&w, entry.value)
        }
    }

    /// A count, then the instants (copied in bulk on little-endian hosts).
    mutating func instants(_ times: [Instant]) {
        varint(times.count)
        #if _endian(little)
        if MemoryLayout<Instant>.stride == 8 {
            times.withUnsafeBytes { bytes.append(contentsOf: $0) }
            return
        }
        #endif
        for t in times { instant(t) }
    }
}

/// Reads what ``ViewStateWriter`` wrote, from bytes that stay valid while it reads (a view into
/// the LMDB map). Every read checks its bounds and throws ``ViewStateError`` past the end.
struct ViewStateReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether every byte was read.
    var isAtEnd: Bool { index == bytes.count }

    mutating func varint() throws(ViewStateError) -> Int {
        guard let n = Varint.read(bytes, at: &index) else { throw ViewStateError.truncated }
        return Int(bitPattern: n)
    }

    /// A count of elements of at least `width` bytes each, checked against the bytes left.
    mutating func count(width: Int = 1) throws(ViewStateError) -> Int {
        let n = try varint()
        guard n >= 0, n <= (bytes.count - index) / max(width, 1) else { throw ViewStateError.truncated }
        return n
    }

    /// A count (of items of at least `width` bytes each), then that many items as `item`
    /// reads them.
    mutating func list<Item>(width: Int = 1, _ item: (inout ViewStateReader) throws(ViewStateError) -> Item) throws(ViewStateError) -> [Item] {
        let n = try count(width: width)
        var items: [Item] = []
        items.reserveCapacity(n)
        for _ in 0..<n { items.append(try item(&self)) }
        return items
    }

    /// A count (of entries of at least `width` bytes each), then that many keys, each followed
    /// by its value as `value` reads it.
    mutating func dictionary<Value>(width: Int = 1, _ value: (inout ViewStateReader) throws(ViewStateError) -> Value) throws(ViewStateError) -> [String: Value] {
        let n = try count(width: width)
        var dictionary: [String: Value] = [:]
        dictionary.reserveCapacity(n)
        for _ in 0..<n {
            let key = try string()
            dictionary[key] = try value(&self)
        }
        return dictionary
    }

    mutating func int64() throws(ViewStateError) -> Int64 {
        guard index + 8 <= bytes.count else { throw ViewStateError.truncated }
        let n = bytes.loadUnaligned(fromByteOffset: index, as: Int64.self)
        index += 8
        return Int64(littleEndian: n)
    }

    mutating func uint64() throws(ViewStateError) -> UInt64 { UInt64(bitPattern: try int64()) }
    mutating func instant() throws(ViewStateError) -> Instant { Instant(microseconds: try int64()) }

    mutating func byte() throws(ViewStateError) -> UInt8 {
        guard index < bytes.count else { throw ViewStateError.truncated }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bool() throws(ViewStateError) -> Bool { try byte() != 0 }

    mutating func string() throws(ViewStateError) -> String {
        let n = try count()
        let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + n)]), as: UTF8.self)
        index += n
        return s
    }

    mutating func optionalInstant() throws(ViewStateError) -> Instant? { try bool() ? try instant() : nil }
    mutating func optionalString() throws(ViewStateError) -> String? { try bool() ? try string() : nil }
    /// A reader of the next section (``ViewStateWriter/section(_:)``), which this one skips.
    mutating func section() throws(ViewStateError) -> ViewStateReader {
        let n = try count()
        defer { index += n }
        return ViewStateReader(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + n)]))
    }

    /// Checks that a section `decoded` was read to its end.
    func finish(decoded: Bool) throws(ViewStateError) {
        if decoded, !isAtEnd { throw ViewStateError.trailingBytes }
    }

    mutating func optionalInt64() throws(ViewStateError) -> Int64? { try bool() ? try int64() : nil }

    /// An `sla` policy as ``ViewStateWriter/slaPolicy(_:)`` wrote it.
    mutating func slaPolicy() throws(ViewStateError) -> SLAPolicy {
        var p = SLAPolicy()
        p.firstResponseS = Double(bitPattern: try uint64())
        p.timezone = try string()
        switch try byte() {
        case 0: p.hours = .always
        case 1:
            var days: [Int: [Range<MinuteOfDay>]] = [:]
            for _ in 0..<(try count(width: 2)) {
                let day = try varint()
                var slots: [Range<MinuteOfDay>] = []
                for _ in 0..<(try count(width: 2)) {
                    let lower = try varint(), upper = try varint()
                    guard lower <= upper else { throw ViewStateError.invalid }
                    slots.append(lower..<upper)
                }
                days[day] = slots
            }
            p.hours = .weekly(days)
        default: throw ViewStateError.invalid
        }
        p.holidays = []
        for _ in 0..<(try count()) { p.holidays.insert(try string()) }
        return p
    }

    mutating func instants() throws(ViewStateError) -> [Instant] {
        let n = try count(width: 8)
        let start = index
        index += n * 8
        return [Instant](unsafeUninitializedCapacity: n) { buffer, initialized in
            for i in 0..<n {
                let raw = bytes.loadUnaligned(fromByteOffset: start + i * 8, as: Int64.self)
                buffer.initializeElement(at: i, to: Instant(microseconds: Int64(littleEndian: raw)))
            }
            initialized = n
        }
    }
}

/// Why stored view state bytes could not be read (the reader then rebuilds from the log).
public enum ViewStateError: Error, Sendable, Equatable {
    /// The bytes end before the state does, or hold a count larger than what is left.
    case truncated
    /// The bytes hold more than the state.
    case trailingBytes
    /// A value no writer writes (an unknown enum case).
    case invalid
}
