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
    /// The factory `Daemon` calls once its writer exists; the plugins' state goes to `metrics`.
    static func factory(metrics: DaemonMetrics) -> PluginHostFactory {
        { context in
            var hosts: [String: PluginHost] = [:]
            for plugin in context.plugins {
                let ingest = context.ingest
                hosts[plugin.name] = try PluginHost(
                    configuration: plugin, log: context.log,
                    append: { batch throws(LogError) in try await ingest.append(batch) }, logger: context.logger)
            }
            return PluginHosting(
                service: hosts.isEmpty ? nil : PluginService(hosts: Array(hosts.values), head: context.head, metrics: metrics),
                webhooks: PluginWebhooks(hosts: hosts))
        }
    }
}

/// Runs every plugin host until graceful shutdown, tells them when the log grows, and keeps
/// their state in `/metrics`.
struct PluginService: Service {
    let hosts: [PluginHost]
    let head: LogHeadSignal
    let metrics: DaemonMetrics

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
                            metrics.record(host.status)
                        }
                    }
                }
                await group.waitForAll()
            }
        }
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
