import ParleyModel
public import ParleyStore
internal import Foundation
internal import Synchronization

/// The append-only event log of one data directory (`events.md`).
///
/// Events are stored under their position with their hash; indexes map ids to positions and
/// streams to their versions. Many processes may read a data directory while one writes; in a
/// process, concurrent appenders share commits through ``GroupCommitter``.
public final class EventLog: Sendable {
    /// The storage format this build writes; directories of a newer format are refused.
    public static let formatVersion = 1

    /// The data directory.
    public let directory: String
    /// Whether the log could only be opened for reading, its file system being read-only.
    public var isReadOnly: Bool { env.isReadOnly }
    let env: Environment
    let tables: Tables
    /// The time and counter of the last id this process generated (see ``EventIDGenerator``),
    /// so that generated ids keep ascending from one commit to the next.
    let lastGeneratedID = Mutex<UInt64>(0)
    /// Where large commits seal their records while the writer goes on (``RecordChain``).
    let chainQueue = DispatchQueue(label: "parley.log.chain")
    /// The streams this process's last commit knew, and that commit's transaction id: the next
    /// commit starts from them when no other transaction came in between (see ``CommitStreams``).
    let knownStreams = Mutex<(txn: Int, streams: CommitStreams)?>(nil)

    /// The log's LMDB databases.
    struct Tables: Sendable {
        /// `format` → decimal format version.
        var meta: Database
        /// position (8 bytes, big-endian) → hash (32 bytes) ++ canonical bytes.
        var events: Database
        /// id → position.
        var ids: Database
        /// stream name → stream number (8) ++ version (8).
        var streams: Database
        /// stream number → positions (duplicates, ascending): the stream's events in version order.
        var streamEvents: Database
    }

    /// Opens the log in `directory`, creating it (and the directory) when `create` is true.
    ///
    /// - Throws: ``LogError`` with code ``LogError/Code/notALog`` for a directory that holds
    ///   something else or does not exist (without `create`), ``LogError/Code/newerFormat`` for
    ///   one written by a newer Parley, ``LogError/Code/storage`` when LMDB fails.
    ///
    /// The map starts at 4 GiB of address space (the file grows only with the data): each time a
    /// commit fills the map, the whole commit is rolled back and done again after the map grows.
    public init(directory: String, create: Bool = true, initialMapSize: Int = 4 << 30) throws(LogError) {
        self.directory = directory
        let fm = FileManager.default
        if let isDirectory = try Self.kind(of: directory) {
            guard isDirectory else {
                throw LogError(code: .notALog, message: "\(directory) is a file, not a Parley data directory")
            }
            // `views/` is the views' index, a cache of the log that may outlive it. LMDB makes
            // its lock file before the data file: a lock file alone is a creation a kill cut
            // short, a directory without a log yet.
            let names: [String]
            do { names = try fm.contentsOfDirectory(atPath: directory) } catch {
                throw LogError(code: .notALog, message: "cannot open \(directory): \(Self.reason(error))")
            }
            let entries = names.filter { $0 != "views" && $0 != "lock.mdb" }
            if !entries.isEmpty, !entries.contains("data.mdb") {
                throw LogError(code: .notALog, message: "\(directory) is not a Parley data directory (it holds other files and no data.mdb)")
            }
            if entries.isEmpty, !create {
                throw LogError(code: .notALog, message: "\(directory) holds no Parley log yet")
            }
            // LMDB would take an empty file for a new log and write one: a log lost to a
            // truncation would then pass for an empty one, and be written over.
            let file = directory + "/data.mdb"
            if entries.contains("data.mdb"), ((try? fm.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) == 0 {
                throw LogError(code: .corrupted, message: "\(file) is empty (0 bytes): it holds no log, not even an empty one (remove it to start a new log)")
            }
        } else {
            guard create else { throw LogError(code: .notALog, message: "no Parley log at \(directory)") }
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw LogError(code: .notALog, message: "cannot create the data directory \(directory): \(Self.reason(error))")
            }
        }
        do {
            env = try Self.openEnvironment(directory, initialMapSize: initialMapSize)
            tables = try Self.openTables(env, directory: directory)
        } catch let error as StoreError {
            switch error.code {
            case .permissionDenied:
                throw LogError(code: .notALog, message: "cannot open \(directory): permission denied")
            case .notADataDirectory:
                throw LogError(code: .notALog, message: "\(directory)/data.mdb is not an LMDB file, so not a Parley log")
            case .corrupted:
                throw LogError(code: .corrupted, message: error.message)
            default:
                throw LogError.storage(error)
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(code: .storage, message: "\(error)")
        }
    }

    /// Whether `path` is a directory (true), another file (false), or nothing (nil). A path this
    /// process may not look at is an error that says so: taken for a missing directory, it read
    /// "no Parley log", and a daemon tried to create it.
    private static func kind(of path: String) throws(LogError) -> Bool? {
        var info = stat()
        guard stat(path, &info) != 0 else { return info.st_mode & S_IFMT == S_IFDIR }
        let code = errno
        if code == ENOENT { return nil }
        throw LogError(code: .notALog, message: "cannot open \(path): \(reason(code))")
    }

    /// An `errno` in words, as the rest of a sentence: "permission denied".
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }

