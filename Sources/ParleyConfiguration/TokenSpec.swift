import ParleyLog

/// What a token may do.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    /// `POST /v1/events` (and plugin webhooks).
    case append
    /// Every `GET` of events and views.
    case read
    /// Everything.
    case admin

    /// Orders scopes by name.
    public static func < (a: Scope, b: Scope) -> Bool { a.rawValue < b.rawValue }
}

/// One configured bearer token: its name (for logs), the SHA-256 of its secret, its scopes and
/// the stream prefixes it may append to. The secret itself is never kept.
public struct TokenSpec: Sendable, Equatable {
    /// The token's name, as logs and errors call it.
    public var name: String
    /// SHA-256 of the secret, 32 bytes.
    public var secretDigest: [UInt8]
    /// What the token may do.
    public var scopes: Set<Scope>
    /// Stream prefixes this token may append to; nil: any stream.
    public var streams: [String]?

    /// A token whose secret hashes to `secretDigest`.
    public init(name: String, secretDigest: [UInt8], scopes: Set<Scope>, streams: [String]? = nil) {
        self.name = name
        self.secretDigest = secretDigest
        self.scopes = scopes
        self.streams = streams
    }

    /// A token given by its plain secret (tests, local runs); only the digest is kept.
    public init(name: String, secret: String, scopes: Set<Scope>, streams: [String]? = nil) {
        self.init(name: name, secretDigest: EventCodec.sha256(Array(secret.utf8)), scopes: scopes, streams: streams)
    }

    /// Whether the token grants `scope` (`admin` grants every scope).
    public func grants(_ scope: Scope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }

    /// Whether the token may append to `stream`.
    public func mayAppend(to stream: String) -> Bool {
        guard let streams else { return true }
        return streams.contains { stream.hasPrefix($0) }
    }
}
