#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
        try append(prepared: batches.map { $0.map(PreparedEvent.init) }, stopAtFailure: stopAtFailure)
    }

    /// Appends each batch of events prepared by the caller (see ``PreparedEvent``) atomically,
    /// all in one durable commit, as ``append(batches:stopAtFailure:)``.
    public func append(prepared batches: [[PreparedEvent]], stopAtFailure: Bool = false) throws(LogError) -> [Result<AppendOutcome, LogError>] {
        let now = Instant(seconds: Date().timeIntervalSince1970)
        do {
            return try env.write { txn throws(StoreError) in
                var head = try Self.head(txn, tables)
                // One source of ids for the whole commit: a batch of one event would otherwise
                // pay a getrandom call for it alone.
                var newIDs = EventIDGenerator()
                var results: [Result<AppendOutcome, LogError>] = []
                results.reserveCapacity(batches.count)
                for batch in batches {
                    if stopAtFailure, case .failure(let failure)? = results.last {
                        results.append(.failure(failure))
                        continue
                    }
                    results.append(try appendOne(batch, txn: txn, head: &head, recorded: now, newIDs: &newIDs))
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
        _ batch: [PreparedEvent], txn: Transaction, head: inout (position: UInt64, hash: [UInt8]), recorded: Instant,
        newIDs: inout EventIDGenerator
    ) throws(StoreError) -> Result<AppendOutcome, LogError> {
        var plan = BatchPlan(next: head.position + 1, capacity: batch.count)
        for index in batch.indices {
            if let failure = try plan.admit(batch, index: index, txn: txn, tables: tables, newIDs: &newIDs) {
                return .failure(failure)
            }
        }
        // Every check passed: encode (refusing oversized events before anything is written),
        // then chain and write.
        var recordedText: [UInt8] = []
        recorded.write(into: &recordedText)
        var records: [[UInt8]] = []
        records.reserveCapacity(plan.events.count)
        for planned in plan.events {
            let record = EventCodec.record(
                of: batch[planned.index], id: planned.id, position: planned.position, version: planned.version,
                recorded: recordedText)
            let size = record.count - 32
            if size > Self.maxEventBytes {
                return .failure(LogError(code: .tooLarge, message: "the event is \(size) bytes encoded, over the limit of 1 MiB (\(Self.maxEventBytes) bytes)", eventIndex: planned.index, field: "data"))
            }
            records.append(record)
        }
        var hash = head.hash
        var streamCount = UInt64(try txn.count(tables.streams))
        // Keyed by bytes: streams that differ only in Unicode normalization are two streams.
        var newStreams: [ExactText: UInt64] = [:]
        var finalVersions: [ExactText: (number: UInt64, version: UInt64)] = [:]
        finalVersions.reserveCapacity(plan.events.count)
        for (i, planned) in plan.events.enumerated() {
            EventCodec.seal(&records[i], after: hash)
            hash.withUnsafeMutableBytes { link in
                records[i].withUnsafeBytes { link.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
            }
            let key = Keys.uint64(planned.position)
            try txn.put(key, records[i], in: tables.events, mode: .append)
            try txn.put(Array(planned.id.utf8), key, in: tables.ids, mode: .upsert)
            let stream = ExactText(batch[planned.index].event.stream)
            var streamNumber = planned.streamNumber
            if streamNumber == 0 {
                if let assigned = newStreams[stream] {
                    streamNumber = assigned
                } else {
                    streamCount += 1
                    streamNumber = streamCount
                    newStreams[stream] = streamNumber
                }
            }
            finalVersions[stream] = (streamNumber, planned.version)
            try txn.put(Keys.uint64(streamNumber), key, in: tables.streamEvents, mode: .appendDuplicate)
        }
        for (stream, final) in finalVersions {
            try txn.put(Array(stream.text.utf8), Keys.uint64(final.number) + Keys.uint64(final.version), in: tables.streams)
        }
        if let last = plan.events.last { head = (last.position, hash) }
        let outcome = AppendOutcome(positions: plan.positions, appended: plan.events.count, duplicates: batch.count - plan.events.count)
        return .success(outcome)
    }
}

/// The events of one batch that passed their checks, with their positions and versions, before
/// anything is written.
struct BatchPlan {
    /// An event of the batch that will be written.
    struct Planned {
        /// Its index in the batch.
        var index: Int
        /// Its id: the one it came with, or a generated one.
        var id: String
        var position: UInt64
        var version: UInt64
        /// 0 for a stream new in this batch (numbered when written).
        var streamNumber: UInt64
    }

    var next: UInt64
    var events: [Planned] = []
    var positions: [UInt64] = []
    /// The streams and ids of the batch so far, keyed by their bytes (``ExactText``).
    private var streams: [ExactText: (number: UInt64, version: UInt64)] = [:]
    private var ids: [ExactText: Int] = [:]

    init(next: UInt64, capacity: Int) {
        self.next = next
        events.reserveCapacity(capacity)
        positions.reserveCapacity(capacity)
        streams.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
    }

    /// Admits event `index` of `batch` or says why not; an event without an id gets one of `newIDs`.
    mutating func admit(
        _ batch: [PreparedEvent], index: Int, txn: Transaction, tables: EventLog.Tables, newIDs: inout EventIDGenerator
    ) throws(StoreError) -> LogError? {
        let event = batch[index].event
        if let id = event.id {
            if let earlier = ids[ExactText(id)] {
                let planned = events[earlier]
                guard batch[planned.index].event.sameFact(as: event) else {
                    return LogError(code: .idConflict, message: "id \"\(id)\" is used by event \(planned.index) of this batch with other content", eventIndex: index, field: "id")
                }
                positions.append(planned.position)
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
        let stream = ExactText(event.stream)
        if let pending = streams[stream] {
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
        streams[stream] = (current.number, version)
        let id = event.id ?? newIDs.next()
        ids[ExactText(id)] = events.count
        events.append(Planned(index: index, id: id, position: position, version: version, streamNumber: current.number))
        positions.append(position)
        return nil
    }
}

/// The ids of events that come without one: random UUIDs (version 4), in lowercase, as
/// `events.md` says.
///
/// Their random bits come from the C library's CSPRNG in one call per commit or so rather
/// than per id: Foundation's `UUID()` opened `/dev/urandom` for every event, and glibc makes a
/// `getrandom` system call for every `arc4random_buf`, costs the single writer felt.
struct EventIDGenerator {
    private var bytes: [UInt8] = []
    private var used = 0

    mutating func next() -> String {
        // Twice as many ids each time a batch runs out, from 64 up to 4,096.
        if used + 16 > bytes.count { refill(ids: min(max(64, bytes.count / 16 * 2), 4096)) }
        var uuid = Array(bytes[used..<(used + 16)])
        used += 16
        uuid[6] = uuid[6] & 0x0F | 0x40  // version 4
        uuid[8] = uuid[8] & 0x3F | 0x80  // variant 10
        var text = Array(EventCodec.hex(uuid).utf8)
        for offset in [20, 16, 12, 8] { text.insert(UInt8(ascii: "-"), at: offset) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Fresh random bytes for `ids` ids.
    private mutating func refill(ids: Int) {
        bytes = [UInt8](repeating: 0, count: ids * 16)
        used = 0
        // The C library's CSPRNG (glibc ≥ 2.36 reads it from getrandom), in one call.
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
    }
}
