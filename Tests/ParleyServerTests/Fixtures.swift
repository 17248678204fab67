import AsyncHTTPClient
import Foundation
import ParleyTestSupport
import Logging
import NIOCore
import NIOHTTP1
import ParleyLog
import ParleyModel
import ParleyConfiguration
import ParleyServer
import ServiceLifecycle

/// The tokens of the test daemons.
enum TestTokens {
    static let admin = "admin-secret-0123456789"
    static let reader = "reader-secret-0123456789"
    static let appender = "append-secret-0123456789"
    static let ticketsOnly = "tickets-secret-0123456789"

    static let all: [TokenSpec] = [
        TokenSpec(name: "admin", secret: admin, scopes: [.admin]),
        TokenSpec(name: "reader", secret: reader, scopes: [.read]),
        TokenSpec(name: "appender", secret: appender, scopes: [.append]),
        TokenSpec(name: "tickets", secret: ticketsOnly, scopes: [.append, .read], streams: ["ticket:", "member:"]),
    ]
}

/// An HTTP answer, read whole.
struct Answer {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
    var error: String? { json.objectValue?["error"]?.stringValue }
}

/// A client of one test daemon.
struct APIClient: Sendable {
    let base: String
    let http: HTTPClient

    /// Sends one request and reads the whole answer.
    func send(_ method: HTTPMethod, _ path: String, token: String? = TestTokens.admin, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    /// Posts events (a JSON document or JSON Lines) with `token`.
    func post(_ json: String, token: String? = TestTokens.admin, ndjson: Bool = false) async throws -> Answer {
        try await send(.POST, "/v1/events", token: token, body: Array(json.utf8),
                       headers: [("Content-Type", ndjson ? "application/x-ndjson" : "application/json")])
    }

    /// The positions of a 201.
    static func positions(_ answer: Answer) -> [UInt64] {
        answer.json.objectValue?["positions"]?.arrayValue?.compactMap { $0.intValue.map(UInt64.init) } ?? []
    }
}

/// A client with a pool large enough for the concurrency tests. Pooled connections are let go
/// well before the test daemons' read timeout closes them, so a request never goes out on a
/// connection the server is closing.
func makeHTTPClient() -> HTTPClient {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .milliseconds(300), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
    return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
}


/// Runs an in-process daemon on a free loopback port over a new data directory, calls `body`
/// with a client, then shuts the daemon down gracefully and removes the directory.
func withDaemon<T: Sendable>(
    tokens: [TokenSpec] = TestTokens.all, limits: ServerLimits = testLimits(),
    webhooks: (any PluginWebhookHandler)? = nil, directory: String? = nil, logger given: Logger? = nil,
    _ body: @Sendable (APIClient, Daemon) async throws -> T
) async throws -> T {
    let dir = directory ?? temporaryPath()
    defer { if directory == nil { try? FileManager.default.removeItem(atPath: dir) } }
    var logger = Logger(label: "parleyd-test")
    logger.logLevel = ProcessInfo.processInfo.environment["PARLEY_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
    if let given { logger = given }
    let configuration = DaemonConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), data: dir, tokens: tokens, limits: limits)
    var host: PluginHostFactory?
    if let webhooks { host = { @Sendable _ in PluginHosting(service: nil, webhooks: webhooks) } }
    var daemon: Daemon? = try Daemon(configuration: configuration, logger: logger, pluginHost: host)
    weak let released = daemon
    let result = try await serve(daemon!, logger: logger, body)
    // The daemon lets go of the data directory (its lock, its LMDB handles) when the last
    // reference to it goes, which the server's tasks may hold a moment after they end: wait for
    // it, so that the next daemon of a test can take the same directory. (Twice, under the
    // whole parallel suite, the next daemon still found the directory locked: a child process
    // another suite was starting held a copy of the lock's descriptor. `DataDirectoryLock` now
    // closes it while no child starts; `DataDirectoryLockTests` reproduces the race.)
    daemon = nil
    let deadline = ContinuousClock.now + .seconds(60)
    while released != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    return try result.get()
}

/// Runs `daemon`'s services, calls `body` with a client once it listens, then shuts it down
/// gracefully; returns what `body` returned or threw.
private func serve<T: Sendable>(
    _ daemon: Daemon, logger: Logger, _ body: @Sendable (APIClient, Daemon) async throws -> T
) async throws -> Result<T, any Error> {
    let (listening, continuation) = AsyncStream<ListenAddress>.makeStream()
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(
        services: daemon.services { continuation.yield($0) }.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
        gracefulShutdownSignals: [], logger: logger))
    let http = makeHTTPClient()
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = listening.makeAsyncIterator()
        guard let address = await iterator.next() else { throw TestFailure("the daemon did not start") }
        let client = APIClient(base: "http://127.0.0.1:\(address.port)", http: http)
        let result: Result<T, any Error>
        do { result = .success(try await body(client, daemon)) } catch { result = .failure(error) }
        try? await http.shutdown()
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// Limits that make the timeouts of the tests short. The read timeout stays a few seconds, so
/// that a machine busy with the rest of the suite does not close connections mid-request; the
/// tests of the read timeout itself ask for a short one (`readTimeout: 1`).
func testLimits(readTimeout: Double = 5) -> ServerLimits {
    var limits = ServerLimits()
    limits.readTimeoutSeconds = readTimeout
    limits.streamWriteTimeoutSeconds = 1
    limits.streamKeepAliveSeconds = 1
    limits.viewPollSeconds = 0.1
    limits.supportGaugeSeconds = 0.2
    return limits
}

/// A test failure with a message.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A ticket event as JSON text.
func ticketOpened(_ ticket: String, id: String? = nil, expected: Int? = nil, time: String = "2026-03-02T09:00:00Z") -> String {
    var fields = ["\"stream\":\"ticket:\(ticket)\"", "\"type\":\"ticket.opened\"", "\"time\":\"\(time)\"",
                  "\"data\":{\"ticket\":\"\(ticket)\",\"member\":\"m-\(ticket)\"}"]
    if let id { fields.append("\"id\":\"\(id)\"") }
    if let expected { fields.append("\"expected_version\":\(expected)") }
    return "{" + fields.joined(separator: ",") + "}"
}
