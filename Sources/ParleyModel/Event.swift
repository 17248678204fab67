/// An event as a writer hands it to the log: the envelope of `events.md` before the log adds
/// `position`, `version`, `recorded` and `hash`.
public struct NewEvent: Sendable, Equatable {
    /// Unique in the whole log, forever; the log assigns a UUID when absent.
    public var id: String?
    public var stream: String
    public var type: String
    /// When the thing happened at its source.
    public var time: Instant
    /// Where it came from; `api` when not given.
    public var source: String
    /// `0`: the stream must not exist yet; `N`: its version must be exactly `N`.
    public var expectedVersion: Int64?
    public var data: JSONObject
    /// Correlation and causation ids, actor, anything else; `{}` when absent.
    public var meta: JSONObject

    public init(
        id: String? = nil, stream: String, type: String, time: Instant, source: String = "api",
        expectedVersion: Int64? = nil, data: JSONObject, meta: JSONObject = [:]
    ) {
        self.id = id
        self.stream = stream
        self.type = type
        self.time = time
        self.source = source
        self.expectedVersion = expectedVersion
        self.data = data
        self.meta = meta
    }

    /// The category of the stream: the text before its first `:`.
    public var category: Substring { stream.prefix { $0 != ":" } }

    /// Whether `other` records the same fact: equal stream, type, source, instant, data and meta
    /// (ids and expected versions aside), as idempotent appends require; text compares by its
    /// bytes (``ExactText``).
    public func sameFact(as other: NewEvent) -> Bool {
        stream.hasSameBytes(as: other.stream) && type.hasSameBytes(as: other.type) && source.hasSameBytes(as: other.source)
            && time == other.time && data == other.data && meta == other.meta
    }
}

/// An event as the log holds it.
public struct Event: Sendable, Equatable {
    /// Its place in the whole log: 1, 2, 3, … with no gaps.
    public var position: UInt64
    /// Its place in its stream: 1, 2, 3, … with no gaps.
    public var version: UInt64
    /// When the log appended it.
    public var recorded: Instant
    public var id: String
    public var stream: String
    public var type: String
    public var time: Instant
    public var source: String
    public var data: JSONObject
    public var meta: JSONObject

    public init(
        position: UInt64, version: UInt64, recorded: Instant, id: String, stream: String, type: String,
        time: Instant, source: String, data: JSONObject, meta: JSONObject
    ) {
        self.position = position
        self.version = version
        self.recorded = recorded
        self.id = id
        self.stream = stream
        self.type = type
        self.time = time
        self.source = source
        self.data = data
        self.meta = meta
    }

    /// The envelope as it was appended (with its id).
    public var asNew: NewEvent {
        NewEvent(id: id, stream: stream, type: type, time: time, source: source, data: data, meta: meta)
    }
}

/// Why an event is refused: the field at fault (`"stream"`, `"data.ticket"`, …) and the reason.
public struct EventValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the field at fault, `""` for the event as a whole.
    public var field: String
    /// What is wrong with it.
    public var reason: String

    public init(field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "field \"\(field)\" \(reason)" }
}
