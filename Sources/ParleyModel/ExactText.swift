/// Text compared as the spec compares it: by its UTF-8 bytes.
///
/// Swift's `String ==` and its hashing treat canonically equivalent forms as equal (a
/// precomposed "é" and "e" followed by a combining accent), so two ids, streams or values that
/// differ only in their Unicode normalization would be taken for one. The log keys such text by
/// this wrapper instead, and compares it with ``Swift/String/hasSameBytes(as:)``.
public struct ExactText: Hashable, Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: ExactText, b: ExactText) -> Bool { a.text.hasSameBytes(as: b.text) }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension String {
    /// Whether this string and `other` have the same UTF-8 bytes (see ``ExactText``).
    @inline(__always)
    public func hasSameBytes(as other: String) -> Bool { JSONObject.sameBytes(self, other) }
}
