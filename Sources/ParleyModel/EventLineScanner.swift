#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An input event (one line of JSON) read without building its JSON values, when its strings
/// hold no escape and its numbers are plain integers: it is canonical then but for white space
/// and the order of keys, which the scanner drops and sorts as it copies.
///
/// The scanner only ever says yes or "not for me": it gives nothing for anything it does not
/// settle itself (an escape in a string, a number other than a plain integer, a key twice,
/// an unknown field, a value the envelope or the vocabulary refuses, invalid JSON), and the
/// caller takes the general path (``JSONParser``, ``NewEvent/init(json:)``), which accepts or
/// names the fault. So it accepts exactly a subset of what that path accepts, and its bytes are
/// those that path writes (checked by `EventLineScannerTests`).
public struct ScannedEvent {
    public let id: String?
    public let stream: String
    public let expectedVersion: Int64?
    public let time: Instant
    /// The canonical bytes of `data` and `meta`, and of the strings with their quotes
    /// (canonical as written: they hold no escape); `meta` and `source` are nil when absent
    /// (the defaults: `{}`, `"api"`). Views into the scanner's buffer, valid only inside
    /// ``EventLineScanner/scan(_:_:)``'s closure.
    public let data: UnsafeBufferPointer<UInt8>
    public let meta: UnsafeBufferPointer<UInt8>?
    public let quotedID: UnsafeBufferPointer<UInt8>?
    public let quotedSource: UnsafeBufferPointer<UInt8>?
    public let quotedStream: UnsafeBufferPointer<UInt8>
    public let quotedType: UnsafeBufferPointer<UInt8>
    /// The time's text when it is in the canonical form already (`YYYY-MM-DDTHH:MM:SSZ`, what
    /// ``Instant/write(into:)`` writes for a UTC time without a fraction).
    public let canonicalTime: UnsafeBufferPointer<UInt8>?
}

/// The scan behind ``ScannedEvent``: one pass that validates each value and copies it, white
/// space dropped and members sorted, into one buffer, kept from line to line.
public struct EventLineScanner {
    private var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var index = 0
    /// The canonical copies of the values read: never longer than the line.
    private let buffer = Buffer()
    private var count = 0
    /// Where the members of the top-level objects copied are in the buffer, for `data`'s
    /// vocabulary check: key without quotes, then the value.
    private var members: [(key: Range<Int>, value: Range<Int>)] = []
    /// The members of the objects being copied, innermost last: where each starts (its key's
    /// opening quote), where its key ends (after the closing quote), and where it ends.
    private var spans: [(start: Int, keyEnd: Int, end: Int)] = []
    /// Room to reorder an object's members.
    private let scratch = Buffer()

    /// Objects and arrays nested deeper than this go to the general path.
    private static let maxDepth = 64

    public init() {}

    /// Scans `line` and gives `body` what it read; `nil` (and `body` is not called) when the
    /// general path must read it.
    public mutating func scan<R>(_ line: UnsafeBufferPointer<UInt8>, _ body: (ScannedEvent) -> R) -> R? {
        bytes = line
        index = 0
        count = 0
        members.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        buffer.reserve(line.count)
        guard let event = scanEvent() else { return nil }
        return body(event)
    }

    private var out: UnsafeMutablePointer<UInt8> { buffer.bytes }

