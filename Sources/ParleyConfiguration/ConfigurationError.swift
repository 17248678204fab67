/// A configuration that cannot be used, naming the key or flag at fault.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Where: `--listen`, `tokens[1].scopes`, `parley.yaml line 7`.
    public var location: String
    /// What is wrong.
    public var reason: String

    /// A failure at `location`.
    public init(at location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    /// `location: reason`.
    public var description: String { "\(location): \(reason)" }
}
