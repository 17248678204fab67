import Foundation
import Logging
import ParleyModel
import ParleyPluginProtocol

extension PluginSession {
    /// Hands an HTTP request to the plugin and waits for its `ack`.
    ///
    /// - Returns: the ack's status and error; 503 when the plugin has not finished its handshake
    ///   or is stopping; 504 when no ack came within `timeout` (a plugin that was caught up when
    ///   the request was sent is then taken for hung and stopped).
    func deliverWebhook(headers: [String: String], body: [UInt8], timeout: Duration) async -> WebhookAnswer {
        let name = configuration.name
        let wait = WebhookWait()
        let prepared = state.withLock { s -> (id: String, caughtUp: Bool)? in
            guard s.hello != nil, s.failure == nil, !s.finished, !s.cancelled else { return nil }
            s.webhookSequence += 1
            let id = "wh-\(child.pid)-\(s.webhookSequence)"
            s.webhooks[id] = wait
            return (id, s.feed?.progress.caughtUpAt != nil)
        }
        guard let (id, caughtUp) = prepared else {
            return WebhookAnswer(status: 503, error: "plugin \(name) is not running")
        }
        let line = Array((DaemonMessage.webhook(Webhook(id: id, headers: headers, body: body)).line + "\n").utf8)
        guard child.writer.send(line) else {
            state.withLock { _ = $0.webhooks.removeValue(forKey: id) }
            return WebhookAnswer(status: 503, error: "plugin \(name) is not running")
        }
        // What is left of the caller's deadline, to a tenth of a second: "10 s", not "9.999997166 seconds".
        let within = String(format: "%g s", (timeout.timeInterval * 10).rounded() / 10)
        // The timer is the one unstructured task here: it must outlive nothing but this call.
        let timer = Task {
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled, state.withLock({ $0.webhooks.removeValue(forKey: id) }) != nil else { return }
            guard wait.resolve(WebhookAnswer(status: 504, error: "plugin \(name) did not answer within \(within)")) else { return }
            if caughtUp {
                fail("plugin \(name) did not answer webhook \(id) within \(within), so it is taken for hung")
            } else {
                logger.warning("plugin \(name) did not answer webhook \(id) within \(within) while still replaying")
            }
        }
        let answer = await withTaskCancellationHandler {
            await wait.answer()
        } onCancel: {
            // The caller went away: not the plugin's fault.
            timer.cancel()
            if state.withLock({ $0.webhooks.removeValue(forKey: id) }) != nil {
                wait.resolve(WebhookAnswer(status: 503, error: "the request to plugin \(name) was cancelled"))
            }
        }
        timer.cancel()
        return answer
    }
}
