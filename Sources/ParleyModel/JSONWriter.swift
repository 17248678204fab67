/// Writes JSON as bytes: compact, object keys in bytewise order, so that equal values give equal
/// bytes. This is the canonical JSON of `docs`/README "Canonical encoding".
public struct JSONWriter {
    /// The bytes written so far.
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Encodes `value` canonically.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(value)
        return writer.bytes
    }

    /// Encodes `value` canonically as a string.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Appends `value`.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): write(integer: i)
        case .double(let d): writeDouble(d)
        case .string(let s): write(string: s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                write(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for (key, element) in o.members {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                write(string: key)
                bytes.append(UInt8(ascii: ":"))
                write(element)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends a number: integral values that fit in `Int64` as integers (as the parser reads
    /// them), others in Swift's shortest round-trip form (`0.1`, `1e-07`, `1.5e+300`).
    public mutating func writeDouble(_ d: Double) {
        if d.rounded() == d, let i = Int64(exactly: d) {
            write(integer: i)
        } else {
            bytes.append(contentsOf: d.description.utf8)
        }
    }

    /// Appends a JSON string: `"` and `\` escaped, control characters below U+0020 as `\n`, `\t`,
    /// … or `\u00XX`; everything else as its UTF-8.
    public mutating func write(string s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Fast path: nothing to escape, so the UTF-8 goes in as one copy.
        var s = s
        let clean = s.withUTF8 { utf8 -> Bool in
            guard StringScan.plainRun(in: utf8, from: 0).end == utf8.count else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if clean {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer without building a string.
    public mutating func write(integer i: Int64) { Self.append(integer: i, to: &bytes) }

    /// Appends `i` in decimal to `bytes`.
    public static func append(integer i: Int64, to bytes: inout [UInt8]) {
        if i < 0 { bytes.append(UInt8(ascii: "-")) }
        var v = i.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - n] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            bytes.append(contentsOf: buffer[(20 - n)...])
        }
    }

    /// Appends text that is already JSON: a literal, whose UTF-8 is copied from the binary (as
    /// a `String`, a ninth of preparing an event went to reaching its bytes).
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
