public import ParleyModel

/// The first line the daemon sends: who the plugin is, where it left off, its configuration.
public struct DaemonHello: Sendable, Equatable {
    /// The protocol version; always ``pluginProtocolVersion`` once decoded.
    public var protocolVersion: Int64
    /// The plugin's configured name (also the default `source` of its events).
    public var name: String
    /// The position the plugin last confirmed with a `checkpoint`; 0 for a new plugin.
    public var checkpoint: UInt64
    /// The `config` object of the plugin's entry in the daemon's configuration file.
    public var config: JSONObject

    /// Creates a hello.
    public init(name: String, checkpoint: UInt64, config: JSONObject = [:], protocolVersion: Int64 = pluginProtocolVersion) {
        self.protocolVersion = protocolVersion
        self.name = name
        self.checkpoint = checkpoint
        self.config = config
    }
}

/// A message from the daemon to a plugin: one JSON line on the plugin's stdin.
public enum DaemonMessage: Sendable, Equatable {
    /// The first line.
    case hello(DaemonHello)
    /// A stored event of a subscribed type, in position order from `checkpoint + 1`.
    case event(Event)
    /// Replay has reached the head of the log at `position`; live events follow.
    case caughtUp(position: UInt64)
    /// An HTTP request to the plugin's webhook route.
    case webhook(Webhook)
    /// The time, every `tick_s` seconds, for plugins that asked.
    case tick(now: Instant)
    /// The `emit` named `ref` is durably appended at `positions`.
    case emitted(ref: String, positions: [UInt64])
    /// The `emit` named `ref` was refused as a whole, for `error`.
    case rejected(ref: String, error: String)

    /// The wire name of this message (`"caught_up"`, …).
    public var typeName: String {
        switch self {
        case .hello: return "hello"
        case .event: return "event"
        case .caughtUp: return "caught_up"
        case .webhook: return "webhook"
        case .tick: return "tick"
        case .emitted: return "emitted"
        case .rejected: return "rejected"
        }
    }

    /// The message as a JSON object.
    public var json: JSONValue {
        var o: JSONObject = ["type": .string(typeName)]
        switch self {
        case .hello(let h):
            o["protocol"] = .int(h.protocolVersion)
            o["name"] = .string(h.name)
            o["checkpoint"] = .int(Int64(h.checkpoint))
            o["config"] = .object(h.config)
        case .event(let e):
            o["event"] = e.json()
        case .caughtUp(let position):
            o["position"] = .int(Int64(position))
        case .webhook(let w):
            o["id"] = .string(w.id)
            o["headers"] = .object(JSONObject(w.headers.mapValues { JSONValue.string($0) }))
            o["body"] = .string(w.base64Body)
        case .tick(let now):
            o["now"] = .string(now.rfc3339)
        case .emitted(let ref, let positions):
            o["ref"] = .string(ref)
            o["positions"] = .array(positions.map { .int(Int64($0)) })
        case .rejected(let ref, let error):
            o["ref"] = .string(ref)
            o["error"] = .string(error)
        }
        return .object(o)
    }

    /// The message as one line of canonical JSON, without the newline.
    public var line: String { JSONWriter.string(json) }

    /// Decodes one line (without or with its newline).
    ///
    /// - Throws: ``PluginProtocolError`` naming the field at fault; `unsupportedProtocol` for a
    ///   `hello` of another version; `unknownMessageType` for a `type` the daemon never sends.
    public init(line: some Collection<UInt8>) throws(PluginProtocolError) {
        try self.init(wire: try WireObject.parse(line: line))
    }

    /// Decodes one line of text.
    public init(line: String) throws(PluginProtocolError) {
        try self.init(line: Array(line.utf8))
    }

    init(wire: WireObject) throws(PluginProtocolError) {
        switch wire.type {
        case "hello":
            let version = try wire.protocolVersion()
            let config = wire.optional("config") == nil ? [:] : try wire.object("config")
            self = .hello(DaemonHello(
                name: try wire.string("name"), checkpoint: wire.optional("checkpoint") == nil ? 0 : try wire.position("checkpoint"),
                config: config, protocolVersion: version
            ))
        case "event":
            self = .event(try EventWire.storedEvent(.object(try wire.object("event"))))
        case "caught_up":
            self = .caughtUp(position: try wire.position("position"))
        case "webhook":
            self = .webhook(try Webhook(wire: wire))
        case "tick":
            let text = try wire.string("now")
            do { self = .tick(now: try Instant(rfc3339: text)) } catch {
                throw PluginProtocolError(.invalidValue, "message \"tick\": field \"now\" \(error.description)")
            }
        case "emitted":
            self = .emitted(ref: try wire.string("ref"), positions: try wire.positions("positions"))
        case "rejected":
            self = .rejected(ref: try wire.string("ref"), error: try wire.optionalString("error") ?? "")
        default:
            throw PluginProtocolError(
                .unknownMessageType,
                "unknown message type \"\(wire.type)\" from the daemon (expected hello, event, caught_up, webhook, tick, emitted or rejected)"
            )
        }
    }
}
