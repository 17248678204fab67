import ParleyPluginProtocol

/// The triage plugin's settings, from the `config` of its hello.
struct TriageConfig: Sendable {
    /// The classifier built from `keywords`, `builtin_keywords` and `stop_words`.
    var classifier = CommentClassifier()
    /// `rate_limit.count`: more comments than this by one member within the window is a flood.
    var rateLimitCount: Int64 = 5
    /// `rate_limit.seconds`: the window.
    var rateLimitSeconds: Int64 = 60
    /// `sources`: only comments from these sources are triaged; empty for all.
    var sources: Set<String> = []
    /// The `source` of emitted events: the plugin's name.
    var source = "triage"

    /// The config keys the plugin reads.
    static let keys: Set<String> = ["keywords", "builtin_keywords", "stop_words", "rate_limit", "sources"]

    init() {}

    /// Reads the config object of the daemon's hello.
    ///
    /// - Throws: ``PluginProtocolError`` naming an unknown key or a bad value.
    init(config: PluginConfig, source: String) throws(PluginProtocolError) {
        try config.requireKnownKeys(Self.keys)
        let keywords = try config.object("keywords")
        try keywords.requireKnownKeys(["question", "complaint", "suggestion"])
        var extra: [CommentClass: [String]] = [:]
        for kind in [CommentClass.question, .complaint, .suggestion] {
            extra[kind] = try keywords.strings(kind.rawValue, default: [])
        }
        let builtIn = try config.bool("builtin_keywords", default: true)
        classifier = CommentClassifier(extra: extra, builtIn: builtIn, stopWords: try config.strings("stop_words", default: []))
        let rate = try config.object("rate_limit")
        try rate.requireKnownKeys(["count", "seconds"])
        rateLimitCount = try rate.integer("count", default: rateLimitCount, in: 0...1_000_000)
        rateLimitSeconds = try rate.integer("seconds", default: rateLimitSeconds, in: 1...31_536_000)
        sources = Set(try config.strings("sources", default: []))
        self.source = source
    }
}
