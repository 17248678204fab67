import CoreMetrics
import Logging
import ParleyConfiguration
import ParleyLog
import ParleyModel
import ParleyPluginHost
import ParleyServer
import ServiceLifecycle

/// The daemon's plugins: one ``PluginHost`` per configured plugin, fed the log as it grows,
/// appending their `emit`s through the daemon's single writer, and answering webhooks.
enum DaemonPlugins {
    /// The factory `Daemon` calls once its writer exists.
    static let factory: PluginHostFactory = { context in
        var hosts: [String: PluginHost] = [:]
        for plugin in context.plugins {
            let ingest = context.ingest
            hosts[plugin.name] = try PluginHost(
                configuration: plugin, log: context.log,
                append: { batch throws(LogError) in try await ingest.append(batch) }, logger: context.logger)
        }
        return PluginHosting(
            service: hosts.isEmpty ? nil : PluginService(hosts: Array(hosts.values), head: context.head),
            webhooks: PluginWebhooks(hosts: hosts))
    }
}

/// Runs every plugin host until graceful shutdown, tells them when the log grows, and keeps
/// their state in `/metrics`.
struct PluginService: Service {
    let hosts: [PluginHost]
    let head: LogHeadSignal

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for host in hosts { group.addTask { await host.run() } }
                group.addTask {
                    var seen = head.position
                    while !Task.isCancelled {
                        seen = await head.wait(past: seen, atMost: 1)
                        for host in hosts {
                            host.logAdvanced(to: seen)
                            Self.record(host.status)
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// The plugin's state as gauges: running, checkpoint, restarts, events delivered and emitted.
    static func record(_ status: PluginStatus) {
        let dimensions = [("plugin", status.name)]
        Gauge(label: "parley_plugin_running", dimensions: dimensions).record(status.running ? 1 : 0)
        Gauge(label: "parley_plugin_checkpoint", dimensions: dimensions).record(Double(status.checkpoint))
        Gauge(label: "parley_plugin_restarts", dimensions: dimensions).record(Double(status.restarts))
        Gauge(label: "parley_plugin_events_delivered", dimensions: dimensions).record(Double(status.eventsDelivered))
        Gauge(label: "parley_plugin_events_emitted", dimensions: dimensions).record(Double(status.eventsEmitted))
    }
}

/// `POST /v1/plugins/{name}/webhook`: hands the request to the named plugin and answers its ack.
struct PluginWebhooks: PluginWebhookHandler {
    let hosts: [String: PluginHost]

    func deliver(_ webhook: PluginWebhook, logger: Logger) async -> PluginWebhookAnswer {
        guard let host = hosts[webhook.plugin] else { return .noSuchPlugin(webhook.plugin) }
        let answer = await host.deliverWebhook(headers: webhook.headers, body: webhook.body, timeout: .seconds(10))
        return PluginWebhookAnswer(status: answer.status, error: answer.error)
    }
}
