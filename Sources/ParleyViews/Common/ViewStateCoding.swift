public import ParleyModel

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
        var v = UInt(bitPattern: n)
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
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
        var result: UInt = 0
        var shift: UInt = 0
        while index < bytes.count, shift < 64 {
            let b = bytes[index]
            index += 1
            result |= UInt(b & 0x7F) << shift
            if b < 0x80 { return Int(bitPattern: result) }
            shift += 7
        }
        throw ViewStateError.truncated
    }

    /// A count of elements of at least `width` bytes each, checked against the bytes left.
    mutating func count(width: Int = 1) throws(ViewStateError) -> Int {
        let n = try varint()
        guard n >= 0, n <= (bytes.count - index) / max(width, 1) else { throw ViewStateError.truncated }
        return n
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
