/// Why a protocol line cannot be read, or why an exchange cannot go on.
///
/// The ``message`` names the input at fault, e.g.
/// `line 3: message "emit": field "ref" must be a string, got a number`.
public struct PluginProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; a struct over a private enum, so that codes can be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case malformedLine = "malformed line"
            case unknownMessageType = "unknown message type"
            case missingField = "missing field"
            case wrongFieldType = "wrong field type"
            case invalidValue = "invalid value"
            case unsupportedProtocol = "unsupported protocol"
            case invalidEvent = "invalid event"
            case unexpectedMessage = "unexpected message"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The line is not one JSON object.
        public static let malformedLine = Code(.malformedLine)
        /// The `type` names no message of this direction.
        public static let unknownMessageType = Code(.unknownMessageType)
        /// A required field is absent (or `null`).
        public static let missingField = Code(.missingField)
        /// A field holds the wrong JSON type.
        public static let wrongFieldType = Code(.wrongFieldType)
        /// A field has the right type but a value outside its range (bad base64, negative position, …).
        public static let invalidValue = Code(.invalidValue)
        /// The other side speaks another protocol version.
        public static let unsupportedProtocol = Code(.unsupportedProtocol)
        /// An event of an `emit` or `event` message breaks the envelope or vocabulary rules.
        public static let invalidEvent = Code(.invalidEvent)
        /// A well-formed message arrived when it is not allowed (e.g. anything before `hello`).
        public static let unexpectedMessage = Code(.unexpectedMessage)

        /// The code in words (`"malformed line"`).
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// One sentence naming the input at fault.
    public var message: String

    /// Creates an error with a code and a message naming the input at fault.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// The same error with `context` put in front of its message (`"line 4: …"`).
    public func prefixed(_ context: String) -> PluginProtocolError {
        PluginProtocolError(code, "\(context): \(message)")
    }
}

/// The protocol version this module speaks (`surfaces.md`, "The plugin protocol").
public let pluginProtocolVersion: Int64 = 1
