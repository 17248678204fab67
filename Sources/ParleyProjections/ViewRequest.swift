import ParleyLog
public import ParleyModel
public import ParleyViews
internal import Foundation

/// One view query as the CLI and the HTTP API receive it, parsed: the same parameters give the
/// same JSON on both surfaces.
public struct ViewRequest: Sendable {
    /// Which query.
    public var name: ViewQueryName
    /// T; nil is now.
    public var asOf: Instant?
    /// Only events with position ≤ P.
    public var atPosition: UInt64?
    public var from: Instant?
    public var to: Instant?
    /// `YYYY-Www`, for heroes.
    public var week: String?
    /// `--policy FILE`: policies that replace the log's at every instant.
    public var policyOverrides: JSONObject?
    /// The draft of `content check`.
    public var draft: JSONValue?

    public init(name: ViewQueryName) { self.name = name }

    /// Parses textual parameters: `as_of`, `at_position`, `from`, `to`, `week` (HTTP query names;
    /// the CLI's `--as-of` etc. map onto them). Errors name the parameter as `label(name)` says.
    public init(name: ViewQueryName, parameters: [String: String], label: (String) -> String = { $0 }) throws(ViewQueryError) {
        self.name = name
        // A window or week the query does not read would be ignored without a word.
        for key in ["from", "to", "week"] where parameters[key] != nil && !name.parameters.contains(key) {
            let takes = ([label("as_of")] + name.parameters.sorted().map(label)).joined(separator: ", ")
            throw ViewQueryError(parameter: label(key), "\(name.rawValue) does not read it (it reads \(takes))")
        }
        func instant(_ key: String) throws(ViewQueryError) -> Instant? {
            guard let text = parameters[key] else { return nil }
            do { return try Instant(rfc3339: text) } catch {
                throw ViewQueryError(parameter: label(key), "\"\(text)\" is not an RFC 3339 time with a zone (e.g. 2026-03-31T00:00:00Z)")
            }
        }
        asOf = try instant("as_of")
        from = try instant("from")
        to = try instant("to")
        if let text = parameters["at_position"] {
            // 0: before the first event, so empty views (as `audit replay --at-position 0`).
            guard let p = UInt64(text) else {
                throw ViewQueryError(parameter: label("at_position"), "\"\(text)\" is not a position (a whole number ≥ 0)")
            }
            atPosition = p
        }
        if let week = parameters["week"] {
            try CommunityView.checkWeek(week, parameter: label("week"))
            self.week = week
        }
        if let from, let to, from > to {
            throw ViewQueryError(parameter: label("from"), "\(from.rfc3339) is after \(label("to")) \(to.rfc3339)")
        }
    }

    /// Parses the JSON text of a policy file `{name: value}`, refusing unknown names and fields.
    public static func policyOverrides(json text: [UInt8], source: String) throws(ViewQueryError) -> JSONObject {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw ViewQueryError(parameter: source, "is not valid JSON: \(error)") }
        guard let object = json.objectValue else { throw ViewQueryError(parameter: source, "must hold a JSON object {name: policy}") }
        do { _ = try PolicyTimeline(overrides: object) } catch { throw ViewQueryError(parameter: source, "\(error)") }
        return object
    }
}

extension ViewRequest {
    /// The answer to this request from `views(asOf, atPosition, policies)`: the views as of T,
    /// under the request's policy overrides.
    func answer(now: Instant, from views: (Instant, UInt64?, PolicyTimeline) throws -> Views) throws -> JSONValue {
        let asOf = asOf ?? now
        var policies = PolicyTimeline()
        if let policyOverrides { policies = try PolicyTimeline(overrides: policyOverrides) }
        let q = ViewQuery(asOf: asOf, from: from, to: to, week: week)
        return try views(asOf, atPosition, policies).answer(name, q, draft: draft)
    }
}

extension ViewIndex {
    /// Answers `request` from the stored index (catch it up first for the freshest answer).
    ///
    /// - Parameter now: T when the request gives no `asOf`.
    public func answer(_ request: ViewRequest, now: Instant = .now) throws -> JSONValue {
        try request.answer(now: now) { asOf, atPosition, policies in try views(asOf: asOf, atPosition: atPosition, policies: policies) }
    }
}
