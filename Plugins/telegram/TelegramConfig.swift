import ParleyPluginProtocol

/// The Telegram plugin's settings, from the `config` of its hello.
struct TelegramConfig: Sendable, Equatable {
    /// The bot's username without `@`; messages that mention it, or reply to it, open tickets.
    var botUsername: String?
    /// The `kind` of `post.published` for channel posts: engaging, educational, promotional or ugc.
    var postKind = "engaging"
    /// The `channel` recorded on posts and tickets.
    var channel = "telegram"
    /// The `source` of emitted events: the plugin's name.
    var source = "telegram"

    /// The config keys the plugin reads.
    static let keys: Set<String> = ["bot_username", "post_kind", "channel"]
    static let kinds: Set<String> = ["engaging", "educational", "promotional", "ugc"]

    init() {}

    /// Reads the config object of the daemon's hello.
    ///
    /// - Throws: ``PluginProtocolError`` naming an unknown key or a bad value.
    init(config: PluginConfig, source: String) throws(PluginProtocolError) {
        try config.requireKnownKeys(Self.keys)
        botUsername = try config.optionalString("bot_username").map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }
        postKind = try config.string("post_kind", default: postKind)
        guard Self.kinds.contains(postKind) else {
            throw PluginProtocolError(.invalidValue, "config key \"post_kind\" must be one of \(Self.kinds.sorted().joined(separator: ", ")), got \"\(postKind)\"")
        }
        channel = try config.string("channel", default: channel)
        self.source = source
    }
}
