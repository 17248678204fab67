/// Unsigned LEB128 varints: seven bits a byte, low bits first, the high bit set on every byte
/// but the last. The lengths and counts of the project's binary encodings (the view index's
/// entries and the views' stored state) use this one implementation.
public enum Varint {
    /// Appends `n` to `out`.
    @inline(__always)
    public static func append(_ n: UInt, to out: inout [UInt8]) {
        var v = n
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Reads the varint at `index` of `bytes` and moves `index` past it; nil, with `index`
    /// anywhere, when the bytes end first or it runs past 64 bits.
    @inline(__always)
    public static func read(_ bytes: UnsafeRawBufferPointer, at index: inout Int) -> UInt? {
        var result: UInt = 0
        var shift: UInt = 0
        while index < bytes.count, shift < 64 {
            let b = bytes[index]
            index += 1
            result |= UInt(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}
