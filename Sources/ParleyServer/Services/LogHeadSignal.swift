import Foundation
import ParleyModel

/// The head of the log as this process last saw it, and a way to wait for it to move: event
/// streams and the view service sleep here until an append (or a poll) advances it.
public final class LogHeadSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var head: UInt64
    private var waiters: [UInt64: CheckedContinuation<UInt64, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    /// A signal starting at `head`.
    public init(head: UInt64) { self.head = head }

    /// The last head seen.
    public var position: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return head
    }

    /// Records that the log holds `position` (a smaller one is ignored) and wakes the waiters.
    public func advance(to position: UInt64) {
        lock.lock()
        guard position > head else { lock.unlock(); return }
        head = position
        let woken = waiters
        waiters.removeAll()
        lock.unlock()
        for (_, continuation) in woken { continuation.resume(returning: position) }
    }

    /// Waits until the head passes `position`, or the task is cancelled; returns the head.
    public func wait(past position: UInt64) async -> UInt64 {
        let id: UInt64 = lock.withLock {
            nextWaiter += 1
            return nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<UInt64, Never>) in
                lock.lock()
                if head > position || Task.isCancelled {
                    let now = head
                    lock.unlock()
                    continuation.resume(returning: now)
                    return
                }
                waiters[id] = continuation
                lock.unlock()
            }
        } onCancel: {
            lock.lock()
            let continuation = waiters.removeValue(forKey: id)
            let now = head
            lock.unlock()
            continuation?.resume(returning: now)
        }
    }

    /// Waits until the head reaches `position`, at most `seconds`, through every smaller step
    /// (``advance(to:)`` wakes every waiter at each); returns the head then.
    public func wait(reaching position: UInt64, atMost seconds: Double) async -> UInt64 {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var head = self.position
        while head < position {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            head = await wait(past: head, atMost: left.timeInterval)
        }
        return head
    }

    /// Waits as ``wait(past:)`` does, at most `seconds`.
    public func wait(past position: UInt64, atMost seconds: Double) async -> UInt64 {
        await withTaskGroup(of: UInt64?.self) { group in
            group.addTask { await self.wait(past: position) }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? self.position
        }
    }
}
