import ParleyModel
import ParleyPluginProtocol

/// The Telegram plugin: checks the secret token header when one is configured, then maps the
/// update to events.
struct TelegramHandler: PluginHandler {
    /// `TELEGRAM_SECRET_TOKEN`: when set, updates must carry it in `X-Telegram-Bot-Api-Secret-Token`.
    let secretToken: String?
    private var mapping: TelegramMapping

    /// Creates the handler; `clock` gives the time of updates that carry none (poll answers).
    init(secretToken: String?, clock: @escaping @Sendable () -> Instant) {
        self.secretToken = secretToken
        self.mapping = TelegramMapping(config: TelegramConfig(), clock: clock)
    }

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        mapping.config = try TelegramConfig(config: PluginConfig(hello.config), source: context.source(or: "telegram"))
        if mapping.config.botUsername == nil {
            context.log(.info, "config key \"bot_username\" is not set: only replies to a bot and private messages open tickets")
        }
        // Its own poll answers, replayed after a restart, give redelivered updates their times.
        return PluginHello(subscribe: ["poll.voted"])
    }

    mutating func onEvent(_ event: Event, context: PluginContext) throws -> [NewEvent] {
        mapping.pollAnswers.learn(event, source: mapping.config.source)
        return []
    }

    var retainedFrom: UInt64? { mapping.pollAnswers.oldestPosition }

    mutating func onWebhook(_ webhook: Webhook, context: PluginContext) -> WebhookOutcome {
        if let secretToken {
            let given = webhook.header("X-Telegram-Bot-Api-Secret-Token")
            guard let given, Self.equalInConstantTime(given, secretToken) else {
                let problem = given == nil
                    ? "the X-Telegram-Bot-Api-Secret-Token header is missing"
                    : "the X-Telegram-Bot-Api-Secret-Token header does not match"
                context.log(.warning, "webhook \(webhook.id): \(problem)")
                return .refused(status: 401, error: problem)
            }
        }
        do {
            let update = try webhook.jsonBody()
            guard update.objectValue != nil else {
                return .refused(status: 400, error: "webhook \(webhook.id): an update must be a JSON object, got \(update.typeName)")
            }
            let events = try mapping.events(update: Payload(update))
            if events.isEmpty {
                let kinds = (update.objectValue ?? [:]).keys.filter { $0 != "update_id" }.sorted().joined(separator: ", ")
                context.log(.debug, "webhook \(webhook.id): update (\(kinds)) maps to no event")
            }
            return .accepted(events)
        } catch {
            context.log(.warning, "webhook \(webhook.id): \(error.message)")
            return .refused(status: 400, error: error.message)
        }
    }

    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in x.indices { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
