public import ParleyModel
import ParleyStore

/// A stored event as raw bytes, valid only inside the closure that received it.
public struct StoredEventBytes {
    /// Its position.
    public var position: UInt64
    /// Its 32-byte hash.
    public var hash: UnsafeRawBufferPointer
    /// Its canonical bytes (see ``EventCodec``).
    public var canonical: UnsafeRawBufferPointer

    /// Decodes the event.
    public func decode() throws(LogError) -> Event { try EventCodec.decode(canonical) }

    /// The event as one JSON line for `parley read`: the canonical object with `hash` added.
    public func jsonLine(into out: inout [UInt8]) {
        out.append(contentsOf: canonical.dropLast())
        out.append(contentsOf: ",\"hash\":\"".utf8)
        out.append(contentsOf: EventCodec.hex(hash).utf8)
        out.append(contentsOf: "\"}\n".utf8)
    }
}

extension EventLog {
    /// Calls `body` with each event from position `from` on, in position order, in one consistent
    /// snapshot, until `body` returns false.
    public func scan(from: UInt64 = 1, _ body: (StoredEventBytes) throws(LogError) -> Bool) throws(LogError) {
        let result: Result<Void, LogError> = storageResult { () throws(StoreError) in
            try env.read { txn throws(StoreError) in
                try txn.withCursor(tables.events) { c throws(StoreError) in
                    var entry = try c.seek(atLeast: Keys.uint64(max(from, 1)))
                    while let e = entry {
                        let stored = StoredEventBytes(
                            position: Keys.uint64(from: e.key), hash: UnsafeRawBufferPointer(rebasing: e.value[0..<32]),
                            canonical: UnsafeRawBufferPointer(rebasing: e.value[32...]))
                        do throws(LogError) {
                            guard try body(stored) else { return .success(()) }
                        } catch {
                            return .failure(error)
                        }
                        entry = try c.next()
                    }
                    return .success(())
                }
            }
        }
        try result.get()
    }

    /// The events from position `from` on, at most `limit`, of `stream` and `type` when given.
    public func read(from: UInt64 = 1, limit: Int = .max, stream: String? = nil, type: String? = nil) throws(LogError) -> [Event] {
        var events: [Event] = []
        if let stream {
            for position in try positions(ofStream: stream) where position >= from {
                guard events.count < limit else { break }
                guard let event = try event(at: position) else { continue }
                if type == nil || event.type == type { events.append(event) }
            }
            return events
        }
        try scan(from: from) { stored throws(LogError) in
            let event = try stored.decode()
            if type == nil || event.type == type { events.append(event) }
            return events.count < limit
        }
        return events
    }

    /// The event at `position`, or nil.
    public func event(at position: UInt64) throws(LogError) -> Event? {
        let result: Result<Event?, LogError> = storageResult { () throws(StoreError) in
            try env.read { txn throws(StoreError) in
                guard let value = try txn.get(Keys.uint64(position), in: tables.events) else { return .success(nil) }
                do throws(LogError) {
                    return .success(try EventCodec.decode(UnsafeRawBufferPointer(rebasing: value[32...])))
                } catch { return .failure(error) }
            }
        }
        return try result.get()
    }

    /// The positions of the events of `stream`, in version order (empty for an unknown stream).
    public func positions(ofStream stream: String) throws(LogError) -> [UInt64] {
        do {
            return try env.read { txn throws(StoreError) in
                guard let entry = try txn.get(Array(stream.utf8), in: tables.streams) else { return [] }
                let number = Keys.uint64(from: entry)
                return try txn.withCursor(tables.streamEvents) { c throws(StoreError) in
                    var positions: [UInt64] = []
                    var e = try c.seek(exactly: Keys.uint64(number))
                    while let found = e {
                        positions.append(Keys.uint64(from: found.value))
                        e = try c.nextDuplicate()
                    }
                    return positions
                }
            }
        } catch { throw LogError.storage(error) }
    }

    /// The current version of `stream` (0 when it does not exist).
    public func version(ofStream stream: String) throws(LogError) -> UInt64 {
        do {
            return try env.read { txn throws(StoreError) in
                guard let entry = try txn.get(Array(stream.utf8), in: tables.streams) else { return 0 }
                return Keys.uint64(from: entry, at: 8)
            }
        } catch { throw LogError.storage(error) }
    }

    /// Runs a storage operation whose own result carries log errors; storage errors become
    /// ``LogError/storage(_:)``.
    func storageResult<T>(_ body: () throws(StoreError) -> Result<T, LogError>) -> Result<T, LogError> {
        do { return try body() } catch { return .failure(LogError.storage(error)) }
    }
}
