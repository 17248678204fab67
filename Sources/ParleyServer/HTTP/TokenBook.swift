public import ParleyConfiguration
import ParleyLog

/// The configured tokens, looked up by secret in constant time.
public struct TokenBook: Sendable {
    /// The tokens, in configuration order.
    public let tokens: [TokenSpec]

    /// A book of `tokens`.
    public init(_ tokens: [TokenSpec]) { self.tokens = tokens }

    /// The token whose secret is `secret`, or nil. Compares the secret's digest with every
    /// token's digest without stopping early, so the time taken says nothing about the secrets.
    public func token(forSecret secret: some Sequence<UInt8>) -> TokenSpec? {
        let digest = EventCodec.sha256(secret)
        var found: Int?
        for (index, token) in tokens.enumerated() where Self.constantTimeEqual(digest, token.secretDigest) {
            found = found ?? index
        }
        return found.map { tokens[$0] }
    }

    /// Byte-wise equality whose time depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
