import Foundation
import ParleyModel

/// Runs a ``PluginHandler`` over the plugin protocol: reads the daemon's lines, performs the
/// handshake, dispatches each message, and writes the plugin's lines, one flushed line each.
///
/// It keeps the two ordering rules of the protocol for the handler:
/// - a webhook is acked only after the daemon answered `emitted` for its events (at once when
///   there are none, or when the handler refused it);
/// - a checkpoint never passes an event whose emit is still unanswered.
///
/// Synchronous and single-threaded: one `readLine` loop, so handlers need no locking.
public struct PluginRuntime<Handler: PluginHandler> {
    /// The handler, as it stands after the messages so far.
    public private(set) var handler: Handler
    /// During replay (before `caught_up`) a checkpoint is sent at most once per this many
    /// positions; afterwards every advance is sent at once.
    public var replayCheckpointInterval: UInt64 = 100

    private let transport: any LineTransport
    private var context: PluginContext?
    private var pending: [String: Cause] = [:]
    private var pendingPositions: [UInt64: Int] = [:]
    private var handledThrough: UInt64 = 0
    private var lastCheckpoint: UInt64 = 0
    private var caughtUp = false
    private var sequence = 0
    private var lineNumber = 0

    /// What caused an emit, so that its answer can be followed up.
    private enum Cause {
        case event(position: UInt64)
        case webhook(id: String, status: Int64, error: String?)
        case other
    }

    /// Creates a runtime for `handler` over `transport` (stdin/stdout by default).
    public init(handler: Handler, transport: any LineTransport = StandardLines()) {
        self.handler = handler
        self.transport = transport
    }

