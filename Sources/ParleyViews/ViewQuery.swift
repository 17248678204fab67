public import ParleyModel

/// What a view query asks: the instant it is answered as of, an optional window, an optional ISO
/// week, and the policies in force.
///
/// The events a view has been given are exactly those the query may see: time ≤ `asOf` (and
/// position ≤ the `--at-position`, applied by the caller), in (time, position) order.
public struct ViewQuery: Sendable {
    /// T: an event counts iff its time ≤ T.
    public var asOf: Instant
    /// `--from`: start of the window `(from, to]`; each view has its own default.
    public var from: Instant?
    /// `--to`: end of the window; default T.
    public var to: Instant?
    /// `--week` for heroes, `YYYY-Www`.
    public var week: String?
    /// The policies in force (from the log, with any `--policy FILE` overrides).
    public var policies: PolicyTimeline

    public init(asOf: Instant, from: Instant? = nil, to: Instant? = nil, week: String? = nil, policies: PolicyTimeline = PolicyTimeline()) {
        self.asOf = asOf
        self.from = from
        self.to = to
        self.week = week
        self.policies = policies
    }
}

/// Why a query cannot be answered: a parameter that does not parse or a draft that is not a post.
public struct ViewQueryError: Error, Sendable, CustomStringConvertible {
    /// The parameter or input at fault (`--week`, `draft.data.kind`).
    public var parameter: String
    /// What is wrong.
    public var reason: String

    public init(parameter: String, _ reason: String) {
        self.parameter = parameter
        self.reason = reason
    }

    public var description: String { "\(parameter): \(reason)" }
}
