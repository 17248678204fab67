internal import CLMDB
internal import Foundation
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A named LMDB database (a sorted key-value table) inside an ``Environment``.
public struct Database: Sendable, Hashable {
    let dbi: MDB_dbi
}

/// How a database orders and keeps its entries.
public struct DatabaseOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Several sorted values per key.
    public static let duplicateKeys = DatabaseOptions(rawValue: UInt32(MDB_DUPSORT))
    /// With ``duplicateKeys``: all values of a key have the same size (stored compactly).
    public static let fixedSizeDuplicates = DatabaseOptions(rawValue: UInt32(MDB_DUPFIXED))
}

/// An LMDB environment: one data directory (`data.mdb` and `lock.mdb`) shared by many reader
/// processes beside one writer at a time.
///
/// Transactions exist only inside the closures of ``read(_:)`` and ``write(_:)``. The map grows
/// by itself: a write that fills it is rolled back, the map doubled, and the write run again, so
/// no caller ever sees `MDB_MAP_FULL`. Reader slots left by dead processes are cleared at open.
public final class Environment: @unchecked Sendable {
    let env: OpaquePointer
    /// The data directory.
    public let path: String
    /// Readers share it; growing the map takes it exclusively (LMDB requires that no transaction
    /// of this process is open while the map size changes).
    private let mapLock = ReadWriteLock()
    private let writeLock = NSLock()
    private var databases: [String: Database] = [:]
    private let databasesLock = NSLock()
    /// Whether it was opened for reading only (see ``init(path:maxDatabases:initialMapSize:readOnly:)``).
    public let isReadOnly: Bool

