/// Big-endian key encodings, so that LMDB's bytewise order is numeric order.
public enum Keys {
    /// `n` as 8 big-endian bytes.
    @inlinable public static func uint64(_ n: UInt64) -> [UInt8] {
        withUnsafeBytes(of: n.bigEndian) { Array($0) }
    }

    /// Reads 8 big-endian bytes at `offset` of `bytes`.
    @inlinable public static func uint64(from bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var n: UInt64 = 0
        withUnsafeMutableBytes(of: &n) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 8)])) }
        return UInt64(bigEndian: n)
    }
}
