public import ParleyModel
import ParleyStore
internal import Foundation

/// What happened to one appended batch.
public struct AppendOutcome: Sendable, Equatable {
    /// The position of each event of the batch: new, or the existing one for a duplicate.
    public var positions: [UInt64]
    /// How many events were new.
    public var appended: Int
    /// How many were duplicates of events already in the log (same id, same content).
    public var duplicates: Int
}

extension EventLog {
    /// The largest event, encoded, that the log accepts.
    public static let maxEventBytes = 1 << 20

    /// Appends each batch atomically, all in one durable commit; a batch that fails its checks is
    /// rejected whole without affecting the others.
    ///
    /// - Parameter stopAtFailure: when a batch fails, leave every later batch unwritten (each gets
    ///   the same failure), so that the log holds exactly the batches before the bad one.
    /// - Returns: one result per batch, in order. Throws only when storage fails (then nothing
    ///   of any batch was written).
    public func append(batches: [[NewEvent]], stopAtFailure: Bool = false) throws(LogError) -> [Result<AppendOutcome, LogError>] {
        let now = Instant(seconds: Date().timeIntervalSince1970)
        do {
            return try env.write { txn throws(StoreError) in
                var head = try Self.head(txn, tables)
                var results: [Result<AppendOutcome, LogError>] = []
                results.reserveCapacity(batches.count)
                for batch in batches {
                    if stopAtFailure, case .failure(let failure)? = results.last {
                        results.append(.failure(failure))
                        continue
                    }
                    results.append(try appendOne(batch, txn: txn, head: &head, recorded: now))
                }
                return results
            }
        } catch {
            throw LogError.storage(error)
        }
    }

    /// Appends one batch atomically and durably.
    public func append(_ batch: [NewEvent]) throws(LogError) -> AppendOutcome {
        try append(batches: [batch])[0].get()
    }

    /// Checks every event of `batch` against the log as `txn` sees it, then writes them all, or
    /// nothing when any check fails.
    private func appendOne(
        _ batch: [NewEvent], txn: Transaction, head: inout (position: UInt64, hash: [UInt8]), recorded: Instant
    ) throws(StoreError) -> Result<AppendOutcome, LogError> {
        var plan = BatchPlan(next: head.position + 1, capacity: batch.count)
        for (index, event) in batch.enumerated() {
            if let failure = try plan.admit(event, index: index, txn: txn, tables: tables) {
                return .failure(failure)
            }
        }
        // Every check passed: encode (refusing oversized events before anything is written),
        // then chain and write.
        var encoded: [[UInt8]] = []
        encoded.reserveCapacity(plan.events.count)
        var recordedText: [UInt8] = []
        recorded.write(into: &recordedText)
        for planned in plan.events {
            var event = planned.event
            event.recorded = recorded
            let canonical = EventCodec.encode(event, recorded: recordedText)
            if canonical.count > Self.maxEventBytes {
                return .failure(LogError(code: .tooLarge, message: "the event is \(canonical.count) bytes encoded, over the limit of 1 MiB (\(Self.maxEventBytes) bytes)", eventIndex: planned.index))
            }
            encoded.append(canonical)
        }
        var hash = head.hash
        var streamCount = UInt64(try txn.count(tables.streams))
        var newStreams: [String: UInt64] = [:]
        var finalVersions: [String: (number: UInt64, version: UInt64)] = [:]
        finalVersions.reserveCapacity(plan.events.count)
        var value: [UInt8] = []
        for index in plan.events.indices {
            let canonical = encoded[index]
            let planned = plan.events[index]
            hash = canonical.withUnsafeBytes { EventCodec.chain(hash, $0) }
            let key = Keys.uint64(planned.event.position)
            value.removeAll(keepingCapacity: true)
            value.append(contentsOf: hash)
            value.append(contentsOf: canonical)
            try txn.put(key, value, in: tables.events, mode: .append)
            try txn.put(Array(planned.event.id.utf8), key, in: tables.ids, mode: .upsert)
            var streamNumber = planned.streamNumber
            if streamNumber == 0 {
                if let assigned = newStreams[planned.event.stream] {
                    streamNumber = assigned
                } else {
                    streamCount += 1
                    streamNumber = streamCount
                    newStreams[planned.event.stream] = streamNumber
                }
            }
            finalVersions[planned.event.stream] = (streamNumber, planned.event.version)
            try txn.put(Keys.uint64(streamNumber), key, in: tables.streamEvents, mode: .appendDuplicate)
        }
        for (stream, final) in finalVersions {
            try txn.put(Array(stream.utf8), Keys.uint64(final.number) + Keys.uint64(final.version), in: tables.streams)
        }
        if let last = plan.events.last { head = (last.event.position, hash) }
        let outcome = AppendOutcome(positions: plan.positions, appended: plan.events.count, duplicates: batch.count - plan.events.count)
        return .success(outcome)
    }
}

