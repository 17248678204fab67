import ParleyModel
import Synchronization

/// The events this process appended, held briefly for the view service: its catch-up takes
/// them instead of decoding them again from the log (decoding was two thirds of the catch-up's
/// work under batch ingest). Held as runs, one per appended batch (its new events have
/// consecutive positions). Bounded: a run that finds it full, or that arrives after the
/// catch-up has passed its positions, is simply read from the log like any other event.
public final class CommittedEvents: Sendable {
    private struct State {
        /// Runs by their first position.
        var runs: [UInt64: [Event]] = [:]
        var count = 0
        /// Positions up to here are caught up: nothing at or below it is kept.
        var floor: UInt64 = 0
    }

    private let state = Mutex(State())
    /// The most events held at once.
    let limit: Int

    /// Holds at most `limit` events.
    public init(limit: Int = 50_000) { self.limit = limit }

    /// Holds `events`, the new events of one batch as the log recorded them (consecutive
    /// positions), until they are taken.
    func add(_ events: [Event]) {
        guard let first = events.first?.position else { return }
        state.withLock { state in
            guard first > state.floor, state.count + events.count <= limit else { return }
            state.runs[first] = events
            state.count += events.count
        }
    }

    /// The run that starts at `position`, no longer held, if it is held.
    func takeRun(startingAt position: UInt64) -> [Event]? {
        state.withLock { state in
            guard let run = state.runs.removeValue(forKey: position) else { return nil }
            state.count -= run.count
            return run
        }
    }

    /// Forgets every run that starts at or before `position`: the views hold those events now.
    func drop(through position: UInt64) {
        state.withLock { state in
            state.floor = max(state.floor, position)
            for first in state.runs.keys where first <= position {
                state.count -= state.runs.removeValue(forKey: first)?.count ?? 0
            }
        }
    }

    /// Hands out the held events at ascending positions, a run at a time, for one catch-up.
    final class Reader {
        private let source: CommittedEvents
        private var run: [Event] = []
        private var first: UInt64 = 0

        init(_ source: CommittedEvents) { self.source = source }

        /// The event at `position` if it is held (positions must come in ascending order).
        /// Each is handed out once: a position asked again is not held any more.
        func event(at position: UInt64) -> Event? {
            if position >= first, position - first < UInt64(run.count) {
                let i = Int(position - first)
                return run[i].position == position ? take(i) : nil
            }
            guard let next = source.takeRun(startingAt: position), next.first?.position == position else { return nil }
            (run, first) = (next, position)
            return take(0)
        }

        /// Moves the event at `i` out of the run, leaving one at position 0: a copy retained
        /// each of its references, and the run released them again when it was dropped.
        private func take(_ i: Int) -> Event {
            var event = Event(
                position: 0, version: 0, recorded: Instant(microseconds: 0), id: "", stream: "", type: "",
                time: Instant(microseconds: 0), source: "", data: JSONObject(), meta: JSONObject())
            swap(&event, &run[i])
            return event
        }
    }
}
