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
        let prepared = state.withLock { s -> (id: String, caughtUp: Bool)? in
            guard s.hello != nil, s.failure == nil, !s.finished, !s.cancelled else { return nil }
            s.webhookSequence += 1
            return ("wh-\(child.pid)-\(s.webhookSequence)", s.feed?.progress.caughtUpAt != nil)
        }
        guard let (id, caughtUp) = prepared else {
            return WebhookAnswer(status: 503, error: "plugin \(name) is not running")
        }
        let line = Array((DaemonMessage.webhook(Webhook(id: id, headers: headers, body: body)).line + "\n").utf8)
        let timedOut = WebhookAnswer(status: 504, error: "plugin \(name) did not answer within \(timeout)")
        return await withTaskGroup(of: WebhookAnswer?.self) { group in
            group.addTask {
                await withCheckedContinuation { (c: CheckedContinuation<WebhookAnswer, Never>) in
                    let registered = self.state.withLock { s -> Bool in
                        guard s.failure == nil, !s.cancelled else { return false }
                        s.webhooks[id] = c
                        return true
                    }
                    guard registered else {
                        c.resume(returning: WebhookAnswer(status: 503, error: "plugin \(name) is not running"))
                        return
                    }
                    if !self.child.writer.send(line), let c = self.state.withLock({ $0.webhooks.removeValue(forKey: id) }) {
                        c.resume(returning: WebhookAnswer(status: 503, error: "plugin \(name) is not running"))
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            if let first = await group.next(), let answer = first {
                group.cancelAll()
                return answer
            }
            if let waiter = state.withLock({ $0.webhooks.removeValue(forKey: id) }) {
                if Task.isCancelled {
                    // The caller went away: not the plugin's fault.
                    waiter.resume(returning: WebhookAnswer(status: 503, error: "the request to plugin \(name) was cancelled"))
                } else {
                    waiter.resume(returning: timedOut)
                }
                if Task.isCancelled {
                } else if caughtUp {
                    fail("plugin \(name) did not answer webhook \(id) within \(timeout), so it is taken for hung")
                } else {
                    logger.warning("plugin \(name) did not answer webhook \(id) within \(timeout) while still replaying")
                }
            }
            while let next = await group.next() {
                if let answer = next { return answer }
            }
            return timedOut
        }
    }
}
