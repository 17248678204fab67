import ParleyModel
import ParleyStore
internal import Foundation

/// The first disagreement `parley audit verify` found.
public struct AuditFailure: Error, Sendable, CustomStringConvertible {
    /// The first bad position, when the fault is tied to one.
    public var position: UInt64?
    /// What disagrees.
    public var message: String

    public init(position: UInt64?, message: String) {
        self.position = position
        self.message = message
    }

    public var description: String {
        position.map { "position \($0): \(message)" } ?? message
    }
}

/// What a passing audit checked.
public struct AuditReport: Sendable {
    /// Events whose hash chain, position and indexes were checked.
    public var events: UInt64
    /// Streams whose versions and position lists were checked.
    public var streams: Int
    /// The hash of the last event (the head of the chain), lowercase hex.
    public var headHash: String
}

extension EventLog {
    /// Walks the whole log in one snapshot: positions from 1 without gaps, every event decodes and
    /// says its own position, the hash chain, the id index and the stream indexes.
    ///
    /// - Parameter checking: told each position before it is checked (in the stream indexes,
    ///   each stream's first), so that a caller can say where a crash of LMDB on a damaged page
    ///   happened.
    /// - Returns: the report, or the first ``AuditFailure``.
    public func verify(checking: (UInt64) -> Void = { _ in }) throws(LogError) -> Result<AuditReport, AuditFailure> {
        let outcome: Result<Result<AuditReport, AuditFailure>, LogError> = storageResult { () throws(StoreError) in
            try env.read { txn throws(StoreError) in .success(try verify(txn, checking: checking)) }
        }
        return try outcome.get()
    }

    private func verify(_ txn: Transaction, checking: (UInt64) -> Void) throws(StoreError) -> Result<AuditReport, AuditFailure> {
        var expected: UInt64 = 1
        var hash = EventCodec.genesis
        var streamPositions: [ExactText: [UInt64]] = [:]
        let failure: AuditFailure? = try txn.withCursor(tables.events) { c throws(StoreError) -> AuditFailure? in
            var entry = try c.first()
            while let e = entry {
                checking(expected)
                guard e.key.count == 8 else {
                    return AuditFailure(position: expected, message: "the log has no event here (next stored key is \(e.key.count) bytes long, not 8)")
                }
                let position = Keys.uint64(from: e.key)
                guard position == expected else {
                    return AuditFailure(position: expected, message: "the log has no event here (next stored key is \(position))")
                }
                guard e.value.count > 32 else { return AuditFailure(position: position, message: "the stored value is truncated") }
                let canonical = UnsafeRawBufferPointer(rebasing: e.value[32...])
                let event: Event
                do throws(LogError) { event = try EventCodec.decode(canonical) } catch {
                    return AuditFailure(position: position, message: "the stored event does not decode: \(error.message)")
                }
                guard event.position == position else {
                    return AuditFailure(position: position, message: "the stored event says position \(event.position)")
                }
                guard EventCodec.encode(event).elementsEqual(canonical) else {
                    return AuditFailure(position: position, message: "the stored bytes are not in canonical form")
                }
                hash = EventCodec.chain(hash, canonical)
                guard hash.elementsEqual(e.value[0..<32]) else {
                    return AuditFailure(position: position, message: "the hash chain breaks (stored \(EventCodec.hex(e.value[0..<32])), computed \(EventCodec.hex(hash)))")
                }
                guard let idEntry = try txn.get(Array(event.id.utf8), in: tables.ids), idEntry.count == 8, Keys.uint64(from: idEntry) == position else {
                    return AuditFailure(position: position, message: "the id index does not map \"\(event.id)\" to this position")
                }
                var list = streamPositions[ExactText(event.stream), default: []]
                guard event.version == UInt64(list.count + 1) else {
                    return AuditFailure(position: position, message: "version \(event.version) of stream \"\(event.stream)\" should be \(list.count + 1)")
                }
                list.append(position)
                streamPositions[ExactText(event.stream)] = list
                expected += 1
                entry = try c.next()
            }
            return nil
        }
        if let failure { return .failure(failure) }
        let ids = try txn.count(tables.ids)
        guard ids == Int(expected - 1) else {
            return .failure(AuditFailure(position: nil, message: "the id index holds \(ids) entries for \(expected - 1) events"))
        }
        let streams = try txn.count(tables.streams)
        guard streams == streamPositions.count else {
            return .failure(AuditFailure(position: nil, message: "the stream index holds \(streams) streams, the events name \(streamPositions.count)"))
        }
        var indexed = 0
        for (key, positions) in streamPositions.sorted(by: { $0.value[0] < $1.value[0] }) {
            checking(positions[0])
            let stream = key.text
            guard let entry = try txn.get(Array(stream.utf8), in: tables.streams) else {
                return .failure(AuditFailure(position: positions[0], message: "stream \"\(stream)\" is missing from the stream index"))
            }
            guard entry.count == 16 else {
                return .failure(AuditFailure(position: positions[0], message: "the stream index entry of \"\(stream)\" is \(entry.count) bytes long, not 16"))
            }
            guard Keys.uint64(from: entry, at: 8) == UInt64(positions.count) else {
                return .failure(AuditFailure(position: positions.last, message: "the stream index says stream \"\(stream)\" is at version \(Keys.uint64(from: entry, at: 8)), its events say \(positions.count)"))
            }
            let number = Keys.uint64(from: entry)
            let stored: [UInt64] = try txn.withCursor(tables.streamEvents) { c throws(StoreError) in
                var list: [UInt64] = []
                var e = try c.seek(exactly: Keys.uint64(number))
                while let found = e, found.value.count == 8 {
                    list.append(Keys.uint64(from: found.value))
                    e = try c.nextDuplicate()
                }
                return list
            }
            guard stored == positions else {
                let bad = zip(stored, positions).first { $0 != $1 }?.1 ?? positions.last
                return .failure(AuditFailure(position: bad, message: "the stream index of \"\(stream)\" disagrees with the events"))
            }
            indexed += stored.count
        }
        guard try txn.count(tables.streamEvents) == indexed else {
            return .failure(AuditFailure(position: nil, message: "the stream index holds entries for no event"))
        }
        return .success(AuditReport(events: expected - 1, streams: streams, headHash: EventCodec.hex(hash)))
    }

    /// Writes a consistent, compacted copy of the data directory into `destination` (created if
    /// needed; it must be empty) while other processes go on writing.
    public func backup(to destination: String) throws(LogError) {
        let fm = FileManager.default
        if fm.fileExists(atPath: destination) {
            let entries = (try? fm.contentsOfDirectory(atPath: destination)) ?? ["?"]
            guard entries.isEmpty else { throw LogError(code: .notALog, message: "the backup destination \(destination) is not an empty directory") }
        } else {
            do { try fm.createDirectory(atPath: destination, withIntermediateDirectories: true) } catch {
                throw LogError(code: .notALog, message: "cannot create the backup destination \(destination): \(error.localizedDescription)")
            }
        }
        do { try env.copy(to: destination) } catch { throw LogError.storage(error) }
    }
}
