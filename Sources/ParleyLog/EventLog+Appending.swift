#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import ParleyModel
import ParleyStore
internal import Foundation
internal import Synchronization

/// What happened to one appended batch.
public struct AppendOutcome: Sendable, Equatable {
    /// The position of each event of the batch: new, or the existing one for a duplicate.
    public var positions: [UInt64]
    /// How many events were new.
    public var appended: Int
    /// How many were duplicates of events already in the log (same id, same content).
    public var duplicates: Int
    /// What the log gave each new event, in position order.
    public var written: [Written] = []
    /// When the log recorded the batch.
    public var recorded = Instant(microseconds: 0)

    /// A new event of the batch: where it went, and the id the log gave it if it came without.
    public struct Written: Sendable, Equatable {
        /// Its index in the batch.
        public var index: Int
        public var position: UInt64
        public var version: UInt64
        /// The id the log generated (UTF-8), when the event came without one.
        public var generatedID: [UInt8]?
    }

    /// The new events of `batch` (the batch this is the outcome of) as the log now holds them,
    /// without reading them back: what ``EventLog/read(from:limit:stream:type:)`` would return for them.
    /// Their fields are moved out of `batch`, which is left with empty events in their places:
    /// its owner is done with it, and copying each field retained it (a fifth of the retains
    /// under batch ingest).
    public func events(taking batch: inout [NewEvent]) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(written.count)
        for w in written {
            var e = NewEvent(stream: "", type: "", time: recorded, data: JSONObject(), meta: JSONObject())
            swap(&e, &batch[w.index])
            events.append(Event(
                position: w.position, version: w.version, recorded: recorded,
                id: w.generatedID.map { String(decoding: $0, as: UTF8.self) } ?? e.id ?? "",
                stream: e.stream, type: e.type, time: e.time, source: e.source, data: e.data, meta: e.meta))
        }
        return events
    }
}

