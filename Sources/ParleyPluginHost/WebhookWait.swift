/// One webhook waiting for its answer. Whoever answers first (the plugin's `ack`, the timeout,
/// the session's end) wins; the waiter gets that answer whether it started waiting before or
/// after.
final class WebhookWait: Sendable {
    private let state = Locked<(answer: WebhookAnswer?, waiter: CheckedContinuation<WebhookAnswer, Never>?)>((nil, nil))

    /// Sets the answer unless one is set; returns whether this call set it.
    @discardableResult
    func resolve(_ answer: WebhookAnswer) -> Bool {
        let waiter = state.withLock { s -> CheckedContinuation<WebhookAnswer, Never>?? in
            guard s.answer == nil else { return .none }
            s.answer = answer
            defer { s.waiter = nil }
            return .some(s.waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: answer)
        return true
    }

    /// Waits for the answer.
    func answer() async -> WebhookAnswer {
        await withCheckedContinuation { (c: CheckedContinuation<WebhookAnswer, Never>) in
            let ready = state.withLock { s -> WebhookAnswer? in
                if let a = s.answer { return a }
                s.waiter = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}