    /// The system call's error under a Foundation file error, in words: Foundation's own text
    /// ("The operation could not be completed…") names no cause.
    private static func reason(_ error: any Error) -> String {
        let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? any Error).map { $0 as NSError }
        return posix.map { reason(Int32(truncatingIfNeeded: $0.code)) } ?? error.localizedDescription
    }

    /// The environment of `directory`; on read-only media (a backup, a mounted snapshot), open
    /// for reading only, so that the log can still be read, audited and replayed there, and an
    /// append says why it cannot be made.
    private static func openEnvironment(_ directory: String, initialMapSize: Int) throws(StoreError) -> Environment {
        do {
            return try Environment(path: directory, initialMapSize: initialMapSize)
        } catch {
            guard error.code == .readOnlyFileSystem else { throw error }
            return try Environment(path: directory, initialMapSize: initialMapSize, readOnly: true)
        }
    }

    /// The log's tables by name, with their options.
    static let tableOptions: [String: DatabaseOptions] = [
        "meta": [], "events": [], "ids": [], "streams": [], "stream_events": [.duplicateKeys, .fixedSizeDuplicates],
    ]

    private static func openTables(_ env: Environment, directory: String) throws -> Tables {
        func table(_ name: String) throws(StoreError) -> Database { try env.database(name, options: tableOptions[name]!) }
        let existing = try env.databaseNames()
        let format: String?
        if existing.contains("meta") {
            let meta = try table("meta")
            format = try env.read { txn throws(StoreError) in
                try txn.get(Array("format".utf8), in: meta).map { String(decoding: $0, as: UTF8.self) }
            }
        } else {
            format = nil
        }
        if format == nil {
            // A new log. Its tables are made one commit each, then the format record: a process
            // killed on the way leaves some of them, empty, for this one to go on with. Any
            // other LMDB file is refused as it is, before a table is made in it.
            let foreign = LogError(code: .notALog, message: "\(directory)/data.mdb is an LMDB file but not a Parley log (no format record)")
            for name in existing {
                guard tableOptions[name] != nil else { throw foreign }
                let db = try table(name)
                guard try env.read({ txn throws(StoreError) in try txn.count(db) }) == 0 else { throw foreign }
            }
        }
        let tables = Tables(
            meta: try table("meta"), events: try table("events"), ids: try table("ids"), streams: try table("streams"),
            streamEvents: try table("stream_events"))
        switch format {
        case nil:
            try env.write { txn throws(StoreError) in
                try txn.put(Array("format".utf8), Array(String(formatVersion).utf8), in: tables.meta)
            }
        case let f?:
            guard let v = Int(f) else { throw LogError(code: .notALog, message: "\(directory) has an unreadable format record \"\(f)\"") }
            guard v <= formatVersion else {
                throw LogError(code: .newerFormat, message: "\(directory) was written by a newer Parley (format \(v); this build reads format \(formatVersion))")
            }
        }
        return tables
    }

    /// The position of the last event, 0 when the log is empty.
    public func head() throws(LogError) -> UInt64 {
        do {
            return try env.read { txn throws(StoreError) in try Self.head(txn, tables).position }
        } catch { throw LogError.storage(error) }
    }

    /// The last position and hash as `txn` sees them.
    static func head(_ txn: Transaction, _ tables: Tables) throws(StoreError) -> (position: UInt64, hash: [UInt8]) {
        try txn.withCursor(tables.events) { c throws(StoreError) in
            guard let last = try c.last() else { return (0, EventCodec.genesis) }
            return (Keys.uint64(from: last.key), Array(last.value.prefix(32)))
        }
    }

    /// Runs `body` with the log's environment, for modules that keep state beside the log
    /// (projections, plugin checkpoints) in the same data directory.
    public var environment: Environment { env }
}
