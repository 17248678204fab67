public import Hummingbird
public import HTTPTypes
public import ParleyLog
public import ParleyModel

/// An API failure answered as `{"error": "…", "event": i, "field": "…"}` with its HTTP status:
/// one sentence naming the input at fault, and where the batch and field are known, those too.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What is wrong, in one sentence.
    public var message: String
    /// The index of the event at fault in its batch, from 0.
    public var event: Int?
    /// The field at fault (`data.ticket`, `stream`, a query parameter).
    public var field: String?
    /// Extra response headers (`WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    /// A failure with `status`.
    public init(_ status: HTTPResponse.Status, _ message: String, event: Int? = nil, field: String? = nil) {
        self.status = status
        self.message = message
        self.event = event
        self.field = field
    }

    /// `STATUS: message`, for logs.
    public var description: String { "\(status.code): \(message)" }

    /// The JSON body.
    public var json: JSONValue {
        var o: JSONObject = ["error": .string(message)]
        if let event { o["event"] = .int(Int64(event)) }
        if let field { o["field"] = .string(field) }
        return .object(o)
    }

    /// The JSON response of the failure.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .json(json))
    }

    /// 401: no usable token; `reason` says why.
    public static func unauthorized(_ reason: String) -> APIError {
        var error = APIError(.unauthorized, reason)
        error.headers[.wwwAuthenticate] = "Bearer realm=\"parley\""
        return error
    }

    /// The answer to a refused append: 400 invalid (an event over 1 MiB too: `events.md` limits
    /// it in the row of `data`; 413 is for requests over 16 MiB), 409 conflicts, 503 storage.
    public init(_ error: LogError) {
        let status: HTTPResponse.Status
        switch error.code {
        case .invalid, .tooLarge: status = .badRequest
        case .idConflict, .versionConflict: status = .conflict
        default: status = .serviceUnavailable
        }
        self.init(status, error.description, event: error.eventIndex, field: error.field)
    }
}

extension ResponseBody {
    /// `value` as one line of JSON.
    static func json(_ value: JSONValue) -> ResponseBody {
        var bytes = JSONWriter.encode(value)
        bytes.append(0x0A)
        return ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .json(value))
    }
}
