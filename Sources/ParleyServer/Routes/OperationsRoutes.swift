import ParleyConfiguration
import Hummingbird
import Logging
import ParleyModel

/// `/healthz`, `/readyz`, `/metrics` (no token) and `POST /v1/plugins/{name}/webhook`.
struct OperationsRoutes {
    let views: ViewService
    let metrics: DaemonMetrics
    let ingest: EventIngest
    let webhooks: (any PluginWebhookHandler)?
    let limits: ServerLimits

    func register(on router: Router<ParleyRequestContext>) {
        router.get("healthz") { _, _ in Response.json(.object(["status": .string("ok")])) }
        router.get("readyz") { _, _ in
            Response.json(views.readinessReport, status: views.isReady ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in
            metrics.record(head: ingest.head.position, checkpoint: views.checkpoint.position)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }

    func registerWebhook(on group: RouterGroup<ParleyRequestContext>) {
        group.post("plugins/:name/webhook") { request, context in
            try context.require(.append)
            let name = context.parameters.get("name") ?? ""
            guard let webhooks else {
                throw APIError(.notFound, "no such plugin \"\(name)\" (this daemon runs no plugins)")
            }
            let body = try await RequestBodies.collect(request, context: context, limit: limits.maxWebhookBodyBytes)
            var headers: [String: String] = [:]
            for field in request.headers where field.name != .authorization {
                let key = field.name.canonicalName
                headers[key] = headers[key].map { "\($0), \(field.value)" } ?? field.value
            }
            let answer = await webhooks.deliver(PluginWebhook(plugin: name, headers: headers, body: body), logger: context.logger)
            let status = HTTPResponse.Status(code: answer.status)
            if let error = answer.error { throw APIError(status, error) }
            return Response.json(.object(["status": .int(Int64(answer.status))]), status: status)
        }
    }
}
