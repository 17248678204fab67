import Logging
import ParleyLog
import ParleyModel
import ParleyPluginProtocol

extension PluginSession {
    /// Reads the plugin's lines until its stdout ends or the session fails or finishes.
    func readMessages() async {
        for await output in child.lines {
            guard case .line(let bytes) = output else {
                if case .tooLong(let n) = output {
                    fail("plugin \(configuration.name) wrote a line of more than \(n) bytes (the limit is \(configuration.maxLineBytes))")
                }
                break
            }
            let number = state.withLock { s -> Int in
                s.lineNumber += 1
                return s.lineNumber
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            await handle(bytes, line: number)
            let (failed, cancelled) = state.withLock { ($0.failure != nil, $0.cancelled) }
            if failed || cancelled { break }
            // Offline, the lines a finished plugin still writes are read until it exits: an
            // emit written just after the checkpoint is appended, not lost.
            if mode == .offline { checkOfflineDone() }
        }
    }

    /// Handles one line of the plugin.
    private func handle(_ bytes: [UInt8], line number: Int) async {
        let message: PluginMessage
        do {
            message = try PluginMessage(line: bytes, defaultSource: configuration.defaultSource)
        } catch {
            if let ref = Self.emitReference(bytes) {
                // A well-framed emit with bad events: refuse the batch, keep the plugin.
                logger.warning("plugin \(configuration.name): line \(number): emit \"\(ref)\" rejected: \(error.message)")
                state.withLock { $0.emitsRejected += 1 }
                send(.rejected(ref: ref, error: error.message))
                return
            }
            if state.current.hello != nil, error.code == .unknownMessageType || Self.isLogLine(bytes) {
                // A message of a later protocol, or a log line with an odd level: nothing the
                // exchange depends on, so it is noted and the plugin kept.
                logger.warning("plugin \(configuration.name): line \(number) is ignored: \(error.message)")
                return
            }
            fail("plugin \(configuration.name) wrote a malformed line \(number): \(error.message)")
            return
        }
        guard state.current.hello != nil else {
            guard case .hello(let hello) = message else {
                fail("plugin \(configuration.name) wrote \"\(message.typeName)\" on line \(number) before its hello")
                return
            }
            start(hello)
            return
        }
        switch message {
        case .hello:
            logger.warning("plugin \(configuration.name): line \(number): a second hello is ignored")
        case .emit(let ref, let events):
            await emit(ref: ref, events: events)
        case .ack(let ack):
            answerWebhook(ack, line: number)
        case .checkpoint(let position):
            confirm(position, line: number)
        case .log(let level, let text):
            logger.log(level: Logger.Level(rawValue: level.rawValue) ?? .info, "\(text)", metadata: ["plugin.stream": "log"])
        }
    }

    /// The plugin's hello arrived: start the feed from the checkpoint.
    private func start(_ hello: PluginHello) {
        let name = configuration.name
        let logger = self.logger
        let feed = EventFeed(
            log: log, subscription: hello.subscription, after: state.current.confirmed, writer: child.writer,
            pollInterval: configuration.pollInterval,
            onCaughtUp: { [weak self] position in
                logger.debug("plugin \(name) caught up at position \(position)")
                if let self, self.mode == .offline { self.checkOfflineDone() }
            },
            onError: { message in logger.error("plugin \(name): \(message)") }
        )
        state.withLock {
            $0.hello = hello
            $0.feed = feed
        }
        logger.debug("plugin \(name) subscribed to \(hello.subscribe), tick_s \(hello.tickSeconds.map(String.init) ?? "none")")
        feed.start()
    }

    /// Appends one emitted batch and answers it.
    private func emit(ref: String, events: [NewEvent]) async {
        state.withLock { $0.emitsReceived += 1 }
        do {
            let outcome = try await append(events)
            state.withLock {
                $0.eventsEmitted += UInt64(events.count)
                $0.eventsAppended += UInt64(outcome.appended)
            }
            send(.emitted(ref: ref, positions: outcome.positions))
            if let head = outcome.positions.max() { state.current.feed?.notify(head: head) }
        } catch {
            logger.warning("plugin \(configuration.name): emit \"\(ref)\" rejected: \(error.description)")
            state.withLock { $0.emitsRejected += 1 }
            send(.rejected(ref: ref, error: error.description))
        }
    }

    /// Takes a confirmed checkpoint, never past what the feed has read.
    private func confirm(_ position: UInt64, line number: Int) {
        let cursor = state.current.feed?.progress.cursor ?? 0
        if position > cursor {
            logger.warning("plugin \(configuration.name): line \(number): checkpoint \(position) is past the events it was sent (\(cursor)); \(cursor) is kept")
        }
        state.withLock { $0.confirmed = max($0.confirmed, min(position, cursor)) }
    }

    /// Whether the line is a JSON object of type `log`.
    static func isLogLine(_ bytes: [UInt8]) -> Bool {
        (try? JSONParser.parse(bytes))?["type"]?.stringValue == "log"
    }

    /// The `ref` of a line that is a JSON object of type `emit` with a string `ref`, else `nil`.
    static func emitReference(_ bytes: [UInt8]) -> String? {
        guard let value = try? JSONParser.parse(bytes), value["type"]?.stringValue == "emit" else { return nil }
        return value["ref"]?.stringValue
    }

    /// Offline: ends the session once the plugin has caught up, confirmed the head and then
    /// written nothing for ``quietSeconds`` (its emits are answered as they are read, so none is
    /// then unanswered); a plugin that keeps its checkpoint lower (it needs older events to
    /// rebuild its state, or confirms only the events it was sent) is settled instead: once it
    /// acks a webhook sent after everything else with no emit in between, or writes nothing
    /// for ``settleSeconds`` after it, it has nothing more to do.
    ///
    /// The settling webhook goes out only after ``settleGraceSeconds``: a plugin that confirms
    /// the head when told it is caught up needs a moment to say so, and is not sent a webhook it
    /// has no use for (the GitHub plugin logged a missing signature for it on every backfill).
    func checkOfflineDone(afterGrace: Bool = false) {
        guard let progress = state.current.feed?.progress, let caughtUpAt = progress.caughtUpAt else { return }
        enum Next { case nothing, quiet(line: Int), grace, settle(String) }
        let next: Next = state.withLock { s in
            guard !s.finished, s.failure == nil, !s.cancelled else { return .nothing }
            if s.confirmed >= caughtUpAt {
                guard !s.quietWatch else { return .nothing }
                s.quietWatch = true
                return .quiet(line: s.lineNumber)
            }
            guard s.settle == nil else { return .nothing }
            guard afterGrace else {
                guard !s.settleGraceStarted else { return .nothing }
                s.settleGraceStarted = true
                return .grace
            }
            s.webhookSequence += 1
            let id = "parley-settle-\(s.webhookSequence)"
            s.settle = (id, s.emitsReceived)
            return .settle(id)
        }
        switch next {
        case .nothing:
            break
        case .quiet(let line):
            endWhenQuiet(since: line, until: .now + .seconds(Self.quietLimitSeconds))
        case .grace:
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(Self.settleGraceSeconds))
                self?.checkOfflineDone(afterGrace: true)
            }
        case .settle(let settleID):
            send(.webhook(Webhook(id: settleID, headers: ["x-parley-settle": "1"], body: [])))
            // A plugin that ignores webhooks never acks it: silence after it means done too.
            awaitSilence(settling: settleID)
        }
    }

    /// How long an offline run gives a caught-up plugin to confirm the head before it settles it.
    static let settleGraceSeconds = 0.5

    /// How long a plugin that confirmed the head must write nothing before an offline run ends.
    static let quietSeconds = 0.2
    /// How long a plugin that confirmed the head may go on writing before the run ends anyway
    /// (what it writes until it exits is still read).
    static let quietLimitSeconds = 2.0

    /// Ends the offline session ``quietSeconds`` after line `line` if the plugin wrote nothing
    /// since, or once `deadline` has passed; else waits as long again after its latest line.
    private func endWhenQuiet(since line: Int, until deadline: ContinuousClock.Instant) {
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(Self.quietSeconds))
            guard let self else { return }
            let expired = ContinuousClock.now >= deadline
            let latest: Int? = self.state.withLock { s in
                guard !s.finished, s.failure == nil, !s.cancelled else { return nil }
                if s.lineNumber == line || expired { s.finished = true }
                return s.lineNumber
            }
            guard let latest else { return }
            if latest == line || expired { self.finishOffline() } else { self.endWhenQuiet(since: latest, until: deadline) }
        }
    }

    /// Checks, every ``settleSeconds`` while the settling webhook `id` is unanswered, whether
    /// the plugin wrote anything meanwhile; when it did not, ends the session.
    private func awaitSilence(settling id: String) {
        let line = state.current.lineNumber
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(Self.settleSeconds))
            self?.settleTimedOut(id: id, line: line)
        }
    }

    /// How long an offline run waits, after the settling webhook, for a plugin that writes
    /// nothing more before it takes the plugin as done.
    static let settleSeconds = 3.0

    /// Ends an offline session whose plugin wrote nothing since line `line` while the settling
    /// webhook `id` is unanswered; waits again when it wrote something.
    private func settleTimedOut(id: String, line: Int) {
        enum Next { case done, wait, nothing }
        let next = state.withLock { s -> Next in
            guard let settle = s.settle, settle.id == id, !s.finished, s.failure == nil, !s.cancelled else { return .nothing }
            guard s.lineNumber == line else { return .wait }
            s.settle = nil
            s.finished = true
            return .done
        }
        if next == .wait { awaitSilence(settling: id) }
        guard next == .done else { return }
        logger.info("plugin \(configuration.name) answered no webhook and wrote nothing for \(Self.settleSeconds) s after catching up: done, with its checkpoint held at \(state.current.confirmed)")
        finishOffline()
    }

    /// Resumes whoever waits for the webhook `ack` names.
    private func answerWebhook(_ ack: WebhookAck, line number: Int) {
        let (waiter, settled) = state.withLock { s -> (WebhookWait?, Bool) in
            if let settle = s.settle, settle.id == ack.webhook {
                s.settle = nil
                guard s.emitsReceived == settle.emitsAtSend, !s.finished else { return (nil, false) }
                s.finished = true
                return (nil, true)
            }
            return (s.webhooks.removeValue(forKey: ack.webhook), false)
        }
        if settled {
            let (held, caughtUpAt) = (state.current.confirmed, state.current.feed?.progress.caughtUpAt ?? 0)
            if held < caughtUpAt { logger.info("plugin \(configuration.name) settled with its checkpoint held at \(held)") }
            finishOffline()
            return
        }
        guard let waiter else {
            if !ack.webhook.hasPrefix("parley-settle-") {
                logger.warning("plugin \(configuration.name): line \(number): an ack for unknown webhook \"\(ack.webhook)\" is ignored")
            }
            return
        }
        waiter.resolve(WebhookAnswer(status: Int(ack.status), error: ack.error))
    }
}
