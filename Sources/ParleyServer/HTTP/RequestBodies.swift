import Foundation
import Hummingbird

/// Reading request bodies within the size limit.
enum RequestBodies {
    /// The body of `request`, at most `limit` bytes.
    ///
    /// - Throws: ``APIError`` 413 when the body (or its announced `Content-Length`) is larger.
    static func collect(_ request: Request, context: ParleyRequestContext, limit: Int) async throws -> [UInt8] {
        if let encoding = request.headers[.contentEncoding], !encoding.trimmingCharacters(in: .whitespaces).lowercased().elementsEqual("identity") {
            throw APIError(.unsupportedMediaType, "the body is sent with Content-Encoding \(encoding), which this API does not take; send it uncompressed")
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw tooLarge(limit)
        }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // A body without Content-Length (chunked) that runs over: NIO's NIOTooManyBytesError,
            // which Hummingbird would answer with a bare 413.
            throw tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "the request body is over the limit of \(limit >> 20) MiB (\(limit) bytes); send smaller batches")
    }

    /// Whether a `Content-Type` names JSON Lines.
    static func isJSONLines(_ contentType: String) -> Bool {
        // The media type before any parameter, without surrounding blanks, in any case.
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        var type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }.drop(while: blank)
        while let last = type.last, blank(last) { type = type.dropLast() }
        return jsonLinesTypes.contains { name in name.elementsEqual(type.lazy.map(asciiLowercase)) }
    }

    private static let jsonLinesTypes = ["application/x-ndjson", "application/jsonl", "application/json-lines"].map { Array($0.utf8) }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

/// The query parameters of a request, checked against the names a route knows: an unknown
/// name is an error rather than silently ignored.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Reads the query of `request`.
    ///
    /// - Throws: ``APIError`` 400 naming a parameter outside `allowed` or given twice.
    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        for (key, value) in request.uri.queryParameters {
            let name = String(key)
            guard allowed.contains(name) else {
                let known = allowed.isEmpty ? "this route takes none" : "known here: \(allowed.sorted().joined(separator: ", "))"
                throw APIError(.badRequest, "unknown query parameter \"\(name)\" (\(known))", field: name)
            }
            guard values[name] == nil else { throw APIError(.badRequest, "query parameter \"\(name)\" is given twice", field: name) }
            // `?stream=` would filter for the empty name and answer nothing, silently.
            guard !value.isEmpty else { throw APIError(.badRequest, "query parameter \"\(name)\" has no value", field: name) }
            values[name] = String(value)
        }
    }

    /// Every parameter, as text.
    var all: [String: String] { values }

    /// A text parameter.
    func text(_ name: String) -> String? { values[name] }

    /// A starting position (`from`): a whole number, 0 and 1 both meaning the first event, as
    /// `parley read --from` takes it.
    func start(_ name: String) throws(APIError) -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let p = UInt64(text) else {
            throw APIError(.badRequest, "query parameter \"\(name)\" must be a position (a whole number ≥ 0), got \"\(text)\"", field: name)
        }
        return max(p, 1)
    }

    /// A count parameter (≥ 0).
    func count(_ name: String) throws(APIError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let n = Int(text), n >= 0 else {
            throw APIError(.badRequest, "query parameter \"\(name)\" must be a whole number ≥ 0, got \"\(text)\"", field: name)
        }
        return n
    }
}
