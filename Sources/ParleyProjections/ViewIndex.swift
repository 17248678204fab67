public import ParleyLog
public import ParleyModel
public import ParleyViews
import ParleyStore
internal import Foundation

/// The views' stored projection: the events the views read, kept in (time, position) order in
/// LMDB with the position they are caught up to, committed in the same transaction as the
/// entries. A query of any instant T and position P reads the entries with time ≤ T in order,
/// skips those past P, and reduces them: no pass over the log, and backfilled events (a time
/// earlier than events already there) land where their time says.
///
/// The index has an LMDB environment of its own, `views/` in the data directory, so that its
/// catch-up never holds the log's write lock or waits on the log's fsync (under batch ingest it
/// held the log's writer back about 15% of the time). It is a cache of the log: it records the
/// hash of the event at its checkpoint, and an index that does not match the log it is opened
/// with (a log restored from a backup, or replaced) is cleared and built again.
public final class ViewIndex: Sendable {
    /// The index layout; an index of another version is rebuilt.
    public static let formatVersion = 1

    let log: EventLog
    let env: Environment
    let entries: Database
    let state: Database

    /// The index's directory inside the data directory of `log`.
    public static func directory(of log: EventLog) -> String { log.directory + "/views" }

    /// Whether ``init(log:)`` can open an index beside `log`: always beside a writable log (it
    /// makes one), on read-only media only when one is stored there.
    public static func isAvailable(beside log: EventLog) -> Bool {
        !log.isReadOnly || FileManager.default.fileExists(atPath: directory(of: log) + "/data.mdb")
    }