/// The events of one batch that passed their checks, with their positions and versions, before
/// anything is written.
struct BatchPlan {
    struct Planned {
        var index: Int
        var event: Event
        /// 0 for a stream new in this batch (numbered when written).
        var streamNumber: UInt64
    }

    var next: UInt64
    var events: [Planned] = []
    var positions: [UInt64] = []
    private var streams: [String: (number: UInt64, version: UInt64)] = [:]
    private var ids: [String: Int] = [:]

    init(next: UInt64, capacity: Int) {
        self.next = next
        events.reserveCapacity(capacity)
        positions.reserveCapacity(capacity)
        streams.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
    }

    /// Admits `event` or says why not.
    mutating func admit(_ event: NewEvent, index: Int, txn: Transaction, tables: EventLog.Tables) throws(StoreError) -> LogError? {
        if let id = event.id {
            if let earlier = ids[id] {
                let planned = events[earlier]
                guard planned.event.asNew.sameFact(as: event) else {
                    return LogError(code: .idConflict, message: "id \"\(id)\" is used by event \(planned.index) of this batch with other content", eventIndex: index, field: "id")
                }
                positions.append(planned.event.position)
                return nil
            }
            if let stored = try txn.get(Array(id.utf8), in: tables.ids) {
                let position = Keys.uint64(from: stored)
                guard let value = try txn.get(Keys.uint64(position), in: tables.events) else {
                    return LogError(code: .corrupted, message: "the id index points at missing position \(position)", eventIndex: index, field: "id")
                }
                let existing: Event
                do { existing = try EventCodec.decode(UnsafeRawBufferPointer(rebasing: value[32...])) } catch { return error }
                guard existing.asNew.sameFact(as: event) else {
                    return LogError(code: .idConflict, message: "id \"\(id)\" is already in the log at position \(position) with other content", eventIndex: index, field: "id")
                }
                positions.append(position)
                return nil
            }
        }
        let current: (number: UInt64, version: UInt64)
        if let pending = streams[event.stream] {
            current = pending
        } else if let stored = try txn.get(Array(event.stream.utf8), in: tables.streams) {
            current = (Keys.uint64(from: stored), Keys.uint64(from: stored, at: 8))
        } else {
            current = (0, 0)
        }
        if let expected = event.expectedVersion, UInt64(expected) != current.version {
            let what = current.version == 0 ? "does not exist yet" : "is at version \(current.version)"
            return LogError(code: .versionConflict, message: "expected_version \(expected) of stream \"\(event.stream)\" does not hold: the stream \(what)", eventIndex: index, field: "expected_version")
        }
        let position = next + UInt64(events.count)
        let version = current.version + 1
        streams[event.stream] = (current.number, version)
        let id = event.id ?? UUID().uuidString.lowercased()
        ids[id] = events.count
        let stored = Event(
            position: position, version: version, recorded: Instant(microseconds: 0), id: id, stream: event.stream,
            type: event.type, time: event.time, source: event.source, data: event.data, meta: event.meta)
        events.append(Planned(index: index, event: stored, streamNumber: current.number))
        positions.append(position)
        return nil
    }
}
