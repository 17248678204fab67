internal import CLMDB

/// An open LMDB transaction, valid only inside the closure that received it.
///
/// Values handed out as `UnsafeRawBufferPointer` point into the memory map and are valid only
/// until the transaction ends; copy what must outlive it.
public struct Transaction {
    let txn: OpaquePointer

    init(txn: OpaquePointer) { self.txn = txn }

    /// The transaction's id: for a read, that of the last commit it sees (each commit adds one).
    public var id: Int { Int(mdb_txn_id(txn)) }

    /// The value stored under `key`, as a view into the map, or `nil`.
    @inlinable
    public func get(_ key: some StoreBytes, in db: Database) throws(StoreError) -> UnsafeRawBufferPointer? {
        try key.withStoreBytes { k throws(StoreError) in try get(k, in: db) }
    }

    /// The value stored under `key`, as a view into the map, or `nil`.
    public func get(_ key: UnsafeRawBufferPointer, in db: Database) throws(StoreError) -> UnsafeRawBufferPointer? {
        var kv = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, db.dbi, &kv, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "cannot read a key")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// Stores `value` under `key`, replacing any value (``insert(_:_:in:)`` keeps an existing
    /// one; appends at the end of a table go through ``Cursor/append(_:_:)``).
    @inlinable
    public func put(_ key: some StoreBytes, _ value: some StoreBytes, in db: Database) throws(StoreError) {
        try key.withStoreBytes { k throws(StoreError) in
            try value.withStoreBytes { v throws(StoreError) in try put(k, v, in: db) }
        }
    }

    /// Stores `value` under `key` (both copied into the map), as ``put(_:_:in:)``.
    public func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, in db: Database) throws(StoreError) {
        var kv = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var vv = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(txn, db.dbi, &kv, &vv, 0), "cannot write a key")
    }

    /// Stores `value` under `key` unless the key exists; returns the existing value then (a view
    /// into the map), `nil` when `value` was stored. One descent of the tree for both answers.
    @inlinable
    public func insert(_ key: some StoreBytes, _ value: some StoreBytes, in db: Database) throws(StoreError) -> UnsafeRawBufferPointer? {
        try key.withStoreBytes { k throws(StoreError) in
            try value.withStoreBytes { v throws(StoreError) in try insert(k, v, in: db) }
        }
    }

    /// ``insert(_:_:in:)`` with the key and value as bytes.
    public func insert(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, in db: Database) throws(StoreError) -> UnsafeRawBufferPointer? {
        var kv = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var vv = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let rc = mdb_put(txn, db.dbi, &kv, &vv, UInt32(MDB_NOOVERWRITE))
        // On MDB_KEYEXIST, LMDB points the value at the existing one.
        if rc == MDB_KEYEXIST { return UnsafeRawBufferPointer(start: vv.mv_data, count: vv.mv_size) }
        try check(rc, "cannot write a key")
        return nil
    }

    /// Removes `key` (every value of it in a database with duplicates). Returns whether it existed.
    @discardableResult @inlinable
    public func delete(_ key: some StoreBytes, in db: Database) throws(StoreError) -> Bool {
        try key.withStoreBytes { k throws(StoreError) in try delete(k, in: db) }
    }

    /// ``delete(_:in:)`` with the key as bytes.
    @discardableResult
    public func delete(_ key: UnsafeRawBufferPointer, in db: Database) throws(StoreError) -> Bool {
        var kv = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, db.dbi, &kv, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "cannot delete a key")
        return true
    }

    /// Removes every entry of `db`.
    public func clear(_ db: Database) throws(StoreError) {
        try check(mdb_drop(txn, db.dbi, 0), "cannot clear a database")
    }

    /// The number of entries in `db`.
    public func count(_ db: Database) throws(StoreError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "cannot read database statistics")
        return stat.ms_entries
    }

    /// Runs `body` with a cursor over `db`, closed when `body` returns.
    public func withCursor<T>(_ db: Database, _ body: (Cursor) throws(StoreError) -> T) throws(StoreError) -> T {
        var c: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &c), "cannot open a cursor")
        defer { mdb_cursor_close(c) }
        return try body(Cursor(cursor: c!))
    }
}

/// A position in a database, valid only inside ``Transaction/withCursor(_:_:)``.
public struct Cursor {
    let cursor: OpaquePointer

    /// One entry: views into the map, valid while the transaction lasts.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    private func op(_ operation: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil, value: UnsafeRawBufferPointer? = nil) throws(StoreError) -> Entry? {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val(mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let rc = mdb_cursor_get(cursor, &k, &v, operation)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "cannot move a cursor")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// The first entry.
    public func first() throws(StoreError) -> Entry? { try op(MDB_FIRST) }
    /// The last entry.
    public func last() throws(StoreError) -> Entry? { try op(MDB_LAST) }
    /// The next entry (the next value of the same key first, in a database with duplicates).
    public func next() throws(StoreError) -> Entry? { try op(MDB_NEXT) }
    /// The previous entry.
    public func previous() throws(StoreError) -> Entry? { try op(MDB_PREV) }
    /// The next value of the current key, in a database with duplicates.
    public func nextDuplicate() throws(StoreError) -> Entry? { try op(MDB_NEXT_DUP) }
    /// The number of values of the current key.
    public func duplicateCount() throws(StoreError) -> Int {
        var n = 0
        try check(mdb_cursor_count(cursor, &n), "cannot count duplicates")
        return n
    }

    /// Stores `value` under `key`, which sorts after every key in the database, and stays there:
    /// appending through the same cursor again skips the descent from the root.
    public func append(_ key: some StoreBytes, _ value: some StoreBytes) throws(StoreError) {
        try key.withStoreBytes { k throws(StoreError) in
            try value.withStoreBytes { v throws(StoreError) in
                var kv = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var vv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                try check(mdb_cursor_put(cursor, &kv, &vv, UInt32(MDB_APPEND)), "cannot write a key")
            }
        }
    }

    /// Stores the values packed in `values`, `size` bytes each, under `key` in a database with
    /// fixed-size duplicates, all sorting after the key's other values and in ascending order:
    /// one descent of the tree for all of them.
    public func appendDuplicates(_ key: some StoreBytes, values: UnsafeRawBufferPointer, size: Int) throws(StoreError) {
        precondition(size > 0 && values.count % size == 0)
        try key.withStoreBytes { k throws(StoreError) in
            var kv = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            var data = (
                MDB_val(mv_size: size, mv_data: UnsafeMutableRawPointer(mutating: values.baseAddress)),
                MDB_val(mv_size: values.count / size, mv_data: nil))
            let rc = withUnsafeMutablePointer(to: &data) {
                $0.withMemoryRebound(to: MDB_val.self, capacity: 2) { mdb_cursor_put(cursor, &kv, $0, UInt32(MDB_MULTIPLE | MDB_APPENDDUP)) }
            }
            try check(rc, "cannot write a key's values")
        }
    }

    /// The first entry whose key is ≥ `key`.
    public func seek(atLeast key: [UInt8]) throws(StoreError) -> Entry? {
        let result: Result<Entry?, StoreError> = key.withUnsafeBytes { k in
            do throws(StoreError) { return .success(try op(MDB_SET_RANGE, key: k)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The entry with exactly `key` (its first value).
    public func seek(exactly key: [UInt8]) throws(StoreError) -> Entry? {
        let result: Result<Entry?, StoreError> = key.withUnsafeBytes { k in
            do throws(StoreError) { return .success(try op(MDB_SET_KEY, key: k)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
