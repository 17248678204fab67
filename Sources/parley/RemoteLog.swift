import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ParleyLog
import ParleyModel

/// The CLI's view of a running `parleyd` (`--server URL --token T`): the same commands, through
/// the HTTP API of `surfaces.md`.
struct RemoteLog {
    let base: URL
    let token: String?

    init(server: String, token: String?) throws {
        guard let url = URL(string: server.hasSuffix("/") ? String(server.dropLast()) : server), url.scheme == "http" || url.scheme == "https" else {
            throw CommandFailure(message: "--server: \"\(server)\" is not an http(s) URL", status: 2)
        }
        base = url
        self.token = token
    }

    /// An answer of the daemon.
    struct Response {
        var status: Int
        var body: Data
    }

    /// Sends a request and waits for the answer.
    func send(_ method: String, _ path: String, query: [String: String] = [:], body: Data? = nil, contentType: String = "application/json") throws -> Response {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = 300
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let error { throw CommandFailure(message: "cannot reach \(base.absoluteString): \(error.localizedDescription)") }
        return Response(status: response?.statusCode ?? 0, body: data ?? Data())
    }

    /// The daemon's error for a failed response, as one sentence; the event it names (the
    /// answer's `event`) goes in ``CommandFailure/event``, not in the sentence.
    func failure(_ response: Response) -> CommandFailure {
        var message = "the server answered \(response.status)"
        var event: Int?
        if let json = try? JSONParser.parse(Array(response.body)), let error = json["error"]?.stringValue {
            message = error
            event = json["event"]?.intValue.map(Int.init)
            if let event, message.hasPrefix("event \(event): ") { message.removeFirst("event \(event): ".count) }
        } else if !response.body.isEmpty {
            message += ": " + String(decoding: response.body.prefix(300), as: UTF8.self)
        }
        return CommandFailure(message: message, event: event)
    }

    /// Appends one atomic batch; returns the positions.
    func append(_ events: [JSONValue], lines: Bool = false) throws -> [UInt64] {
        try appendReport(events, lines: lines).positions
    }

    /// Appends one atomic batch; returns the positions and, when the daemon says, how many were new.
    func appendReport(_ events: [JSONValue], lines: Bool = false) throws -> (positions: [UInt64], appended: Int?) {
        let body: Data
        if lines {
            var bytes: [UInt8] = []
            for e in events { bytes += JSONWriter.encode(e); bytes.append(0x0A) }
            body = Data(bytes)
        } else {
            body = Data(JSONWriter.encode(.array(events)))
        }
        let response = try send("POST", "/v1/events", body: body, contentType: lines ? "application/x-ndjson" : "application/json")
        guard response.status == 201 else { throw failure(response) }
        guard let json = try? JSONParser.parse(Array(response.body)), let positions = json["positions"]?.arrayValue else {
            throw CommandFailure(message: "the server's answer holds no positions")
        }
        return (positions.compactMap { $0.intValue.map(UInt64.init) }, json["appended"]?.intValue.map(Int.init))
    }

    /// The stored events of type `type`, in position order (`GET /v1/events?type=`).
    func events(ofType type: String) throws -> [Event] {
        let response = try send("GET", "/v1/events", query: ["type": type])
        guard response.status == 200 else { throw failure(response) }
        return try response.body.split(separator: 0x0A).map { line in
            let bytes = Array(line)
            do { return try bytes.withUnsafeBytes { try EventCodec.decode($0) } } catch {
                let reason = (error as? LogError)?.message ?? "\(error)"
                throw CommandFailure(message: "the server's answer holds a line that is not a stored event: \(reason)")
            }
        }
    }

    /// The JSON of a view query; a draft or what-if policies go as a POST body
    /// `{"draft": …, "policy": {…}}`.
    func view(_ path: String, query: [String: String], draft: JSONValue?, policy: JSONObject? = nil) throws -> JSONValue {
        let response: Response
        if draft != nil || policy != nil {
            var body: JSONObject = [:]
            body["draft"] = draft
            body["policy"] = policy.map { .object($0) }
            response = try send("POST", "/v1/views/\(path)", query: query, body: Data(JSONWriter.encode(.object(body))))
        } else {
            response = try send("GET", "/v1/views/\(path)", query: query)
        }
        guard response.status == 200 else { throw failure(response) }
        do { return try JSONParser.parse(Array(response.body)) } catch {
            throw CommandFailure(message: "the server's answer is not JSON: \(error)")
        }
    }
}

/// Carries a URLSession answer from its callback thread.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, HTTPURLResponse?, (any Error)?) = (nil, nil, nil)
    func set(_ data: Data?, _ response: HTTPURLResponse?, _ error: (any Error)?) {
        lock.lock()
        value = (data, response, error)
        lock.unlock()
    }
    func get() -> (Data?, HTTPURLResponse?, (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