extension EventLog {
    typealias Written = AppendOutcome.Written

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
        // What the commit leaves of its streams, kept for the next one once it is durable.
        var finished: (txn: Int, streams: CommitStreams)?
        do {
            let results = try env.write { txn throws(StoreError) in
                let head = try Self.head(txn, tables)
                var next = head.position + 1
                // One source of ids for the whole commit: a batch of one event would otherwise
                // pay a getrandom call for it alone.
                var newIDs = EventIDGenerator(recorded: now, after: lastGeneratedID.withLock { $0 })
                let events = batches.reduce(0) { $0 + $1.count }
                // The last commit's streams, if it was the last transaction (a write this one
                // runs again after growing the map found them taken already).
                let known = knownStreams.withLock { known in
                    defer { known = nil }
                    return known.flatMap { $0.txn + 1 == txn.id ? $0.streams : nil }
                }
                var streams: CommitStreams
                if let known { streams = known } else { streams = CommitStreams(count: UInt64(try txn.count(tables.streams)), events: events) }
                streams.startCommit(events: events)
                var recordedText: [UInt8] = []
                now.write(into: &recordedText)
                let concurrent = batches.count > 1 && events >= RecordChain.concurrentEvents
                let chain = RecordChain(after: head.hash, on: concurrent ? chainQueue : nil)
                // The batch built before the last one: chained by now (or soon), to be written.
                var built: BatchRecords?
                var results: [Result<AppendOutcome, LogError>] = []
                results.reserveCapacity(batches.count)
                for batch in batches {
                    if stopAtFailure, case .failure(let failure)? = results.last {
                        results.append(.failure(failure))
                        continue
                    }
                    // Read in place: a copy of each event, its three references retained and
                    // released, cost the writer more than its dictionary of streams.
                    let result = try batch.withUnsafeBufferPointer { batch throws(StoreError) in
                        try build(batch, txn: txn, next: &next, recorded: now, recordedText: recordedText, newIDs: &newIDs, streams: &streams)
                    }
                    switch result {
                    case .success(let (outcome, records)):
                        results.append(.success(outcome))
                        guard let records else { continue }
                        chain.chain(records)
                        if let previous = built { try write(previous, chain: chain, txn: txn) }
                        built = records
                    case .failure(let failure):
                        results.append(.failure(failure))
                    }
                }
                // The streams first: the last batch is sealed on the queue meanwhile (written
                // first, the writer waited for it, 2 ms a commit under batch ingest).
                try streams.write(txn: txn, tables: tables)
                if let previous = built { try write(previous, chain: chain, txn: txn) }
                lastGeneratedID.withLock { $0 = max($0, newIDs.sequence &- 1) }
                finished = (txn.id, streams)
                return results
            }
            // Only a commit that wrote is kept: LMDB gives a transaction that changed nothing no
            // id of its own, so the next one (of any process) takes the same id.
            if let finished, finished.streams.changedAny, finished.streams.isWorthKeeping { knownStreams.withLock { $0 = finished } }
            return results
        } catch {
            throw LogError.storage(error)
        }
    }

    /// Writes `records` to `events` once `chain` has sealed them, through one cursor that stays
    /// at the end of the table: each append skips the descent from the root.
    private func write(_ records: BatchRecords, chain: RecordChain, txn: Transaction) throws(StoreError) {
        chain.waitUntilChained(records)
        try txn.withCursor(tables.events) { cursor throws(StoreError) in
            try records.forEach { position, record throws(StoreError) in try cursor.append(BigEndian64(position), record) }
        }
    }

    /// Appends one batch atomically and durably.
    public func append(_ batch: [NewEvent]) throws(LogError) -> AppendOutcome {
        try append(batches: [batch])[0].get()
    }

    /// Checks every event of `batch` against the log as `txn` sees it and enters them in the
    /// indexes, then builds their records (to be chained and written by the caller), or does
    /// nothing when any check fails.
    private func build(
        _ batch: UnsafeBufferPointer<PreparedEvent>, txn: Transaction, next: inout UInt64, recorded: Instant, recordedText: [UInt8],
        newIDs: inout EventIDGenerator, streams: inout CommitStreams
    ) throws(StoreError) -> Result<(AppendOutcome, BatchRecords?), LogError> {
        var plan = BatchPlan(next: next, commit: &streams, capacity: batch.count)
        for index in batch.indices {
            if let failure = try plan.admit(batch, index: index, txn: txn, tables: tables, newIDs: &newIDs, commit: &streams) {
                try plan.withdraw(batch, txn: txn, tables: tables)
                return .failure(failure)
            }
        }
        // Every check passed. Refuse oversized events before anything is written; the exact
        // size is needed only for events near the limit.
        var size = 0
        for planned in plan.events {
            let most = batch[planned.index].recordBytes(recorded: recordedText)
            size += most
            guard most - 32 > Self.maxEventBytes else { continue }
            var record: [UInt8] = []
            EventCodec.appendRecord(
                of: batch[planned.index], generatedID: planned.generatedID, position: planned.position, version: planned.version,
                recorded: recordedText, to: &record)
            if record.count - 32 > Self.maxEventBytes {
                try plan.withdraw(batch, txn: txn, tables: tables)
                return .failure(LogError(code: .tooLarge, message: "the event is \(record.count - 32) bytes encoded, over the limit of 1 MiB (\(Self.maxEventBytes) bytes)", eventIndex: planned.index, field: "data"))
            }
        }
        var records: BatchRecords?
        if !plan.events.isEmpty {
            let built = BatchRecords(capacity: size, count: plan.events.count)
            for planned in plan.events {
                built.add(position: planned.position) { bytes in
                    EventCodec.appendRecord(
                        of: batch[planned.index], generatedID: planned.generatedID, position: planned.position, version: planned.version,
                        recorded: recordedText, to: &bytes)
                }
                // An id the event came with went into `ids` when it was admitted.
                if let generated = planned.generatedID { try txn.put(generated, BigEndian64(planned.position), in: tables.ids) }
            }
            records = built
        }
        streams.take(plan)
        next += UInt64(plan.events.count)
        let outcome = AppendOutcome(
            positions: plan.positions, appended: plan.events.count, duplicates: batch.count - plan.events.count,
            written: plan.events.map { Written(index: $0.index, position: $0.position, version: $0.version, generatedID: $0.generatedID) },
            recorded: recorded)
        return .success((outcome, records))
    }
}

/// The events of one batch that passed their checks, with their positions, versions and stream
/// numbers, before anything is written.
struct BatchPlan {
    /// An event of the batch that will be written.
    struct Planned {
        /// Its index in the batch.
        var index: Int
        /// The id the log gave it, when it came without one.
        var generatedID: [UInt8]?
        var position: UInt64
        var version: UInt64
        var streamNumber: UInt64
    }

