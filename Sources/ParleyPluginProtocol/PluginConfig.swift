public import ParleyModel

/// Typed reading of a plugin's `config` object (from the daemon's hello), with defaults and
/// errors that name the key at fault.
public struct PluginConfig: Sendable {
    /// The config object as received.
    public let values: JSONObject

    /// Wraps a config object.
    public init(_ values: JSONObject) { self.values = values }

    private func fail(_ key: String, _ text: String) -> PluginProtocolError {
        PluginProtocolError(.invalidValue, "config key \"\(key)\" \(text)")
    }

    /// Checks that every key is one of `known`.
    ///
    /// - Throws: ``PluginProtocolError`` naming the first unknown key (in sorted order).
    public func requireKnownKeys(_ known: Set<String>) throws(PluginProtocolError) {
        for key in values.keys.sorted() where !known.contains(key) {
            throw fail(key, "is unknown (known keys: \(known.sorted().joined(separator: ", ")))")
        }
    }

    /// The string at `key`, or `fallback` when absent or `null`.
    public func string(_ key: String, default fallback: String) throws(PluginProtocolError) -> String {
        guard let v = values[key], !v.isNull else { return fallback }
        guard let s = v.stringValue else { throw fail(key, "must be a string, got \(v.typeName)") }
        return s
    }

    /// The boolean at `key`, or `fallback` when absent or `null`.
    public func bool(_ key: String, default fallback: Bool) throws(PluginProtocolError) -> Bool {
        guard let v = values[key], !v.isNull else { return fallback }
        guard let b = v.boolValue else { throw fail(key, "must be a boolean, got \(v.typeName)") }
        return b
    }

    /// The optional string at `key`.
    public func optionalString(_ key: String) throws(PluginProtocolError) -> String? {
        guard let v = values[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw fail(key, "must be a string, got \(v.typeName)") }
        return s
    }

    /// The array of strings at `key`, or `fallback` when absent or `null`.
    public func strings(_ key: String, default fallback: [String]) throws(PluginProtocolError) -> [String] {
        guard let v = values[key], !v.isNull else { return fallback }
        guard let items = v.arrayValue else { throw fail(key, "must be an array of strings, got \(v.typeName)") }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.stringValue else { throw fail(key, "item \(i) must be a string, got \(item.typeName)") }
            result.append(s)
        }
        return result
    }

    /// The integer at `key` within `range`, or `fallback` when absent or `null`.
    public func integer(_ key: String, default fallback: Int64, in range: ClosedRange<Int64>) throws(PluginProtocolError) -> Int64 {
        guard let v = values[key], !v.isNull else { return fallback }
        guard let i = v.intValue else { throw fail(key, "must be an integer, got \(v.typeName)") }
        guard range.contains(i) else { throw fail(key, "must be from \(range.lowerBound) to \(range.upperBound), got \(i)") }
        return i
    }

    /// The object at `key`, or an empty object when absent or `null`.
    public func object(_ key: String) throws(PluginProtocolError) -> PluginConfig {
        guard let v = values[key], !v.isNull else { return PluginConfig([:]) }
        guard let o = v.objectValue else { throw fail(key, "must be an object, got \(v.typeName)") }
        return PluginConfig(o)
    }
}
