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

/// Bytes that can be a key or a value, lent without copying them into a new array.
public protocol StoreBytes {
    /// Calls `body` with the bytes.
    func withStoreBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R
}

extension Array: StoreBytes where Element == UInt8 {
    @inlinable public func withStoreBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        try withUnsafeBufferPointer { bytes throws(StoreError) in try body(UnsafeRawBufferPointer(bytes)) }
    }
}

/// Bytes already in memory, lent as they are.
extension UnsafeRawBufferPointer: StoreBytes {
    @inlinable public func withStoreBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        try body(self)
    }
}

/// Text as its UTF-8 bytes.
extension String: StoreBytes {
    @inlinable public func withStoreBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        var text = self
        return try text.withUTF8 { bytes in Result { () throws(StoreError) in try body(UnsafeRawBufferPointer(bytes)) } }.get()
    }
}

/// A number as 8 big-endian bytes (``Keys/uint64(_:)``) without an array.
public struct BigEndian64: StoreBytes {
    public var value: UInt64

    @inlinable public init(_ value: UInt64) { self.value = value }

    @inlinable public func withStoreBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> R) throws(StoreError) -> R {
        try withUnsafeBytes(of: value.bigEndian) { bytes throws(StoreError) in try body(bytes) }
    }
}