    var next: UInt64
    /// Which batch of its commit this is (see ``CommitStreams/Entry/pending``).
    let batch: Int
    /// Streams numbered so far, the ones new in this batch included.
    private(set) var streamCount: UInt64
    var events: [Planned] = []
    var positions: [UInt64] = []
    /// The streams the batch writes to, as slots of the commit's ``CommitStreams``, which hold
    /// their numbers and versions after the batch as pending.
    private(set) var streams: [Int] = []
    /// The events (indices into the batch) whose ids this batch entered in `ids`.
    private var claimed: [Int] = []

    init(next: UInt64, commit: inout CommitStreams, capacity: Int) {
        self.next = next
        self.batch = commit.startBatch()
        self.streamCount = commit.count
        events.reserveCapacity(capacity)
        positions.reserveCapacity(capacity)
    }

    /// Admits event `index` of `batch` or says why not; an event without an id gets one of `newIDs`.
    /// A stream's state comes from `commit`: as this batch's earlier events leave it, else as
    /// the commit's written batches do.
    ///
    /// An id the event comes with is entered in `ids` at once, with the position the event will
    /// get: one descent of the index both checks and claims it. When the batch then fails,
    /// ``withdraw(_:txn:tables:)`` takes those entries out again.
    mutating func admit(
        _ batch: UnsafeBufferPointer<PreparedEvent>, index: Int, txn: Transaction, tables: EventLog.Tables, newIDs: inout EventIDGenerator,
        commit: inout CommitStreams
    ) throws(StoreError) -> LogError? {
        let position = next + UInt64(events.count)
        if let id = batch[index].id, let stored = try txn.insert(id, BigEndian64(position), in: tables.ids) {
            let existing = Keys.uint64(from: stored)
            if existing >= next {
                // An earlier event of this batch.
                let planned = events[Int(existing - next)]
                guard batch[planned.index].sameFact(as: batch[index]) else {
                    var conflict = LogError(code: .idConflict, message: "id \"\(id)\" is used by event \(planned.index) of this batch with other content", eventIndex: index, field: "id")
                    conflict.earlierEventIndex = planned.index
                    return conflict
                }
                positions.append(planned.position)
                return nil
            }
            guard let value = try txn.get(Keys.uint64(existing), in: tables.events) else {
                return LogError(code: .corrupted, message: "the id index points at missing position \(existing)", eventIndex: index, field: "id")
            }
            let stored: Event
            do { stored = try EventCodec.decode(UnsafeRawBufferPointer(rebasing: value[32...])) } catch { return error }
            guard PreparedEvent(stored.asNew).sameFact(as: batch[index]) else {
                return LogError(code: .idConflict, message: "id \"\(id)\" is already in the log at position \(existing) with other content", eventIndex: index, field: "id")
            }
            positions.append(existing)
            return nil
        }
        if batch[index].id != nil { claimed.append(index) }
        let slot = try commit.slot(of: batch[index].stream, hash: batch[index].streamHash, txn: txn, tables: tables)
        let (number, version, mine) = commit.state(at: slot, for: self.batch)
        var current = (number: number, version: version)
        if let expected = batch[index].expectedVersion, UInt64(expected) != current.version {
            let what = current.version == 0 ? "does not exist yet" : "is at version \(current.version)"
            return LogError(code: .versionConflict, message: "expected_version \(expected) of stream \"\(batch[index].stream)\" does not hold: the stream \(what)", eventIndex: index, field: "expected_version")
        }
        if current.number == 0 {
            streamCount += 1
            current.number = streamCount
        }
        current.version += 1
        if !mine { streams.append(slot) }
        commit.setPending(at: slot, for: self.batch, number: current.number, version: current.version)
        events.append(Planned(
            index: index, generatedID: batch[index].id == nil ? newIDs.next() : nil, position: position, version: current.version,
            streamNumber: current.number))
        positions.append(position)
        return nil
    }

    /// Takes out of `ids` what ``admit(_:index:txn:tables:newIDs:)`` entered for this batch,
    /// when the batch is refused after all.
    func withdraw(_ batch: UnsafeBufferPointer<PreparedEvent>, txn: Transaction, tables: EventLog.Tables) throws(StoreError) {
        for index in claimed { try txn.delete(batch[index].id!, in: tables.ids) }
    }
}

