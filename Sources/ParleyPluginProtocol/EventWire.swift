import ParleyModel

/// How events travel in protocol messages: a `NewEvent` as its envelope (`events.md`), a stored
/// `Event` as `parley read` prints it (with `position`, `version`, `recorded`).
enum EventWire {
    /// The envelope of `event` as a JSON object; `id`, `expected_version` and `meta` only when set.
    static func json(_ event: NewEvent) -> JSONValue {
        var o: JSONObject = [
            "stream": .string(event.stream), "type": .string(event.type), "time": .string(event.time.rfc3339),
            "source": .string(event.source), "data": .object(event.data),
        ]
        if let id = event.id { o["id"] = .string(id) }
        if let v = event.expectedVersion { o["expected_version"] = .int(v) }
        if !event.meta.isEmpty { o["meta"] = .object(event.meta) }
        return .object(o)
    }

    /// Reads and validates one envelope of an `emit` message.
    ///
    /// - Parameters:
    ///   - value: the JSON of the event.
    ///   - index: its place in the batch, for the error message.
    ///   - defaultSource: the `source` to assume when the event names none (the plugin's name).
    static func newEvent(_ value: JSONValue, index: Int, defaultSource: String?) throws(PluginProtocolError) -> NewEvent {
        var value = value
        if let defaultSource, case .object(var o) = value, o["source"] == nil || o["source"]!.isNull {
            o["source"] = .string(defaultSource)
            value = .object(o)
        }
        do { return try NewEvent(json: value) } catch {
            // As an append names it; the emit (and its ref) is named by whoever reports it.
            throw PluginProtocolError(.invalidEvent, "event \(index): \(error.description)")
        }
    }

    /// Reads a stored event of an `event` message. `position` is required; `version` defaults
    /// to 0 and `recorded` to the event's `time` when the sender leaves them out.
    static func storedEvent(_ value: JSONValue) throws(PluginProtocolError) -> Event {
        let envelope: NewEvent
        do { envelope = try NewEvent(json: value) } catch {
            throw PluginProtocolError(.invalidEvent, "message \"event\": the event is invalid: \(error.description)")
        }
        guard let p = value["position"] else {
            throw PluginProtocolError(.missingField, "message \"event\": field \"event.position\" is required")
        }
        guard let position = p.intValue, position >= 1 else {
            throw PluginProtocolError(.invalidValue, "message \"event\": field \"event.position\" must be an integer ≥ 1, got \(JSONWriter.string(p))")
        }
        let version = value["version"]?.intValue ?? 0
        var recorded = envelope.time
        if let text = value["recorded"]?.stringValue {
            do { recorded = try Instant(rfc3339: text) } catch {
                throw PluginProtocolError(.invalidValue, "message \"event\": field \"event.recorded\" \(error.description)")
            }
        }
        return Event(
            position: UInt64(position), version: UInt64(max(0, version)), recorded: recorded,
            id: envelope.id ?? "", stream: envelope.stream, type: envelope.type, time: envelope.time,
            source: envelope.source, data: envelope.data, meta: envelope.meta
        )
    }
}
