public import ParleyModel

/// A compact binary form of the part of an event the views read (position, time, type, data),
/// several times faster to decode than JSON text. It is an index format, rebuilt from the log at
/// will, so it may change between versions (``ViewIndex/formatVersion``).
///
/// Layout: time (8 bytes, little-endian µs), position (8), type (varint length + UTF-8), then
/// `data` as a tagged value: 0 null, 1 false, 2 true, 3 int64, 4 double, 5 string (varint length +
/// UTF-8), 6 array (varint count + values), 7 object (varint count + (key, value) pairs).
public enum CompactCodec {
    /// Encodes the view-relevant part of `event`.
    public static func encode(_ event: Event) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        append(UInt64(bitPattern: event.time.microseconds), to: &out)
        append(event.position, to: &out)
        appendString(event.type, to: &out)
        appendValue(.object(event.data), to: &out)
        return out
    }

    /// Decodes an event encoded by ``encode(_:)``; `id`, `stream`, `source` and `meta` are empty.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Event? {
        var reader = Reader(bytes: bytes)
        guard let time = reader.uint64(), let position = reader.uint64(), let type = reader.string(),
            case .object(let data)? = reader.value()
        else { return nil }
        return Event(
            position: position, version: 0, recorded: Instant(microseconds: 0), id: "", stream: "", type: type,
            time: Instant(microseconds: Int64(bitPattern: time)), source: "", data: data, meta: [:])
    }

    private static func append(_ n: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendVarint(_ n: Int, to out: inout [UInt8]) {
        Varint.append(UInt(n), to: &out)
    }

    private static func appendString(_ s: String, to out: inout [UInt8]) {
        appendVarint(s.utf8.count, to: &out)
        out.append(contentsOf: s.utf8)
    }

    private static func appendValue(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(0)
        case .bool(let b): out.append(b ? 2 : 1)
        case .int(let i):
            out.append(3)
            append(UInt64(bitPattern: i), to: &out)
        case .double(let d):
            out.append(4)
            append(d.bitPattern, to: &out)
        case .string(let s):
            out.append(5)
            appendString(s, to: &out)
        case .array(let a):
            out.append(6)
            appendVarint(a.count, to: &out)
            for element in a { appendValue(element, to: &out) }
        case .object(let o):
            out.append(7)
            appendVarint(o.count, to: &out)
            // Keys in bytewise order, so that equal events give equal bytes (audits compare them).
            for (key, value) in o {
                appendString(key, to: &out)
                appendValue(value, to: &out)
            }
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func uint64() -> UInt64? {
            guard index + 8 <= bytes.count else { return nil }
            var n: UInt64 = 0
            withUnsafeMutableBytes(of: &n) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + 8)])) }
            index += 8
            return UInt64(littleEndian: n)
        }

        /// A length or count; nil for damaged bytes (also one past `Int.max`, which used to trap).
        mutating func varint() -> Int? {
            Varint.read(bytes, at: &index).flatMap { Int(exactly: $0) }
        }

        mutating func string() -> String? {
            guard let n = varint(), index + n <= bytes.count else { return nil }
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[index..<(index + n)]), as: UTF8.self)
            index += n
            return s
        }

        mutating func value() -> JSONValue? {
            guard index < bytes.count else { return nil }
            let tag = bytes[index]
            index += 1
            switch tag {
            case 0: return .null
            case 1: return .bool(false)
            case 2: return .bool(true)
            case 3: return uint64().map { .int(Int64(bitPattern: $0)) }
            case 4: return uint64().map { .double(Double(bitPattern: $0)) }
            case 5: return string().map { .string($0) }
            case 6:
                guard let n = varint(), n <= bytes.count else { return nil }
                var a: [JSONValue] = []
                a.reserveCapacity(n)
                for _ in 0..<n {
                    guard let v = value() else { return nil }
                    a.append(v)
                }
                return .array(a)
            case 7:
                guard let n = varint(), n <= bytes.count else { return nil }
                // Written in bytewise key order (see `appendValue`): taken as it comes.
                var members: [JSONObject.Member] = []
                members.reserveCapacity(n)
                for _ in 0..<n {
                    guard let k = string(), let v = value() else { return nil }
                    members.append((k, v))
                }
                return .object(JSONObject(membersInKeyOrder: members))
            default: return nil
            }
        }
    }
}