/// The streams one commit writes to, with their numbers and versions as its batches written so
/// far leave them, and the positions of their new events. A batch reads a stream's state here
/// (read from the log the first time), and leaves its changes pending until it is written.
/// What a commit leaves is where the next one starts when no other transaction (of another
/// process) came in between, instead of reading every stream of the import again.
///
/// Both tables of streams are written once, at the end of the commit, rather than batch by
/// batch: with events spread over many streams, most streams of a commit appear in several of
/// its batches. Each stream's changed state goes to `streams` once, and its new positions go
/// to `stream_events` in one put of them all, streams in ascending order. Event by event, the
/// put that grows a stream's list cost the writer 40% of an import of a million events over
/// 10,007 streams (1.4 s of 3.4): a descent of the tree and a regrown node each time.
struct CommitStreams: Sendable {
    /// A stream of the commit.
    struct Entry {
        let name: String
        /// Its number and version as the batches written leave them (`(0, 0)` for a stream not
        /// in the log yet), and whether they changed in this commit.
        var number: UInt64
        var version: UInt64
        var changed = false
        /// Its number and version after the events of batch `batch` admitted so far: the
        /// current state for that batch only, made the state by ``take(_:)`` when it is
        /// written, and forgotten when the batch is refused (the next batch has another number).
        var pending: (batch: Int, number: UInt64, version: UInt64) = (-1, 0, 0)
    }

    /// Streams numbered so far, with those new in the batches written.
    private(set) var count: UInt64
    /// The streams, found by name: the place in ``entries`` of each, by the name's hash, which
    /// the preparing thread computed. With a dictionary keyed by the name, hashing and comparing
    /// it were 15% of the writer's time in an import over 10,007 streams.
    private var places: PlaceIndex
    private var entries: [Entry] = []
    /// The slots of the entries changed in this commit: a commit of a few events, after one
    /// that knew thousands of streams, visits only its own.
    private var changed: [Int] = []
    private var batches = 0
    /// The new events of the batches written: (stream number, position), in position order.
    private var events: [(stream: UInt64, position: UInt64)] = []

    /// The state of a commit of `events` events, after `count` streams: room for a stream per
    /// event up to 16,384, beyond which the table of names doubles as it fills.
    init(count: UInt64, events: Int) {
        self.count = count
        let room = max(8, min(events, 1 << 14))
        places = PlaceIndex(capacity: room)
        entries.reserveCapacity(room)
        self.events.reserveCapacity(events)
    }

    /// Starts a commit of `events` events from the state the last one left: nothing changed
    /// yet. Batch numbers go on counting, so that a pending change of a batch of an earlier
    /// commit is never taken for one of this commit's.
    mutating func startCommit(events: Int) {
        for slot in changed { entries[slot].changed = false }
        changed.removeAll(keepingCapacity: true)
        self.events.removeAll(keepingCapacity: true)
        self.events.reserveCapacity(events)
    }

    /// Whether a batch of this commit wrote events.
    var changedAny: Bool { !changed.isEmpty }

    /// Whether to keep this state for the next commit: not when it holds so many streams that
    /// looking them up again costs less than the memory.
    var isWorthKeeping: Bool { entries.count <= 1 << 16 }

    /// A number for a new batch of the commit.
    mutating func startBatch() -> Int {
        batches += 1
        return batches
    }

    /// The slot in ``entries`` of `stream` (whose ``PreparedEvent/streamHash`` is `hash`), read
    /// from the log the first time. The stream, not its event: handing over the event copied it.
    mutating func slot(of stream: String, hash: Int, txn: Transaction, tables: EventLog.Tables) throws(StoreError) -> Int {
        let free: Int
        switch places.lookup(hash: hash, matches: { entries[$0].name.hasSameBytes(as: stream) }) {
        case .found(let place): return place
        case .absent(let slot): free = slot
        }
        var entry = Entry(name: stream, number: 0, version: 0)
        if let stored = try txn.get(stream, in: tables.streams) {
            entry.number = Keys.uint64(from: stored)
            entry.version = Keys.uint64(from: stored, at: 8)
        }
        entries.append(entry)
        return places.insert(hash: hash, at: free)
    }

    /// The number and version of the stream at `slot` for `batch`, and whether they are that
    /// batch's (pending).
    func state(at slot: Int, for batch: Int) -> (number: UInt64, version: UInt64, pending: Bool) {
        let pending = entries[slot].pending
        if pending.batch == batch { return (pending.number, pending.version, true) }
        return (entries[slot].number, entries[slot].version, false)
    }

    /// Sets the number and version of the stream at `slot` after the events of `batch` admitted
    /// so far.
    mutating func setPending(at slot: Int, for batch: Int, number: UInt64, version: UInt64) {
        entries[slot].pending = (batch, number, version)
    }