    private func view(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: out + range.lowerBound, count: range.count)
    }

    private mutating func append(_ byte: UInt8) {
        out[count] = byte
        count += 1
    }

    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        (out + count).update(from: source.baseAddress!, count: source.count)
        count += source.count
    }

    private mutating func scanEvent() -> ScannedEvent? {
        typealias Field = NewEvent.EnvelopeField
        var found: (id: Range<Int>?, stream: Range<Int>?, type: Range<Int>?, time: Range<Int>?, source: Range<Int>?,
            expectedVersion: Range<Int>?, data: Range<Int>?, meta: Range<Int>?)
        found = (nil, nil, nil, nil, nil, nil, nil, nil)
        /// The keys the log adds, each allowed once (`hash`, `position`, `recorded`, `version`).
        var addedByLog: UInt8 = 0
        var dataMembers = 0..<0
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipSpace()
        if !take(UInt8(ascii: "}")) {
            while true {
                skipSpace()
                let keyStart = count
                guard copyString() else { return nil }
                let key = view((keyStart + 1)..<(count - 1))
                guard let field = Field(utf8: key) else { return nil }
                let keyBit = Self.addedByLogBit(key)
                count = keyStart
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                let valueStart = count
                let firstMember = members.count
                guard copyValue(depth: 0) else { return nil }
                let value: Range<Int>? = valueStart..<count
                func once(_ slot: inout Range<Int>?) -> Bool {
                    guard slot == nil else { return false }
                    slot = value
                    return true
                }
                let first: Bool
                switch field {
                case .id: first = once(&found.id)
                case .stream: first = once(&found.stream)
                case .type: first = once(&found.type)
                case .time: first = once(&found.time)
                case .source: first = once(&found.source)
                case .expectedVersion: first = once(&found.expectedVersion)
                case .data:
                    first = once(&found.data)
                    dataMembers = firstMember..<members.count
                case .meta: first = once(&found.meta)
                case .addedByLog:
                    first = addedByLog & keyBit == 0
                    addedByLog |= keyBit
                }
                guard first else { return nil }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipSpace()
        guard index == bytes.count else { return nil }
        /// The text of a string value, within its quotes: `.some(nil)` when absent, `nil` for
        /// any other value.
        func text(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>?? {
            guard let range else { return .some(nil) }
            guard out[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
            return view((range.lowerBound + 1)..<(range.upperBound - 1))
        }
        guard let idText = text(found.id), let streamText = text(found.stream), let streamText,
            let typeText = text(found.type), let typeText, let timeText = text(found.time), let timeText,
            let sourceText = text(found.source)
        else { return nil }
        if let idText, !Self.isPrintableName(idText, maxBytes: 128) { return nil }
        guard Self.isPrintableName(streamText, maxBytes: 256), Self.isToken(typeText) else { return nil }
        if let sourceText, !Self.isToken(sourceText) { return nil }
        guard let time = try? Instant(rfc3339: timeText) else { return nil }
        var expected: Int64?
        if let range = found.expectedVersion {
            guard let i = Self.integer(view(range)), i >= 0 else { return nil }
            expected = i
        }
        guard let data = found.data, out[data.lowerBound] == UInt8(ascii: "{") else { return nil }
        if let meta = found.meta, out[meta.lowerBound] != UInt8(ascii: "{") { return nil }
        let type = String(decoding: typeText, as: UTF8.self)
        guard passesVocabulary(type: type, members: members[dataMembers]) else { return nil }
        return ScannedEvent(
            id: idText.map { String(decoding: $0, as: UTF8.self) }, stream: String(decoding: streamText, as: UTF8.self),
            expectedVersion: expected, time: time, data: view(data),
            meta: found.meta.map(view),
            quotedID: found.id.map(view), quotedSource: found.source.map(view),
            quotedStream: view(found.stream!), quotedType: view(found.type!),
            canonicalTime: timeText.count == 20 && timeText[10] == UInt8(ascii: "T") && timeText[19] == UInt8(ascii: "Z") ? timeText : nil)
    }

    /// A bit of its own for each key the log adds (told apart once known to be one of them).
    private static func addedByLogBit(_ key: UnsafeBufferPointer<UInt8>) -> UInt8 {
        switch key.count {
        case 4: return 1  // hash
        case 7: return 2  // version
        default: return key.first == UInt8(ascii: "p") ? 4 : 8  // position, recorded
        }
    }

    /// The scanner's output, grown to the longest line yet.
    private final class Buffer {
        private(set) var bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
        private var capacity = 1024

        func reserve(_ needed: Int) {
            guard needed > capacity else { return }
            bytes.deallocate()
            capacity = max(needed, capacity * 2)
            bytes = .allocate(capacity: capacity)
        }

        deinit { bytes.deallocate() }
    }

    // MARK: Copying canonical values

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` when it comes next.
    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func copyValue(depth: Int) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return copyObject(depth: depth + 1)
        case UInt8(ascii: "["): return copyArray(depth: depth + 1)
        case UInt8(ascii: "\""): return copyString()
        case UInt8(ascii: "t"): return copyWord("true")
        case UInt8(ascii: "f"): return copyWord("false")
        case UInt8(ascii: "n"): return copyWord("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return copyInteger()
        default: return false
        }
    }

    private mutating func copyWord(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0
        else { return false }
        append(UnsafeBufferPointer(rebasing: bytes[index..<(index + count)]))
        index += count
        return true
    }

    /// A string with no escape and valid UTF-8, copied with its quotes.
    private mutating func copyString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        let start = index
        let (end, ascii) = StringScan.plainRun(in: bytes, from: start)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return false }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if !ascii, !Self.isValidUTF8(text) { return false }
        append(UInt8(ascii: "\""))
        append(text)
        append(UInt8(ascii: "\""))
        index = end + 1
        return true
    }

    /// An integer as the general path writes it back: no sign on zero, no leading zero, no
    /// fraction or exponent, within `Int64`.
    private mutating func copyInteger() -> Bool {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digits = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        let count = index - digits
        guard count > 0, count <= 18 || (count == 19 && Self.integer(UnsafeBufferPointer(rebasing: bytes[start..<index])) != nil),
            bytes[digits] != UInt8(ascii: "0") || (count == 1 && digits == start)
        else { return false }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return false }
        append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        return true
    }

    /// An object, copied with its members in bytewise order of their keys (each key once);
    /// their places go to `members` when it is a top-level value.
    private mutating func copyObject(depth: Int) -> Bool {
        let base = spans.count
        let firstMember = members.count
        var previousKey: Range<Int>?
        var inOrder = true
        defer { spans.removeSubrange(base...) }
        let copied = copyList(closing: UInt8(ascii: "}"), depth: depth) { scanner in
            let keyStart = scanner.count
            guard scanner.copyString() else { return false }
            let key = (keyStart + 1)..<(scanner.count - 1)
            if let previousKey, !scanner.precedes(previousKey, key) { inOrder = false }
            previousKey = key
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return false }
            scanner.append(UInt8(ascii: ":"))
            scanner.skipSpace()
            let valueStart = scanner.count
            guard scanner.copyValue(depth: depth) else { return false }
            if depth == 1 { scanner.members.append((key, valueStart..<scanner.count)) }
            scanner.spans.append((keyStart, key.upperBound + 1, scanner.count))
            return true
        }
        guard copied else { return false }
        return inOrder || sortMembers(from: base, depth: depth, firstMember: firstMember)
    }

    /// Puts the members of the object just copied (`spans` from `base` on) in bytewise order
    /// of their keys, in place; false when a key comes twice.
    private mutating func sortMembers(from base: Int, depth: Int, firstMember: Int) -> Bool {
        let spans = self.spans[base...]
        func key(_ i: Int) -> Range<Int> { (spans[i].start + 1)..<(spans[i].keyEnd - 1) }
        let order = spans.indices.sorted { precedes(key($0), key($1)) }
        for (a, b) in zip(order, order.dropFirst()) where !precedes(key(a), key(b)) { return false }
        let start = spans.first!.start, end = spans.last!.end
        scratch.reserve(end - start)
        scratch.bytes.update(from: out + start, count: end - start)
        if depth == 1 { members.removeSubrange(firstMember...) }
        var at = start
        for (n, i) in order.enumerated() {
            if n > 0 {
                out[at] = UInt8(ascii: ",")
                at += 1
            }
            let member = spans[i], length = member.end - member.start
            (out + at).update(from: scratch.bytes + (member.start - start), count: length)
            if depth == 1 {
                let keyLength = member.keyEnd - member.start
                members.append(((at + 1)..<(at + keyLength - 1), (at + keyLength + 1)..<(at + length)))
            }
            at += length
        }
        return true
    }

    private mutating func copyArray(depth: Int) -> Bool {
        copyList(closing: UInt8(ascii: "]"), depth: depth) { $0.copyValue(depth: depth) }
    }

    /// Copies the object or array that starts here, up to `closing`, with `item` copying each
    /// member or element.
    private mutating func copyList(closing: UInt8, depth: Int, item: (inout EventLineScanner) -> Bool) -> Bool {
        guard depth <= Self.maxDepth else { return false }
        append(bytes[index])
        index += 1
        skipSpace()
        if take(closing) {
            append(closing)
            return true
        }
        while true {
            skipSpace()
            guard item(&self) else { return false }
            skipSpace()
            if take(UInt8(ascii: ",")) {
                append(UInt8(ascii: ","))
                continue
            }
            guard take(closing) else { return false }
            append(closing)
            return true
        }
    }

    /// Whether the bytes of the buffer at `a` sort strictly before those at `b`.
    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let n = min(a.count, b.count)
        let c = n == 0 ? 0 : memcmp(out + a.lowerBound, out + b.lowerBound, n)
        return c < 0 || (c == 0 && a.count < b.count)
    }

    // MARK: Checks, as the general path makes them

    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// What ``NewEvent/checkName(_:field:maxBytes:)`` accepts without decoding: printable ASCII.
    private static func isPrintableName(_ text: UnsafeBufferPointer<UInt8>, maxBytes: Int) -> Bool {
        text.count >= 1 && text.count <= maxBytes && text.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// What ``NewEvent/checkToken(_:field:)`` accepts.
    private static func isToken(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.count >= 1 && text.count <= 64 && text.allSatisfy(NewEvent.isTokenByte)
    }

    /// The value of a plain integer's bytes, if it fits in `Int64`.
    private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = text.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39) else { return nil }
        return Int64(String(decoding: text, as: UTF8.self))
    }

    /// Whether `data` (its top-level `members`) meets the vocabulary entry of `type`
    /// (``Vocabulary/validate(type:data:)``); a refusal goes to the general path to be named.
    private func passesVocabulary(type: String, members: ArraySlice<(key: Range<Int>, value: Range<Int>)>) -> Bool {
        guard let fields = Vocabulary.table[type] else { return true }
        // Its value carries policies, which only the general path checks.
        guard type != "policy.set" else { return false }
        for field in fields {
            var name = field.name
            let value: UnsafeBufferPointer<UInt8>? = name.withUTF8 { name in
                for member in members where member.key.count == name.count {
                    if memcmp(out + member.key.lowerBound, name.baseAddress!, name.count) == 0 { return view(member.value) }
                }
                return nil
            }
            guard let value, !(value.count == 4 && value[0] == UInt8(ascii: "n")) else {
                if field.required { return false }
                continue
            }
            switch field.kind {
            case .any:
                continue
            case .string:
                guard value[0] == UInt8(ascii: "\"") else { return false }
            case .bool:
                guard value[0] == UInt8(ascii: "t") || value[0] == UInt8(ascii: "f") else { return false }
            case .object:
                guard value[0] == UInt8(ascii: "{") else { return false }
            case .strings:
                guard Self.isArrayOfStrings(value) else { return false }
            case .oneOf(let allowed):
                // ASCII only: `Set<String>` compares by canonical equivalence, bytes here.
                guard value[0] == UInt8(ascii: "\""),
                    value.allSatisfy({ $0 < 0x80 }),
                    allowed.contains(String(decoding: UnsafeBufferPointer(rebasing: value[1..<(value.count - 1)]), as: UTF8.self))
                else { return false }
            case .integer(let range):
                guard let i = Self.integer(value), range.contains(i) else { return false }
            }
        }
        return true
    }

    /// Whether canonical `value` is an array of strings (none of them with an escape).
    private static func isArrayOfStrings(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value[0] == UInt8(ascii: "[") else { return false }
        var i = 1
        if value[i] == UInt8(ascii: "]") { return true }
        while true {
            guard value[i] == UInt8(ascii: "\"") else { return false }
            i += 1
            while value[i] != UInt8(ascii: "\"") { i += 1 }
            i += 1
            if value[i] == UInt8(ascii: "]") { return true }
            i += 1  // the comma
        }
    }
}
