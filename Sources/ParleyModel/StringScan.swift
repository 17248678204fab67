/// A word-at-a-time scan of JSON string bytes for the bytes that end the plain run of a string:
/// `"`, `\` and control characters below U+0020. The parser and the canonical writer both spend
/// most of their time in long plain runs (texts, ids), eight bytes per step instead of one.
enum StringScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first `"`, `\` or control byte of `bytes` at or after `start` (or
    /// `bytes.count`), and whether every byte before it is ASCII.
    @inline(__always)
    static func plainRun(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (end: Int, ascii: Bool) {
        var index = start
        var high: UInt64 = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                // A byte is zero in `x` exactly when `(x - 0x01…) & ~x & 0x80…` has its high bit
                // (for the first such byte; later ones may be false positives, which only send
                // the word to the byte loop below). Bytes below 0x20 likewise with 0x20…,
                // and bytes of 0x80 and up are excluded by `~word`.
                let special = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
                if special != 0 { break }
                high |= word & highs
                index += 8
            }
        }
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x22 || b == 0x5C || b < 0x20 { break }
            high |= UInt64(b & 0x80)
            index += 1
        }
        return (index, high == 0)
    }
}