    /// Takes in what a batch that was written did to its streams.
    mutating func take(_ plan: BatchPlan) {
        for slot in plan.streams {
            let pending = entries[slot].pending
            entries[slot].number = pending.number
            entries[slot].version = pending.version
            if !entries[slot].changed {
                entries[slot].changed = true
                changed.append(slot)
            }
        }
        count = plan.streamCount
        for planned in plan.events { events.append((planned.streamNumber, planned.position)) }
    }

    /// Writes the states of the streams that changed, and their new positions.
    mutating func write(txn: Transaction, tables: EventLog.Tables) throws(StoreError) {
        for slot in changed {
            try txn.put(entries[slot].name, Keys.uint64(entries[slot].number) + Keys.uint64(entries[slot].version), in: tables.streams)
        }
        guard !events.isEmpty else { return }
        // By stream, and each stream's positions ascending, as `stream_events` keeps them.
        events.sort { ($0.stream, $0.position) < ($1.stream, $1.position) }
        var values = [UInt64](repeating: 0, count: events.count)
        try values.withUnsafeMutableBufferPointer { values throws(StoreError) in
            try txn.withCursor(tables.streamEvents) { cursor throws(StoreError) in
                var start = 0
                while start < events.count {
                    let stream = events[start].stream
                    var end = start
                    while end < events.count, events[end].stream == stream {
                        values[end - start] = events[end].position.bigEndian
                        end += 1
                    }
                    try cursor.appendDuplicates(
                        BigEndian64(stream), values: UnsafeRawBufferPointer(start: values.baseAddress, count: (end - start) * 8), size: 8)
                    start = end
                }
            }
        }
    }
}

/// The ids of events that come without one: version-4 UUIDs in lowercase, as `events.md` asks,
/// laid out so that they sort in the order the log gave them, as UUIDv7 (RFC 9562) does: the
/// first 48 bits are the commit's `recorded` time in Unix milliseconds, then the version, a
/// 12-bit counter, the variant and 62 random bits.
///
/// Ids drawn at random would each land on a random page of the `ids` index: a commit of N such
/// events copies and writes back about N pages of 4 KiB, which held the daemon's ingest of
/// 1,000-event requests without ids to 40% of the same requests with ordered ids. Ordered ids
/// go to the end of the index.
///
/// Their random bits come from the C library's CSPRNG in one call per commit or so rather
/// than per id: Foundation's `UUID()` opened `/dev/urandom` for every event, and glibc makes a
/// `getrandom` system call for every `arc4random_buf`, costs the single writer felt.
struct EventIDGenerator {
    private var bytes: [UInt8] = []
    private var used = 0
    /// The time (48 bits of Unix milliseconds) and counter (12 bits) of the next id. Ids of one
    /// millisecond count up from a random start; past 4,095 the count carries into the time.
    private(set) var sequence: UInt64 = 0
    private static let digits = Array("0123456789abcdef".utf8)

    /// Ids for a commit recorded at `recorded`, each after the id of sequence `last`.
    init(recorded: Instant, after last: UInt64) {
        refill(ids: 64)
        // A random start in the lower half of the millisecond leaves room to count up in it.
        let start = UInt64(bytes[0] & 0x07) << 8 | UInt64(bytes[1])
        used = 2
        let milliseconds = UInt64(max(0, recorded.microseconds / 1000)) & 0xFFFF_FFFF_FFFF
        sequence = max(milliseconds << 12 | start, last &+ 1)
    }

    /// The next id, as its 36 bytes of text.
    mutating func next() -> [UInt8] {
        // Twice as many ids each time a batch runs out, from 64 up to 4,096.
        if used + 8 > bytes.count { refill(ids: min(max(64, bytes.count / 8 * 2), 4096)) }
        var id = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { id[i] = UInt8(truncatingIfNeeded: sequence >> (52 - 8 * UInt64(i))) }
        id[6] = 0x40 | UInt8(truncatingIfNeeded: sequence >> 8) & 0x0F  // version 4
        id[7] = UInt8(truncatingIfNeeded: sequence)
        id[8] = bytes[used] & 0x3F | 0x80  // variant 10
        for i in 9..<16 { id[i] = bytes[used + i - 8] }
        used += 8
        sequence += 1
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (i, b) in id.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(Self.digits[Int(b >> 4)])
            text.append(Self.digits[Int(b & 0xF)])
        }
        return text
    }

    /// Fresh random bytes for `ids` ids.
    private mutating func refill(ids: Int) {
        bytes = [UInt8](repeating: 0, count: ids * 8)
        used = 0
        // The C library's CSPRNG (glibc ≥ 2.36 reads it from getrandom), in one call.
        bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
    }
}
