public import ParleyModel
public import ParleyStore

/// Why the log refused something, with the event and field at fault where there is one.
public struct LogError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; an open set, so cases can be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalid, idConflict, versionConflict, tooLarge, notALog, newerFormat, storage, corrupted
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An event breaks the envelope or vocabulary rules (HTTP 400).
        public static let invalid = Code(.invalid)
        /// An id already in the log with other content (HTTP 409).
        public static let idConflict = Code(.idConflict)
        /// An `expected_version` that does not hold (HTTP 409).
        public static let versionConflict = Code(.versionConflict)
        /// An event over 1 MiB (HTTP 413).
        public static let tooLarge = Code(.tooLarge)
        /// The directory is not a Parley data directory.
        public static let notALog = Code(.notALog)
        /// The data directory was written by a newer format version.
        public static let newerFormat = Code(.newerFormat)
        /// The storage layer failed.
        public static let storage = Code(.storage)
        /// A stored event does not decode.
        public static let corrupted = Code(.corrupted)

        public var description: String { "\(base)" }
    }

    /// The kind of failure.
    public var code: Code
    /// What is wrong, in one sentence.
    public var message: String
    /// The index of the failing event in its batch, from 0.
    public var eventIndex: Int?
    /// The field at fault (`data.ticket`, `expected_version`).
    public var field: String?
    /// The earlier event of the same batch the failure is about (the first use of an id the
    /// failing event reuses with other content), so that a caller can name it as its input
    /// knows it: a line of a file rather than an index in a batch.
    public var earlierEventIndex: Int?

    public init(code: Code, message: String, eventIndex: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.eventIndex = eventIndex
        self.field = field
    }

    /// An invalid event at `index` of its batch.
    public static func invalid(_ error: EventValidationError, at index: Int?) -> LogError {
        LogError(code: .invalid, message: error.description, eventIndex: index, field: error.field.isEmpty ? nil : error.field)
    }

    /// A storage failure.
    public static func storage(_ error: StoreError) -> LogError {
        LogError(code: error.code == .permissionDenied ? .notALog : .storage, message: error.message)
    }

    public var description: String {
        if let eventIndex { return "event \(eventIndex): \(message)" }
        return message
    }
}
