/// Why the host could not run a plugin: one sentence naming the plugin and what went wrong.
public struct PluginHostError: Error, Sendable, CustomStringConvertible {
    /// The sentence.
    public var message: String

    /// Creates an error from a sentence naming the input at fault.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// An HTTP answer to a webhook: the plugin's `ack`, or the host's own when the plugin cannot give one.
public struct WebhookAnswer: Sendable, Equatable {
    /// The HTTP status (202 accepted; 503 plugin down; 504 no answer in time).
    public var status: Int
    /// Why the request was not accepted, for the caller.
    public var error: String?

    /// Creates an answer.
    public init(status: Int, error: String? = nil) {
        self.status = status
        self.error = error
    }
}