    /// Runs until the daemon closes the plugin's stdin.
    ///
    /// - Returns: the exit status: 0 at the end of input, 1 when the handshake failed (the
    ///   reason is written to stderr).
    public mutating func run() -> Int32 {
        guard let hello = readHello() else { return 1 }
        let context = PluginContext(name: hello.name, config: hello.config, transport: transport)
        self.context = context
        lastCheckpoint = hello.checkpoint
        handledThrough = hello.checkpoint
        do {
            let answer = try handler.start(hello, context: context)
            send(.hello(answer))
            context.helloSent()
        } catch {
            for line in context.heldLines() { Self.standardError(line) }
            Self.standardError("plugin \(hello.name): cannot start: \(error)")
            return 1
        }
        while let line = transport.readLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                dispatch(try DaemonMessage(line: line), context: context)
            } catch {
                context.log(.error, "line \(lineNumber): \(error.message); the line is ignored")
            }
        }
        return 0
    }

    private mutating func readHello() -> DaemonHello? {
        while let line = transport.readLine() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                let message = try DaemonMessage(line: line)
                guard case .hello(let hello) = message else {
                    Self.standardError("line \(lineNumber): expected \"hello\" first, got \"\(message.typeName)\"")
                    return nil
                }
                return hello
            } catch {
                Self.standardError("line \(lineNumber): \(error.message)")
                return nil
            }
        }
        Self.standardError("the input ended before the daemon's \"hello\"")
        return nil
    }

    private mutating func dispatch(_ message: DaemonMessage, context: PluginContext) {
        switch message {
        case .hello:
            context.log(.warning, "line \(lineNumber): a second \"hello\" is ignored")
        case .event(let event):
            var events: [NewEvent] = []
            do { events = try handler.onEvent(event, context: context) } catch {
                context.log(.error, "event at position \(event.position) (\(event.type) \(event.id)): \(error); skipped")
            }
            if !events.isEmpty { emit(events, cause: .event(position: event.position), label: "event-\(event.position)") }
            handledThrough = max(handledThrough, event.position)
            advanceCheckpoint()
        case .caughtUp(let position):
            caughtUp = true
            let events = handler.onCaughtUp(position: position, context: context)
            if !events.isEmpty { emit(events, cause: .other, label: "caught-up-\(position)") }
            handledThrough = max(handledThrough, position)
            advanceCheckpoint()
        case .webhook(let webhook):
            // An offline run's settling webhook only asks whether everything before it is
            // handled, which reading it here already says: the handler never sees it.
            if webhook.header("X-Parley-Settle") != nil {
                send(.ack(WebhookAck(webhook: webhook.id, status: 202, error: nil)))
                return
            }
            let outcome = handler.onWebhook(webhook, context: context)
            if outcome.events.isEmpty {
                send(.ack(WebhookAck(webhook: webhook.id, status: outcome.status, error: outcome.error)))
            } else {
                emit(outcome.events, cause: .webhook(id: webhook.id, status: outcome.status, error: outcome.error), label: "webhook-\(webhook.id)")
            }
        case .tick(let now):
            let events = handler.onTick(now: now, context: context)
            if !events.isEmpty { emit(events, cause: .other, label: "tick-\(now.rfc3339)") }
        case .emitted(let ref, let positions):
            guard let cause = resolve(ref, context: context) else { return }
            if case .webhook(let id, let status, let error) = cause {
                send(.ack(WebhookAck(webhook: id, status: status, error: error)))
            }
            handler.onEmitted(ref: ref, positions: positions, context: context)
            advanceCheckpoint()
        case .rejected(let ref, let error):
            guard let cause = resolve(ref, context: context) else { return }
            switch cause {
            case .webhook(let id, _, _):
                context.log(.error, "webhook \(id): the daemon rejected its events: \(error)")
                send(.ack(WebhookAck(webhook: id, status: 500, error: "the events could not be stored: \(error)")))
            case .event(let position):
                context.log(.error, "event at position \(position): the daemon rejected the events it caused: \(error); skipped")
            case .other:
                context.log(.error, "emit \(ref) was rejected: \(error)")
            }
            handler.onRejected(ref: ref, error: error, context: context)
            advanceCheckpoint()
        }
    }

    /// Sends `events` as one `emit` and remembers what caused it. Events that fail validation
    /// are not sent: the batch counts as rejected at once, so nothing waits for an answer.
    private mutating func emit(_ events: [NewEvent], cause: Cause, label: String) {
        for (i, event) in events.enumerated() {
            do { try event.validate() } catch {
                let reason = "event \(i) (\(event.type)) is invalid: \(error.description)"
                switch cause {
                case .webhook(let id, _, _):
                    context?.log(.error, "webhook \(id): \(reason)")
                    send(.ack(WebhookAck(webhook: id, status: 500, error: "the plugin produced an invalid event: \(reason)")))
                case .event(let position):
                    context?.log(.error, "event at position \(position): \(reason); skipped")
                case .other:
                    context?.log(.error, "\(label): \(reason); nothing emitted")
                }
                return
            }
        }
        sequence += 1
        let ref = "\(label)#\(sequence)"
        pending[ref] = cause
        if case .event(let position) = cause { pendingPositions[position, default: 0] += 1 }
        send(.emit(ref: ref, events: events))
    }

    /// Forgets the emit `ref`, now answered; `nil` (and a warning) for a ref never sent.
    private mutating func resolve(_ ref: String, context: PluginContext) -> Cause? {
        guard let cause = pending.removeValue(forKey: ref) else {
            context.log(.warning, "line \(lineNumber): an answer for unknown emit \"\(ref)\" is ignored")
            return nil
        }
        if case .event(let position) = cause {
            let left = (pendingPositions[position] ?? 1) - 1
            pendingPositions[position] = left > 0 ? left : nil
        }
        return cause
    }

    /// Sends a checkpoint up to the last handled position below the first unanswered emit and
    /// below the handler's ``PluginHandler/retainedFrom``.
    private mutating func advanceCheckpoint() {
        var target = handledThrough
        if let firstPending = pendingPositions.keys.min() { target = min(target, firstPending - 1) }
        guard target > lastCheckpoint else { return }
        if !caughtUp, target - lastCheckpoint < replayCheckpointInterval { return }
        if let floor = handler.retainedFrom {
            target = min(target, floor > 0 ? floor - 1 : 0)
            guard target > lastCheckpoint else { return }
        }
        lastCheckpoint = target
        send(.checkpoint(position: target))
    }

    private func send(_ message: PluginMessage) {
        transport.write(line: message.line)
    }

    private static func standardError(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }
}
