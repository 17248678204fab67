import Foundation
public import ParleyModel

/// An HTTP request to a plugin's webhook route, as the daemon hands it on.
public struct Webhook: Sendable, Equatable {
    /// The daemon's id for this request; the plugin's `ack` names it.
    public var id: String
    /// The request headers, names as received. Look them up with ``header(_:)``.
    public var headers: [String: String]
    /// The raw request body (base64 on the wire).
    public var body: [UInt8]

    /// Creates a webhook request.
    public init(id: String, headers: [String: String], body: [UInt8]) {
        self.id = id
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, compared case-insensitively as HTTP requires.
    ///
    /// - Complexity: O(*n*) in the number of headers.
    public func header(_ name: String) -> String? {
        if let exact = headers[name] { return exact }
        let wanted = name.lowercased()
        return headers.first { $0.key.lowercased() == wanted }?.value
    }

    /// The body parsed as JSON.
    ///
    /// - Throws: ``PluginProtocolError`` with code `invalidValue` when the body is not JSON.
    public func jsonBody() throws(PluginProtocolError) -> JSONValue {
        do { return try JSONParser.parse(body) } catch {
            throw PluginProtocolError(.invalidValue, "webhook \(id): the body is not JSON (\(error.description))")
        }
    }

    /// The base64 of ``body``, as the wire carries it.
    var base64Body: String { Data(body).base64EncodedString() }

    /// Decodes the fields of a `webhook` message.
    init(wire: WireObject) throws(PluginProtocolError) {
        let id = try wire.string("id")
        var headers: [String: String] = [:]
        if wire.optional("headers") != nil {
            for (name, value) in try wire.object("headers") {
                switch value {
                case .string(let s): headers[name] = s
                case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
                    headers[name] = items.compactMap(\.stringValue).joined(separator: ", ")
                default:
                    throw PluginProtocolError(
                        .wrongFieldType,
                        "message \"webhook\": header \"\(name)\" must be a string or an array of strings, got \(value.typeName)"
                    )
                }
            }
        }
        let text = try wire.optionalString("body") ?? ""
        guard let data = Data(base64Encoded: text) else {
            throw PluginProtocolError(.invalidValue, "message \"webhook\": field \"body\" is not valid base64")
        }
        self.init(id: id, headers: headers, body: Array(data))
    }
}
