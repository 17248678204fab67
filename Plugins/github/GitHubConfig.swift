import ParleyPluginProtocol

/// The GitHub plugin's settings: the `config` of its hello, plus the webhook secret from the
/// environment.
struct GitHubConfig: Sendable, Equatable {
    /// Issues with any of these labels (compared case-insensitively) are ideas, not tickets.
    var ideaLabels: [String] = ["enhancement", "feature", "feature request", "idea"]
    /// The discussion category whose new discussions are ideas (case-insensitive).
    var ideasCategory = "Ideas"
    /// The `source` of emitted events: the plugin's name.
    var source = "github"

    /// The config keys the plugin reads.
    static let keys: Set<String> = ["idea_labels", "ideas_category"]

    init() {}

    /// Reads the config object of the daemon's hello.
    ///
    /// - Throws: ``PluginProtocolError`` naming an unknown key or a key of the wrong type.
    init(config: PluginConfig, source: String) throws(PluginProtocolError) {
        try config.requireKnownKeys(Self.keys)
        ideaLabels = try config.strings("idea_labels", default: ideaLabels)
        ideasCategory = try config.string("ideas_category", default: ideasCategory)
        self.source = source
    }

    /// Whether an issue with `labels` is an idea.
    func isIdea(labels: [String]) -> Bool {
        let wanted = Set(ideaLabels.map { $0.lowercased() })
        return labels.contains { wanted.contains($0.lowercased()) }
    }
}
