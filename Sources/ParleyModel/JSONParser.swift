/// Why a text is not valid JSON, and where.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, in a few words.
    public var reason: String
    /// The byte offset at fault, from 0.
    public var offset: Int

    public var description: String { "invalid JSON at byte \(offset + 1): \(reason)" }
}

/// A strict JSON parser over UTF-8 bytes (RFC 8259): no trailing commas, no comments, no
/// duplicate keys, valid UTF-8 only, nesting at most 512 deep.
///
/// It is hand-written because `parley import` parses every line of a file and must keep up with
/// the log's append rate; `JSONSerialization` is several times slower.
public struct JSONParser {
    /// Parses one JSON document that fills `bytes` (surrounding white space allowed).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> =
            bytes.withContiguousStorageIfAvailable { parseBuffer($0) }
            ?? Array(bytes).withUnsafeBufferPointer { parseBuffer($0) }
        return try result.get()
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { parseBuffer($0) }
        return try result.get()
    }

    private static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONSyntaxError> {
        var parser = JSONParser(buffer)
        do throws(JSONSyntaxError) {
            parser.skipSpace()
            let value = try parser.parseValue(depth: 0)
            parser.skipSpace()
            if parser.index != buffer.count { throw parser.error("unexpected text after the value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(reason: reason, offset: offset ?? index)
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character \(describe(bytes[index]))")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        byte >= 0x21 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = word.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] {
            throw error("unexpected character \(describe(bytes[index + i]))", at: index + i)
        }
        index += count
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= 512 else { throw error("nesting deeper than 512") }
        index += 1
        var members: [JSONObject.Member] = []
        // Room for most objects at once: growing 1, 2, 4, 8 cost three allocations and copies.
        members.reserveCapacity(8)
        // Members usually arrive in key order (canonical JSON, most writers); otherwise they
        // are sorted at the end, keeping where each key was for a duplicate's error.
        var keyOffsets: [Int]? = nil
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject()) }
        while true {
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key in quotes") }
            let keyOffset = index
            let key = try parseString()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
            index += 1
            skipSpace()
            let value = try parseValue(depth: depth)
            if keyOffsets != nil {
                keyOffsets!.append(keyOffset)
            } else if let last = members.last, !last.key.utf8Precedes(key) {
                if JSONObject.sameBytes(last.key, key) { throw error("duplicate key \"\(key)\"", at: keyOffset) }
                var offsets: [Int] = []
                offsets.reserveCapacity(Swift.max(8, members.count + 1))
                offsets.append(contentsOf: repeatElement(0, count: members.count))
                offsets.append(keyOffset)
                keyOffsets = offsets
            }
            members.append((key, value))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                if var offsets = keyOffsets {
                    keyOffsets = nil
                    try sort(&members, keyOffsets: &offsets)
                }
                return .object(JSONObject(sortedMembers: members))
            default: throw error("expected ',' or '}' in an object")
            }
        }
    }

    /// Sorts `members` bytewise by key; the later of two equal keys is an error at its offset.
    ///
    /// Most objects are small (an event's envelope, its data): those are sorted in place by
    /// insertion, without an index array and a copy of every member. Larger ones (insertion is
    /// quadratic) through sorted indices. Both sorts are stable, so both report the same duplicate.
    private func sort(_ members: inout [JSONObject.Member], keyOffsets offsets: inout [Int]) throws(JSONSyntaxError) {
        if members.count <= 16 {
            // Through the buffer: reading a key out of the array copied its whole member, its
            // value retained and released, and the sort of a four-key envelope cost as much as
            // parsing it.
            members.withUnsafeMutableBufferPointer { m in
                offsets.withUnsafeMutableBufferPointer { o in
                    for j in m.indices.dropFirst() {
                        var i = j
                        while i > 0, m[i].key.utf8Precedes(m[i - 1].key) {
                            m.swapAt(i, i - 1)
                            o.swapAt(i, i - 1)
                            i -= 1
                        }
                    }
                }
            }
        } else {
            let order = members.indices.sorted { [members] a, b in
                let (x, y) = (members[a].key, members[b].key)
                if x.utf8Precedes(y) { return true }
                if y.utf8Precedes(x) { return false }
                return a < b
            }
            members = order.map { [members] in members[$0] }
            offsets = order.map { [offsets] in offsets[$0] }
        }
        for i in members.indices.dropFirst() where JSONObject.sameBytes(members[i - 1].key, members[i].key) {
            throw error("duplicate key \"\(members[i].key)\"", at: offsets[i])
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= 512 else { throw error("nesting deeper than 512") }
        index += 1
        var array: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
        while true {
            skipSpace()
            array.append(try parseValue(depth: depth))
            skipSpace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(array)
            default: throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        let quote = index
        index += 1
        let start = index
        // Fast path: no escapes, ASCII or valid UTF-8.
        let (end, ascii) = StringScan.plainRun(in: bytes, from: start)
        index = end
        if index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: quote)
                }
                return s
            }
            if b < 0x20 { throw error("unescaped control character in a string") }
        }
        // Slow path: escapes.
        var out = [UInt8](bytes[start..<index])
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string", at: quote)
                }
                return s
            }
            if b < 0x20 { throw error("unescaped control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); index += 1; continue }
            index += 1
            guard index < bytes.count else { break }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("unpaired surrogate in a \\u escape")
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                throw error("invalid escape \\\(describe(e))", at: index - 2)
            }
        }
        throw error("unterminated string", at: quote)
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("leading zero in a number", at: start) }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number", at: start) }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text), d.isFinite else { throw error("number out of range", at: start) }
        return JSONValue.number(d)
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

extension JSONValue {
    /// A number in its canonical case: an integral value that fits in `Int64` is an ``int(_:)``.
    public static func number(_ d: Double) -> JSONValue {
        if d.rounded() == d, let i = Int64(exactly: d) { return .int(i) }
        return .double(d)
    }
}
