public import ParleyModel

/// The first line a plugin sends: what it wants to receive.
public struct PluginHello: Sendable, Equatable {
    /// The protocol version; always ``pluginProtocolVersion`` once decoded.
    public var protocolVersion: Int64
    /// Event type patterns, `*` as a trailing wildcard (`"ticket.*"`); empty for none.
    public var subscribe: [String]
    /// Seconds between `tick` messages; `nil` for no ticks.
    public var tickSeconds: Int64?

    /// Creates a hello.
    public init(subscribe: [String] = [], tickSeconds: Int64? = nil, protocolVersion: Int64 = pluginProtocolVersion) {
        self.protocolVersion = protocolVersion
        self.subscribe = subscribe
        self.tickSeconds = tickSeconds
    }

    /// The subscription as a matcher.
    public var subscription: Subscription { Subscription(subscribe) }
}

/// The answer to a webhook: what the HTTP caller receives.
public struct WebhookAck: Sendable, Equatable {
    /// The `id` of the `webhook` message.
    public var webhook: String
    /// The HTTP status for the caller; 202 by default.
    public var status: Int64
    /// Why the request was not accepted, for the caller.
    public var error: String?

    /// Creates an ack.
    public init(webhook: String, status: Int64 = 202, error: String? = nil) {
        self.webhook = webhook
        self.status = status
        self.error = error
    }
}

/// The level of a `log` message (the levels of swift-log).
public enum PluginLogLevel: String, Sendable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    /// The level named `name`, in any case, also by the usual short names (`warn`, `err`,
    /// `crit`, `fatal`) that logging libraries of other languages use.
    public init?(name: String) {
        let lower = name.lowercased()
        switch lower {
        case "warn": self = .warning
        case "err": self = .error
        case "crit", "fatal": self = .critical
        default: self.init(rawValue: lower)
        }
    }
}

/// A message from a plugin to the daemon: one JSON line on the plugin's stdout.
public enum PluginMessage: Sendable, Equatable {
    /// The first line.
    case hello(PluginHello)
    /// Events to append as one atomic batch; the daemon answers `emitted` or `rejected` with `ref`.
    case emit(ref: String, events: [NewEvent])
    /// A webhook is handled.
    case ack(WebhookAck)
    /// Everything up to `position` is handled; the daemon stores it durably.
    case checkpoint(position: UInt64)
    /// A line for the daemon's log.
    case log(level: PluginLogLevel, message: String)

    /// The wire name of this message.
    public var typeName: String {
        switch self {
        case .hello: return "hello"
        case .emit: return "emit"
        case .ack: return "ack"
        case .checkpoint: return "checkpoint"
        case .log: return "log"
        }
    }

    /// The message as a JSON object.
    public var json: JSONValue {
        var o: JSONObject = ["type": .string(typeName)]
        switch self {
        case .hello(let h):
            o["protocol"] = .int(h.protocolVersion)
            o["subscribe"] = .array(h.subscribe.map { .string($0) })
            if let t = h.tickSeconds { o["tick_s"] = .int(t) }
        case .emit(let ref, let events):
            o["ref"] = .string(ref)
            o["events"] = .array(events.map(EventWire.json))
        case .ack(let a):
            o["webhook"] = .string(a.webhook)
            o["status"] = .int(a.status)
            if let e = a.error { o["error"] = .string(e) }
        case .checkpoint(let position):
            o["position"] = .int(Int64(position))
        case .log(let level, let message):
            o["level"] = .string(level.rawValue)
            o["message"] = .string(message)
        }
        return .object(o)
    }

    /// The message as one line of canonical JSON, without the newline.
    public var line: String { JSONWriter.string(json) }

    /// Decodes one line, validating every emitted event (`NewEvent(json:)`).
    ///
    /// - Parameters:
    ///   - line: the bytes of the line, with or without its newline.
    ///   - defaultSource: the `source` given to emitted events that carry none: the plugin's
    ///     name (`nil` leaves `NewEvent`'s own default, `api`).
    /// - Throws: ``PluginProtocolError`` naming the message, field or event at fault.
    public init(line: some Collection<UInt8>, defaultSource: String? = nil) throws(PluginProtocolError) {
        try self.init(wire: try WireObject.parse(line: line), defaultSource: defaultSource)
    }

    /// Decodes one line of text; see ``init(line:defaultSource:)-(Collection<UInt8>,_)``.
    public init(line: String, defaultSource: String? = nil) throws(PluginProtocolError) {
        try self.init(line: Array(line.utf8), defaultSource: defaultSource)
    }

    init(wire: WireObject, defaultSource: String?) throws(PluginProtocolError) {
        switch wire.type {
        case "hello":
            let version = try wire.protocolVersion()
            let subscribe = wire.optional("subscribe") == nil ? [] : try wire.strings("subscribe")
            for pattern in subscribe {
                if let problem = Subscription.problem(with: pattern) {
                    throw PluginProtocolError(.invalidValue, "message \"hello\": subscription \"\(pattern)\" \(problem)")
                }
            }
            var tick: Int64?
            if wire.optional("tick_s") != nil {
                let t = try wire.integer("tick_s")
                guard t >= 1 else {
                    throw PluginProtocolError(.invalidValue, "message \"hello\": field \"tick_s\" must be at least 1, got \(t)")
                }
                tick = t
            }
            self = .hello(PluginHello(subscribe: subscribe, tickSeconds: tick, protocolVersion: version))
        case "emit":
            let ref = try wire.string("ref")
            var events: [NewEvent] = []
            for (i, value) in try wire.array("events").enumerated() {
                events.append(try EventWire.newEvent(value, index: i, defaultSource: defaultSource))
            }
            self = .emit(ref: ref, events: events)
        case "ack":
            let status = wire.optional("status") == nil ? 202 : try wire.integer("status")
            guard (100...599).contains(status) else {
                throw PluginProtocolError(.invalidValue, "message \"ack\": field \"status\" must be an HTTP status 100–599, got \(status)")
            }
            self = .ack(WebhookAck(webhook: try wire.string("webhook"), status: status, error: try wire.optionalString("error")))
        case "checkpoint":
            self = .checkpoint(position: try wire.position("position"))
        case "log":
            let levelText = try wire.optionalString("level") ?? "info"
            guard let level = PluginLogLevel(name: levelText) else {
                let known = PluginLogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                throw PluginProtocolError(.invalidValue, "message \"log\": level \"\(levelText)\" is not one of \(known)")
            }
            self = .log(level: level, message: try wire.string("message"))
        default:
            throw PluginProtocolError(
                .unknownMessageType,
                "unknown message type \"\(wire.type)\" from the plugin (expected hello, emit, ack, checkpoint or log)"
            )
        }
    }
}
