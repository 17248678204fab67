/// The event types a plugin subscribed to: exact types and prefixes with `*` as a trailing
/// wildcard (`"ticket.*"` matches `ticket.opened`, `"*"` matches every type).
public struct Subscription: Sendable, Equatable {
    /// The patterns as the plugin sent them.
    public let patterns: [String]
    private let exact: Set<String>
    private let prefixes: [String]

    /// Creates a matcher over `patterns`; patterns that are not valid (see
    /// ``problem(with:)``) match nothing.
    public init(_ patterns: [String]) {
        self.patterns = patterns
        var exact: Set<String> = []
        var prefixes: [String] = []
        for pattern in patterns where Self.problem(with: pattern) == nil {
            if pattern.hasSuffix("*") {
                prefixes.append(String(pattern.dropLast()))
            } else {
                exact.insert(pattern)
            }
        }
        self.exact = exact
        self.prefixes = prefixes
    }

    /// Whether events of `type` are delivered.
    ///
    /// - Complexity: O(*p*) in the number of wildcard patterns.
    public func matches(_ type: String) -> Bool {
        exact.contains(type) || prefixes.contains { type.hasPrefix($0) }
    }

    /// What is wrong with `pattern`, or `nil` when it is valid: 1–64 characters of
    /// `[a-z0-9_.-]`, optionally followed by one `*` (a lone `*` matches everything).
    public static func problem(with pattern: String) -> String? {
        let body = pattern.hasSuffix("*") ? pattern.dropLast() : Substring(pattern)
        if body.contains("*") { return "may hold `*` only at its end" }
        if pattern.isEmpty { return "is empty" }
        guard body.utf8.count <= 64 else { return "is longer than 64 characters" }
        for b in body.utf8 {
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2E || b == 0x2D
            if !ok { return "may hold only [a-z0-9_.-] and a trailing `*`" }
        }
        return nil
    }
}