    /// Opens the index stored beside `log` (creating it when there is none). Beside a log on
    /// read-only media, opens an index stored there for reading only, and throws when there is
    /// none or it would have to be rebuilt.
    public init(log: EventLog) throws(LogError) {
        self.log = log
        let directory = Self.directory(of: log)
        if log.isReadOnly {
            guard Self.isAvailable(beside: log) else {
                throw LogError(code: .storage, message: "\(log.directory) has no views' index, and none can be built there: it is on a read-only file system")
            }
        } else {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw LogError(code: .storage, message: "cannot create the view index directory \(directory): \(error.localizedDescription)")
            }
        }
        do {
            env = log.isReadOnly ? try Environment(path: directory, maxDatabases: 4, readOnly: true) : try Self.openOrReplace(directory)
            entries = try env.database("view_timeline")
            state = try env.database("view_state")
        } catch { throw LogError.storage(error) }
        try dropIndexFromTheLog()
        // An index of another layout, or of another log, is rebuilt from the log.
        let (format, checkpoint, linked) = try stateOfTheIndex()
        var matches = format == nil || format == UInt64(Self.formatVersion)
        if matches, checkpoint > 0 {
            var hash: [UInt8]?
            try log.scan(from: checkpoint) { stored throws(LogError) in
                if stored.position == checkpoint { hash = Array(stored.hash) }
                return false
            }
            matches = hash != nil && hash == linked
        }
        if !matches {
            do {
                try env.write { [entries, state] txn throws(StoreError) in
                    try txn.clear(entries)
                    try txn.clear(state)
                }
            } catch { throw LogError.storage(error) }
        }
    }

    /// The index's environment; one whose file is damaged (cut short, not LMDB) is removed and
    /// started again: it is derived from the log, and rebuilt from it below.
    private static func openOrReplace(_ directory: String) throws(StoreError) -> Environment {
        do {
            return try Environment(path: directory, maxDatabases: 4, initialMapSize: 1 << 30)
        } catch where error.code == .corrupted || error.code == .notADataDirectory {
            for file in ["data.mdb", "lock.mdb"] { try? FileManager.default.removeItem(atPath: directory + "/" + file) }
            return try Environment(path: directory, maxDatabases: 4, initialMapSize: 1 << 30)
        }
    }

    static let checkpointKey = Array("timeline.position".utf8)
    static let formatKey = Array("timeline.format".utf8)
    /// The hash of the log's event at the checkpoint.
    static let linkKey = Array("timeline.link".utf8)

    /// The stored format, checkpoint and link (see ``linkKey``).
    private func stateOfTheIndex() throws(LogError) -> (format: UInt64?, checkpoint: UInt64, link: [UInt8]?) {
        do {
            return try env.read { txn throws(StoreError) in
                (try txn.get(Self.formatKey, in: state).map { Keys.uint64(from: $0) },
                 try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0,
                 try txn.get(Self.linkKey, in: state).map { Array($0) })
            }
        } catch { throw LogError.storage(error) }
    }

    /// Empties the tables an older Parley kept the index in, inside the log's own environment
    /// (once: emptied tables are left alone, so an open writes nothing to the log).
    private func dropIndexFromTheLog() throws(LogError) {
        let logEnv = log.environment
        do {
            let old = try logEnv.databaseNames().filter { $0 == "view_timeline" || $0 == "view_state" }
            guard !old.isEmpty else { return }
            let tables = try old.map { name throws(StoreError) in try logEnv.database(name) }
            let filled = try logEnv.read { txn throws(StoreError) in
                var filled: [Database] = []
                for table in tables where try txn.count(table) > 0 { filled.append(table) }
                return filled
            }
            guard !filled.isEmpty else { return }
            try logEnv.write(durable: false) { txn throws(StoreError) in
                for table in filled { try txn.clear(table) }
            }
        } catch { throw LogError.storage(error) }
    }

    /// The key of an event in the index: its time (as an order-preserving unsigned number), then
    /// its position, both big-endian.
    static func key(time: Instant, position: UInt64) -> [UInt8] {
        Keys.uint64(UInt64(bitPattern: time.microseconds) ^ (1 << 63)) + Keys.uint64(position)
    }

    /// Whether the views read events of `type`.
    static func isIndexed(_ type: String) -> Bool { Vocabulary.isKnown(type) }

    /// The position the index is caught up to.
    public func checkpoint() throws(LogError) -> UInt64 {
        do {
            return try env.read { txn throws(StoreError) in
                try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0
            }
        } catch { throw LogError.storage(error) }
    }

    /// An event with its key in the timeline.
    ///
    /// A struct, not a tuple: the optimizer copied a whole tuple element, its event's references
    /// retained and released, to read its key.
    public struct TimelineEntry {
        public var key: [UInt8]
        public var event: Event
    }

    /// The entries one catch-up transaction wrote: the positions it covered and the indexed
    /// events among them, with their keys, in position order.
    public struct IndexedChunk {
        public var positions: ClosedRange<UInt64>
        public var entries: [TimelineEntry]
    }

    /// Brings the index up to the log's head as this call finds it, `chunk` events per
    /// transaction; each transaction stores its entries and the new checkpoint together. Returns
    /// the checkpoint. Events appended meanwhile are the next call's: under ingest faster than
    /// the catch-up, each call still ends (and a caller keeping views applies what it indexed).
    ///
    /// - Parameters:
    ///   - indexed: called with what each transaction of this call wrote, so that a caller
    ///     keeping views in memory applies the same events without decoding them again.
    ///   - known: the event at a position when the caller has it already (the daemon keeps the
    ///     events it appended), so that it is not decoded again from the log; nil for others.
    ///   - stopping: asked after each transaction; true ends the call there, with the index
    ///     caught up that far (a daemon shutting down stops a long catch-up).
    @discardableResult
    public func catchUp(
        chunk: Int = 50_000, indexed: ((IndexedChunk) -> Void)? = nil, known: ((UInt64) -> Event?)? = nil,
        stopping: (() -> Bool)? = nil
    ) throws(LogError) -> UInt64 {
        var done = try checkpoint()
        let head = try log.head()
        while true {
            guard done < head else { return done }
            var batch: [([UInt8], [UInt8])] = []
            var events: [TimelineEntry] = []
            var last = done
            var link = [UInt8](repeating: 0, count: 32)
            try log.scan(from: done + 1) { stored throws(LogError) in
                let event: Event
                if let given = known?(stored.position) { event = given } else { event = try stored.decode() }
                if Self.isIndexed(event.type) {
                    let key = Self.key(time: event.time, position: event.position)
                    batch.append((key, CompactCodec.encode(event)))
                    // Moved, not copied: its fields were retained for the copy.
                    if indexed != nil { events.append(TimelineEntry(key: key, event: consume event)) }
                }
                last = stored.position
                link.withUnsafeMutableBytes { $0.copyMemory(from: stored.hash) }
                return last - done < UInt64(chunk) && last < head
            }
            let from = done
            do {
                // Derived from the log (rebuilt when lost), so no fsync of the meta page.
                done = try env.write(durable: false) { txn throws(StoreError) in
                    // Another process may have caught up meanwhile: write only from our checkpoint.
                    let stored = try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0
                    guard stored == from else { return stored }
                    for (key, value) in batch { try txn.put(key, value, in: entries) }
                    try txn.put(Self.checkpointKey, Keys.uint64(last), in: state)
                    try txn.put(Self.linkKey, link, in: state)
                    try txn.put(Self.formatKey, Keys.uint64(UInt64(Self.formatVersion)), in: state)
                    return last
                }
            } catch { throw LogError.storage(error) }
            if done == last, let indexed { indexed(IndexedChunk(positions: (from + 1)...last, entries: events)) }
            if stopping?() == true { return done }
        }
    }

    /// Calls `body` with the indexed events of time ≤ `asOf` and position ≤ `atPosition`, in
    /// (time, position) order, from one consistent snapshot.
    public func forEach(asOf: Instant, atPosition: UInt64? = nil, _ body: (Event) -> Void) throws(LogError) {
        _ = try forEach(asOf: asOf, atPosition: atPosition, reaching: 0, body)
    }

    /// ``forEach(asOf:atPosition:_:)`` from a snapshot whose checkpoint is at least `reaching`;
    /// returns false, having called `body` for nothing, when the snapshot's is behind it (the
    /// index was cleared by another process for a rebuild).
    private func forEach(asOf: Instant, atPosition: UInt64?, reaching: UInt64, _ body: (Event) -> Void) throws(LogError) -> Bool {
        let end = Self.key(time: asOf, position: .max)
        let limit = atPosition ?? .max
        do {
            return try env.read { txn throws(StoreError) in
                if reaching > 0 {
                    let checkpoint = try txn.get(Self.checkpointKey, in: state).map { Keys.uint64(from: $0) } ?? 0
                    guard checkpoint >= reaching else { return false }
                }
                try txn.withCursor(entries) { c throws(StoreError) in
                    var entry = try c.first()
                    while let e = entry {
                        if e.key.lexicographicallyPrecedes(end) || e.key.elementsEqual(end) {
                            if Keys.uint64(from: e.key, at: 8) <= limit, let event = CompactCodec.decode(e.value) { body(event) }
                        } else { break }
                        entry = try c.next()
                    }
                }
                return true
            }
        } catch { throw LogError.storage(error) }
    }

    /// The views as of `asOf` (and `atPosition`), from the stored index.
    ///
    /// The views fold independently of each other, so two threads read the same entries at once,
    /// each feeding half of the views, and the halves are joined: on two cores a rebuild takes
    /// about 60% of the time of one thread, which would also decode every entry.
    public func views(asOf: Instant, atPosition: UInt64? = nil, policies: PolicyTimeline = PolicyTimeline()) throws(LogError) -> Views {
        // Both threads read up to the same checkpoint: the entries up to a checkpoint never
        // change once written, so two snapshots that reach it hold the same ones.
        let checkpoint = try checkpoint()
        let limit = min(atPosition ?? .max, checkpoint)
        let halves: [Views.Parts] = [[.policies, .support, .product], [.community, .content]]
        let folds = Folds(count: halves.count)
        DispatchQueue.concurrentPerform(iterations: halves.count) { i in
            var views = Views(policies: policies)
            let result = Result { () throws(LogError) -> Views? in
                try forEach(asOf: asOf, atPosition: limit, reaching: max(checkpoint, 1)) { views.apply($0, to: halves[i]) } ? views : nil
            }
            folds.set(i, result)
        }
        var views = Views(policies: policies)
        for (i, part) in halves.enumerated() {
            guard let half = try folds.result(i).get() else {
                // The index was cleared meanwhile: fold whatever one snapshot holds.
                var views = Views(policies: policies)
                try forEach(asOf: asOf, atPosition: atPosition) { views.apply($0) }
                return views
            }
            views.take(part, from: half)
        }
        return views
    }
}

/// The results of the folds of a parallel rebuild, one slot per thread.
private final class Folds: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Views?, LogError>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ result: Result<Views?, LogError>) {
        lock.lock()
        results[i] = result
        lock.unlock()
    }

    func result(_ i: Int) -> Result<Views?, LogError> {
        lock.lock()
        defer { lock.unlock() }
        return results[i]!
    }
}
