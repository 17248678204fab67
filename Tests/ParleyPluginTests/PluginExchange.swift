import Testing
import ParleyModel
import ParleyPluginProtocol

/// What a plugin made of one webhook or event: the events of its emit (each validated with
/// `NewEvent(json:)` from the raw line), the ack, and the other messages it wrote.
struct Exchange {
    var events: [NewEvent] = []
    var ack: WebhookAck?
    var emits = 0
    var others: [PluginMessage] = []

    var types: [String] { events.map(\.type) }
    var ids: [String] { events.compactMap(\.id) }

    /// The only event of `type`.
    func event(_ type: String) throws -> NewEvent {
        let found = events.filter { $0.type == type }
        guard found.count == 1 else { throw PluginProcessError(description: "expected one \(type), got \(types)") }
        return found[0]
    }
}

extension PluginProcess {
    /// Starts a plugin and performs the handshake; returns the process and the plugin's hello.
    static func started(
        _ name: String, config: JSONObject = [:], checkpoint: UInt64 = 0, environment: [String: String] = [:]
    ) throws -> (PluginProcess, PluginHello) {
        let plugin = try PluginProcess(name, environment: environment)
        plugin.send(.hello(DaemonHello(name: name, checkpoint: checkpoint, config: config)))
        guard case .hello(let hello) = try plugin.receiveSkippingLogs() else {
            throw PluginProcessError(description: "\(name) did not answer hello with hello")
        }
        return (plugin, hello)
    }

    /// Reads messages until the ack of webhook `id`, answering every emit with `emitted` (or
    /// `rejected` with `reject`), and checking every emitted event with `NewEvent(json:)` on
    /// the raw line.
    func collect(untilAckOf id: String, reject: String? = nil) throws -> Exchange {
        var exchange = Exchange()
        var next: UInt64 = 100
        while true {
            let line = try receiveLine()
            let message = try PluginMessage(line: line)
            switch message {
            case .log:
                continue
            case .emit(let ref, _):
                let raw = try JSONParser.parse(line)
                let events = try (raw["events"]?.arrayValue ?? []).map { try NewEvent(json: $0) }
                exchange.events += events
                exchange.emits += 1
                if let reject {
                    send(.rejected(ref: ref, error: reject))
                } else {
                    send(.emitted(ref: ref, positions: events.indices.map { next + UInt64($0) }))
                    next += UInt64(events.count)
                }
            case .ack(let ack) where ack.webhook == id:
                #expect(exchange.emits == 0 || ack.status != 202 || !exchange.events.isEmpty)
                exchange.ack = ack
                return exchange
            default:
                exchange.others.append(message)
            }
        }
    }

    /// Delivers a webhook and answers its emit; returns the events and the ack, which must
    /// come only after the emit was answered.
    func deliver(_ webhook: Webhook, reject: String? = nil) throws -> Exchange {
        send(.webhook(webhook))
        return try collect(untilAckOf: webhook.id, reject: reject)
    }

    /// Delivers stored events, then a sync webhook (the plugin handles lines in order, so
    /// everything the events caused comes before the sync's ack); answers every emit.
    func deliver(_ events: [Event]) throws -> Exchange {
        for event in events { send(.event(event)) }
        let sync = nextSyncID()
        send(.webhook(Webhook(id: sync, headers: [:], body: [])))
        return try collect(untilAckOf: sync)
    }
}
