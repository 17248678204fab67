import ParleyModel

/// Typed access to the fields of one protocol message, with errors that name the message and
/// the field at fault.
struct WireObject {
    /// The message type, for error messages.
    let type: String
    let fields: JSONObject

    init(type: String, fields: JSONObject) {
        self.type = type
        self.fields = fields
    }

    /// Splits one line into its `type` and fields.
    ///
    /// - Throws: ``PluginProtocolError`` when the line is not a JSON object with a string `type`.
    static func parse(line: some Collection<UInt8>) throws(PluginProtocolError) -> WireObject {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch {
            throw PluginProtocolError(.malformedLine, "not a JSON line (\(error.description))")
        }
        guard case .object(let fields) = value else {
            throw PluginProtocolError(.malformedLine, "a message must be a JSON object, got \(value.typeName)")
        }
        guard let typeValue = fields["type"] else {
            throw PluginProtocolError(.missingField, "a message needs a \"type\" field")
        }
        guard case .string(let type) = typeValue else {
            throw PluginProtocolError(.wrongFieldType, "field \"type\" must be a string, got \(typeValue.typeName)")
        }
        return WireObject(type: type, fields: fields)
    }

    private func fail(_ code: PluginProtocolError.Code, _ key: String, _ text: String) -> PluginProtocolError {
        PluginProtocolError(code, "message \"\(type)\": field \"\(key)\" \(text)")
    }

    /// The field `key`, or `nil` when absent or `null`.
    func optional(_ key: String) -> JSONValue? {
        guard let v = fields[key], !v.isNull else { return nil }
        return v
    }

    func required(_ key: String) throws(PluginProtocolError) -> JSONValue {
        guard let v = optional(key) else { throw fail(.missingField, key, "is required") }
        return v
    }

    func string(_ key: String) throws(PluginProtocolError) -> String {
        let v = try required(key)
        guard case .string(let s) = v else { throw fail(.wrongFieldType, key, "must be a string, got \(v.typeName)") }
        return s
    }

    func optionalString(_ key: String) throws(PluginProtocolError) -> String? {
        guard optional(key) != nil else { return nil }
        return try string(key)
    }

    func integer(_ key: String) throws(PluginProtocolError) -> Int64 {
        let v = try required(key)
        guard let i = v.intValue else { throw fail(.wrongFieldType, key, "must be an integer, got \(JSONWriter.string(v))") }
        return i
    }

    func position(_ key: String) throws(PluginProtocolError) -> UInt64 {
        let i = try integer(key)
        guard i >= 0 else { throw fail(.invalidValue, key, "must be a position ≥ 0, got \(i)") }
        return UInt64(i)
    }

    func object(_ key: String) throws(PluginProtocolError) -> JSONObject {
        let v = try required(key)
        guard case .object(let o) = v else { throw fail(.wrongFieldType, key, "must be an object, got \(v.typeName)") }
        return o
    }

    func array(_ key: String) throws(PluginProtocolError) -> [JSONValue] {
        let v = try required(key)
        guard case .array(let a) = v else { throw fail(.wrongFieldType, key, "must be an array, got \(v.typeName)") }
        return a
    }

    func strings(_ key: String) throws(PluginProtocolError) -> [String] {
        var result: [String] = []
        for (i, item) in try array(key).enumerated() {
            guard case .string(let s) = item else {
                throw fail(.wrongFieldType, "\(key)[\(i)]", "must be a string, got \(item.typeName)")
            }
            result.append(s)
        }
        return result
    }

    func positions(_ key: String) throws(PluginProtocolError) -> [UInt64] {
        var result: [UInt64] = []
        for (i, item) in try array(key).enumerated() {
            guard let p = item.intValue, p >= 0 else {
                throw fail(.wrongFieldType, "\(key)[\(i)]", "must be a position ≥ 0, got \(JSONWriter.string(item))")
            }
            result.append(UInt64(p))
        }
        return result
    }

    /// Checks the `protocol` field against ``pluginProtocolVersion``.
    func protocolVersion() throws(PluginProtocolError) -> Int64 {
        let version = try integer("protocol")
        guard version == pluginProtocolVersion else {
            throw PluginProtocolError(
                .unsupportedProtocol,
                "message \"\(type)\": protocol version \(version) is not supported (this side speaks \(pluginProtocolVersion))"
            )
        }
        return version
    }
}
