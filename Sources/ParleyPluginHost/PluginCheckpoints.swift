public import ParleyLog
import ParleyStore

/// The plugins' confirmed checkpoints, kept durably beside the log in its LMDB environment
/// (database `plugin_checkpoints`: plugin name → position, 8 bytes big-endian).
///
/// A checkpoint only grows: storing a smaller position than the one stored changes nothing.
public struct PluginCheckpoints: Sendable {
    private let environment: Environment
    /// The table; nil for a log on read-only media that has none (no checkpoint stored).
    private let database: Database?

    /// Opens (creating if needed) the checkpoint table of `log`'s data directory.
    ///
    /// - Throws: ``LogError`` with code `storage` when LMDB fails.
    public init(log: EventLog) throws(LogError) {
        environment = log.environment
        do throws(StoreError) {
            let absent = log.isReadOnly ? try !environment.databaseNames().contains(Self.table) : false
            database = absent ? nil : try environment.database(Self.table)
        } catch { throw LogError.storage(error) }
    }

    private static let table = "plugin_checkpoints"

    /// The checkpoint stored for plugin `name`, or `nil` for a plugin never checkpointed.
    ///
    /// - Throws: ``LogError`` with code `storage` when LMDB fails.
    public func position(of name: String) throws(LogError) -> UInt64? {
        guard let db = database else { return nil }
        do {
            return try environment.read { txn throws(StoreError) in
                try txn.get(Array(name.utf8), in: db).flatMap { $0.count == 8 ? Keys.uint64(from: $0) : nil }
            }
        } catch { throw LogError.storage(error) }
    }

    /// Stores `position` for plugin `name` durably, unless a larger one is stored already.
    ///
    /// - Returns: the checkpoint stored afterwards.
    /// - Throws: ``LogError`` with code `storage` when LMDB fails.
    @discardableResult
    public func store(_ position: UInt64, for name: String) throws(LogError) -> UInt64 {
        guard let db = database else {
            throw LogError(code: .storage, message: "cannot store the checkpoint of plugin \(name) in \(environment.path): it is on a read-only file system")
        }
        let key = Array(name.utf8)
        do {
            return try environment.write { txn throws(StoreError) in
                let stored = try txn.get(key, in: db).flatMap { $0.count == 8 ? Keys.uint64(from: $0) : nil } ?? 0
                guard position > stored else { return stored }
                try txn.put(key, Keys.uint64(position), in: db)
                return position
            }
        } catch { throw LogError.storage(error) }
    }

    /// Every stored checkpoint by plugin name (for `parley stats`).
    ///
    /// - Throws: ``LogError`` with code `storage` when LMDB fails.
    public func all() throws(LogError) -> [String: UInt64] {
        guard let db = database else { return [:] }
        do {
            return try environment.read { txn throws(StoreError) in
                try txn.withCursor(db) { c throws(StoreError) in
                    var result: [String: UInt64] = [:]
                    var entry = try c.first()
                    while let e = entry {
                        if e.value.count == 8 { result[String(decoding: e.key, as: UTF8.self)] = Keys.uint64(from: e.value) }
                        entry = try c.next()
                    }
                    return result
                }
            }
        } catch { throw LogError.storage(error) }
    }
}
