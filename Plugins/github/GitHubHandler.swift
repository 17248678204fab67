import ParleyModel
import ParleyPluginProtocol

/// The GitHub plugin: checks each webhook's signature, then maps the payload to events.
struct GitHubHandler: PluginHandler {
    /// The webhook secret (`GITHUB_WEBHOOK_SECRET`); without it every webhook is refused.
    let secret: String?
    private var mapping = GitHubMapping(config: GitHubConfig())

    init(secret: String?) { self.secret = secret }

    mutating func start(_ hello: DaemonHello, context: PluginContext) throws -> PluginHello {
        let config = try GitHubConfig(config: PluginConfig(hello.config), source: context.source(or: "github"))
        mapping = GitHubMapping(config: config)
        if secret == nil {
            context.log(.error, "GITHUB_WEBHOOK_SECRET is not set: every webhook will be refused")
        }
        return PluginHello(subscribe: [])
    }

    mutating func onWebhook(_ webhook: Webhook, context: PluginContext) -> WebhookOutcome {
        guard let secret else {
            return .refused(status: 500, error: "GITHUB_WEBHOOK_SECRET is not set, so no signature can be verified")
        }
        if let problem = GitHubSignature(secret: secret).problem(header: webhook.header("X-Hub-Signature-256"), body: webhook.body) {
            context.log(.warning, "webhook \(webhook.id): \(problem)")
            return .refused(status: 401, error: problem)
        }
        guard let kind = webhook.header("X-GitHub-Event"), !kind.isEmpty else {
            return .refused(status: 400, error: "the X-GitHub-Event header is missing")
        }
        do {
            let payload = try webhook.jsonBody()
            guard payload.objectValue != nil else {
                return .refused(status: 400, error: "webhook \(webhook.id): the body must be a JSON object, got \(payload.typeName)")
            }
            let events = try mapping.events(kind: kind, payload: Payload(payload))
            if events.isEmpty {
                let action = payload["action"]?.stringValue.map { " \($0)" } ?? ""
                context.log(.debug, "webhook \(webhook.id): \(kind)\(action) maps to no event")
            }
            return .accepted(events)
        } catch {
            context.log(.warning, "webhook \(webhook.id) (\(kind)): \(error.message)")
            return .refused(status: 400, error: "\(kind): \(error.message)")
        }
    }
}
