public import ParleyModel

/// Reads fields of a JSON payload (a webhook body, an event's `data`) by dotted path, with errors
/// that name the path at fault: `payload field "issue.user.login" is required`.
public struct Payload: Sendable {
    /// The whole payload.
    public let root: JSONValue

    /// Wraps a payload.
    public init(_ root: JSONValue) { self.root = root }

    /// The value at `path` (keys separated by `.`), or `nil` when absent or `null`.
    ///
    /// - Complexity: O(*d*) in the depth of the path.
    public func value(_ path: String) -> JSONValue? {
        var current = root
        for key in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current[String(key)], !next.isNull else { return nil }
            current = next
        }
        return current
    }

    /// Whether `path` holds a non-null value.
    public func has(_ path: String) -> Bool { value(path) != nil }

    private func fail(_ path: String, _ text: String) -> PluginProtocolError {
        PluginProtocolError(.invalidValue, "payload field \"\(path)\" \(text)")
    }

    /// The string at `path`.
    ///
    /// - Throws: ``PluginProtocolError`` when absent or not a string.
    public func string(_ path: String) throws(PluginProtocolError) -> String {
        guard let v = value(path) else { throw fail(path, "is required") }
        guard let s = v.stringValue else { throw fail(path, "must be a string, got \(v.typeName)") }
        return s
    }

    /// The string at `path`, or `nil` when absent or not a string.
    public func optionalString(_ path: String) -> String? { value(path)?.stringValue }

    /// The integer at `path`.
    ///
    /// - Throws: ``PluginProtocolError`` when absent or not an integer.
    public func integer(_ path: String) throws(PluginProtocolError) -> Int64 {
        guard let v = value(path) else { throw fail(path, "is required") }
        guard let i = v.intValue else { throw fail(path, "must be an integer, got \(v.typeName)") }
        return i
    }

    /// The integer at `path`, or `nil` when absent or not an integer.
    public func optionalInteger(_ path: String) -> Int64? { value(path)?.intValue }

    /// The RFC 3339 time at `path`.
    ///
    /// - Throws: ``PluginProtocolError`` when absent or not an RFC 3339 time.
    public func instant(_ path: String) throws(PluginProtocolError) -> Instant {
        let text = try string(path)
        do { return try Instant(rfc3339: text) } catch { throw fail(path, "is not an RFC 3339 time: \"\(text)\"") }
    }

    /// The Unix time (whole seconds) at `path`.
    ///
    /// - Throws: ``PluginProtocolError`` when absent or not an integer.
    public func unixTime(_ path: String) throws(PluginProtocolError) -> Instant {
        Instant(microseconds: try integer(path) * 1_000_000)
    }

    /// The payload at `path` (an object or array), or `nil` when absent.
    public func nested(_ path: String) -> Payload? { value(path).map(Payload.init) }

    /// The elements of the array at `path`, each as a payload; empty when absent.
    public func array(_ path: String) -> [Payload] { (value(path)?.arrayValue ?? []).map(Payload.init) }
}