    /// Opens (creating if needed) the environment in directory `path`.
    ///
    /// - Parameters:
    ///   - path: an existing directory.
    ///   - maxDatabases: how many named databases it may hold.
    ///   - initialMapSize: the first map size in bytes; it grows on demand.
    ///   - readOnly: open an existing environment for reading only (`MDB_RDONLY`), for a
    ///     directory on read-only media: LMDB then reads without its lock file when it cannot
    ///     write it, which is safe as no process can write there either. Writes throw
    ///     ``StoreError/Code/readOnlyFileSystem``.
    /// - Throws: ``StoreError`` naming the path.
    public init(path: String, maxDatabases: Int = 16, initialMapSize: Int = 256 << 20, readOnly: Bool = false) throws(StoreError) {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "cannot create an LMDB environment")
        guard let env else { throw StoreError(code: .other, message: "cannot create an LMDB environment") }
        do throws(StoreError) {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "cannot set max databases")
            try check(mdb_env_set_maxreaders(env, UInt32(Self.maxReaders)), "cannot set max readers")
            let fileSize = (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? Int) ?? 0
            var mapSize = initialMapSize
            while mapSize < fileSize * 2 { mapSize *= 2 }
            try check(mdb_env_set_mapsize(env, mapSize), "cannot set the map size")
            if !readOnly { try Self.allocateLockFile(path) }
            try check(
                mdb_env_open(env, path, UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0), 0o644),
                "cannot open the data directory \(path)")
            try Self.checkLength(env, path: path)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
        self.path = path
        isReadOnly = readOnly
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
    }

    deinit { mdb_env_close(env) }

    /// Reader slots in the lock file.
    static let maxReaders = 1022

    /// Claims the blocks of the lock file before LMDB opens it. LMDB sizes the file with
    /// ftruncate and writes it through a mapping, so on a full disk its first write to a hole
    /// killed the process with SIGBUS (`parley append` to a new directory, `parley stats`
    /// building the views' index); now a full disk is an error here. The size is LMDB's: a
    /// 64-byte slot per reader after the first, and a 192-byte header. A directory this process
    /// may not write is left to LMDB, which says what is wrong.
    private static func allocateLockFile(_ path: String) throws(StoreError) {
        #if os(Linux)
        let fd = open(path + "/lock.mdb", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let rc = posix_fallocate(fd, 0, off_t((maxReaders - 1) * 64 + 192))
        guard rc == 0 || rc == EOPNOTSUPP || rc == EINVAL else {
            throw StoreError(status: rc, operation: "cannot open the data directory \(path): cannot allocate its lock file lock.mdb")
        }
        #endif
    }

    /// Refuses a data file shorter than its pages: LMDB maps the file without checking its
    /// length, and a read past its end (a copy cut short, a truncated file) kills the process
    /// with SIGBUS instead of failing.
    private static func checkLength(_ env: OpaquePointer, path: String) throws(StoreError) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(env, &info)
        mdb_env_stat(env, &stat)
        let file = path + "/data.mdb"
        let length = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let pageSize = max(Int(stat.ms_psize), 1)
        // In pages, not bytes: a damaged meta page can name a last page whose end overflows.
        guard info.me_last_pgno < length / pageSize else {
            throw StoreError(code: .corrupted, message: "\(file) is truncated or its meta page damaged: it holds \(length / pageSize) pages of \(pageSize) bytes, and its meta page names page \(info.me_last_pgno) as the last")
        }
    }

    /// Opens (creating if needed) the named database `name`.
    public func database(_ name: String, options: DatabaseOptions = []) throws(StoreError) -> Database {
        databasesLock.lock()
        defer { databasesLock.unlock() }
        if let db = databases[name] { return db }
        let db = isReadOnly ? try existingDatabase(name, options: options) : try write { txn throws(StoreError) in
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(txn.txn, name, UInt32(MDB_CREATE) | options.rawValue, &dbi), "cannot open database \(name)")
            return Database(dbi: dbi)
        }
        databases[name] = db
        return db
    }

    /// Opens the database `name` of a read-only environment, which must exist: in a read
    /// transaction that is committed, as LMDB keeps the handle only then.
    private func existingDatabase(_ name: String, options: DatabaseOptions) throws(StoreError) -> Database {
        mapLock.lockShared()
        defer { mapLock.unlock() }
        var txn: OpaquePointer?
        try check(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn), "cannot begin a read transaction")
        var dbi: MDB_dbi = 0
        let rc = mdb_dbi_open(txn, name, options.rawValue, &dbi)
        guard rc == 0 else {
            mdb_txn_abort(txn)
            throw StoreError(status: rc, operation: "cannot open database \(name) of \(path)")
        }
        try check(mdb_txn_commit(txn), "cannot open database \(name) of \(path)")
        return Database(dbi: dbi)
    }

    /// The names of the named databases in the environment.
    public func databaseNames() throws(StoreError) -> [String] {
        try read { txn throws(StoreError) in
            var main: MDB_dbi = 0
            try check(mdb_dbi_open(txn.txn, nil, 0, &main), "cannot open the main database")
            return try txn.withCursor(Database(dbi: main)) { c throws(StoreError) in
                var names: [String] = []
                var entry = try c.first()
                while let e = entry {
                    names.append(String(decoding: e.key, as: UTF8.self))
                    entry = try c.next()
                }
                return names
            }
        }
    }

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    public func read<T>(_ body: (Transaction) throws(StoreError) -> T) throws(StoreError) -> T {
        while true {
            mapLock.lockShared()
            var txn: OpaquePointer?
            let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            if rc == MDB_MAP_RESIZED {
                mapLock.unlock()
                try adoptGrownMap()
                continue
            }
            defer { mapLock.unlock() }
            try check(rc, "cannot begin a read transaction")
            defer { mdb_txn_abort(txn) }
            return try body(Transaction(txn: txn!))
        }
    }

    @discardableResult
    /// Runs `body` in a write transaction and commits it durably (fsync) before returning.
    ///
    /// `body` may run more than once: when the map fills, the transaction is rolled back, the map
    /// grown, and `body` run again, so it must not have effects outside the transaction.
    ///
    /// - Parameter durable: `false` for data derived from the rest (the views' index): the commit
    ///   then flushes its pages but not the meta page (LMDB's `MDB_NOMETASYNC`), one fsync instead
    ///   of two. The database stays intact; a system crash may undo that last commit, until the
    ///   next durable commit makes it permanent.
    public func write<T>(durable: Bool = true, _ body: (Transaction) throws(StoreError) -> T) throws(StoreError) -> T {
        guard !isReadOnly else {
            throw StoreError(code: .readOnlyFileSystem, message: "cannot write to \(path): it is open for reading only, on a read-only file system", status: EROFS)
        }
        writeLock.lock()
        defer { writeLock.unlock() }
        while true {
            mapLock.lockShared()
            var txn: OpaquePointer?
            var rc = mdb_txn_begin(env, nil, 0, &txn)
            if rc == MDB_MAP_RESIZED {
                mapLock.unlock()
                try adoptGrownMap()
                continue
            }
            if rc != 0 {
                mapLock.unlock()
                throw StoreError(status: rc, operation: "cannot begin a write transaction")
            }
            let result: T
            do throws(StoreError) {
                result = try body(Transaction(txn: txn!))
            } catch where error.code == .mapFull {
                mdb_txn_abort(txn)
                mapLock.unlock()
                try growMap()
                continue
            } catch {
                mdb_txn_abort(txn)
                mapLock.unlock()
                throw error
            }
            // The flag is the environment's, read at commit: changing it while this process's write
            // lock is held touches no other transaction of this process (other processes have
            // their own environment handles).
            if !durable { mdb_env_set_flags(env, UInt32(MDB_NOMETASYNC), 1) }
            rc = mdb_txn_commit(txn)
            if !durable { mdb_env_set_flags(env, UInt32(MDB_NOMETASYNC), 0) }
            mapLock.unlock()
            if rc == MDB_MAP_FULL {
                try growMap()
                continue
            }
            try check(rc, "cannot commit to \(path)")
            return result
        }
    }

    /// Whether commits currently skip the meta page's fsync (only inside a non-durable write).
    var defersMetaSync: Bool {
        var flags: UInt32 = 0
        mdb_env_get_flags(env, &flags)
        return flags & UInt32(MDB_NOMETASYNC) != 0
    }

    /// The current map size in bytes.
    public var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_mapsize
    }

    private func growMap() throws(StoreError) {
        mapLock.lockExclusive()
        defer { mapLock.unlock() }
        let current = mapSize
        let next = current < (4 << 30) ? current * 2 : current + (4 << 30)
        try check(mdb_env_set_mapsize(env, next), "cannot grow the map of \(path) to \(next) bytes")
    }

    /// Another process grew the map: take its size.
    private func adoptGrownMap() throws(StoreError) {
        mapLock.lockExclusive()
        defer { mapLock.unlock() }
        try check(mdb_env_set_mapsize(env, 0), "cannot adopt the grown map of \(path)")
    }

    /// Clears reader slots left by processes that died; returns how many.
    @discardableResult public func clearStaleReaders() -> Int {
        var dead: Int32 = 0
        mdb_reader_check(env, &dead)
        return Int(dead)
    }

    /// Writes a consistent, compacted copy of the environment into the empty directory `destination`.
    /// Runs in a read transaction, so writers go on meanwhile.
    public func copy(to destination: String) throws(StoreError) {
        mapLock.lockShared()
        defer { mapLock.unlock() }
        try check(mdb_env_copy2(env, destination, UInt32(MDB_CP_COMPACT)), "cannot copy \(path) to \(destination)")
    }

    /// Pages in use and page size, for `parley stats`.
    public func usage() throws(StoreError) -> (pagesUsed: Int, pageSize: Int) {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(env, &info)
        mdb_env_stat(env, &stat)
        return (info.me_last_pgno + 1, Int(stat.ms_psize))
    }
}
