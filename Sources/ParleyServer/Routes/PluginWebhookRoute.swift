public import Logging

/// A request to a plugin's webhook route, as the HTTP API received it.
public struct PluginWebhook: Sendable {
    /// The plugin named in the route (`/v1/plugins/{name}/webhook`).
    public var plugin: String
    /// The request's headers, names lowercased (several values of one name joined by `, `).
    public var headers: [String: String]
    /// The request's body.
    public var body: [UInt8]

    /// A webhook for `plugin`.
    public init(plugin: String, headers: [String: String], body: [UInt8]) {
        self.plugin = plugin
        self.headers = headers
        self.body = body
    }
}

/// What the HTTP caller of a webhook receives: the plugin's `ack` (202 by default), or why the
/// daemon could not hand the webhook over.
public struct PluginWebhookAnswer: Sendable, Equatable {
    /// The HTTP status.
    public var status: Int
    /// The error the caller receives as `{"error": …}`; nil for a success.
    public var error: String?

    /// An answer.
    public init(status: Int = 202, error: String? = nil) {
        self.status = status
        self.error = error
    }

    /// 404: no plugin of that name is configured.
    public static func noSuchPlugin(_ name: String) -> PluginWebhookAnswer {
        PluginWebhookAnswer(status: 404, error: "no such plugin \"\(name)\"")
    }
}

/// The seam between the HTTP API and the plugin host: `POST /v1/plugins/{name}/webhook` hands
/// the request here and answers what this returns (after the plugin's `ack`). Without a
/// handler the route answers 404 for every name.
public protocol PluginWebhookHandler: Sendable {
    /// Delivers `webhook` to its plugin and waits for the plugin's `ack` (or a timeout, a crash,
    /// an unknown name: say so in the answer).
    func deliver(_ webhook: PluginWebhook, logger: Logger) async -> PluginWebhookAnswer
}
