internal import Dispatch
internal import Foundation
import ParleyStore

/// The records of one batch, built and waiting to be chained and written: one buffer, each
/// record its 32-byte hash slot and then its canonical bytes.
final class BatchRecords: @unchecked Sendable {
    private var bytes: [UInt8] = []
    /// Where each record starts in `bytes`.
    private var starts: [Int] = []
    /// The position of each record.
    private var positions: [UInt64] = []
    /// Signalled once every record is sealed.
    fileprivate let chained = DispatchSemaphore(value: 0)

    /// Room for `count` records of `capacity` bytes in all.
    init(capacity: Int, count: Int) {
        bytes.reserveCapacity(capacity)
        starts.reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// Adds the record at `position` that `write` appends to the buffer.
    func add(position: UInt64, _ write: (inout [UInt8]) -> Void) {
        starts.append(bytes.count)
        positions.append(position)
        write(&bytes)
    }

    /// Calls `body` with each record and its position, in order.
    func forEach(_ body: (UInt64, UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        try bytes.withUnsafeBytes { bytes in
            Result { () throws(StoreError) in
                for (i, start) in starts.enumerated() {
                    let end = i + 1 < starts.count ? starts[i + 1] : bytes.count
                    try body(positions[i], UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                }
            }
        }.get()
    }

    /// Seals every record, the first after `previous`; returns the last one's hash.
    fileprivate func seal(after previous: [UInt8]) -> [UInt8] {
        let starts = self.starts
        return bytes.withUnsafeMutableBytes { bytes in
            previous.withUnsafeBytes { previous in
                var link = previous.baseAddress!
                for (i, start) in starts.enumerated() {
                    let end = i + 1 < starts.count ? starts[i + 1] : bytes.count
                    EventCodec.seal(UnsafeMutableRawBufferPointer(rebasing: bytes[start..<end]), after: link)
                    link = UnsafeRawPointer(bytes.baseAddress! + start)
                }
            }
            return Array(UnsafeRawBufferPointer(rebasing: bytes[starts.last!..<(starts.last! + 32)]))
        }
    }
}

/// The hash chain of one commit's records, sealed batch after batch in order.
///
/// With a queue, each batch is sealed there while the writer admits and builds the next one:
/// SHA-256 was a fifth of the writer's time in an import, and the other core had room for it.
/// Without one (small commits, where the hand-over would cost more than it saves), at once.
///
/// A writer that needs a batch the queue has not sealed yet seals it (and those before it)
/// itself rather than wait: under batch ingest the queue's thread waited for a core behind the
/// request and view threads, and the writer slept about 2 ms a commit waiting for it.
final class RecordChain: @unchecked Sendable {
    /// The fewest events in a commit of several batches for sealing on the queue.
    static let concurrentEvents = 1000

    /// The hash of the last record sealed; touched only by the thread holding ``sealing``.
    private var last: [UInt8]
    private let queue: DispatchQueue?
    private let lock = NSLock()
    /// Batches chained and not taken to be sealed yet, in order (under ``lock``).
    private var pending: [BatchRecords] = []
    /// Whether a thread is sealing a batch (under ``lock``): only that one touches ``last``.
    private var sealing = false

    /// A chain that goes on from `hash`, sealed on `queue` when given.
    init(after hash: [UInt8], on queue: DispatchQueue?) {
        last = hash
        self.queue = queue
    }

    /// Seals `records` after those chained before: now, or in order on the queue.
    func chain(_ records: BatchRecords) {
        guard let queue else {
            last = records.seal(after: last)
            records.chained.signal()
            return
        }
        lock.withLock { pending.append(records) }
        queue.async { self.seal(through: nil) }
    }

    /// Waits until `records` (chained before) are sealed, sealing them here when no other thread
    /// is at it.
    func waitUntilChained(_ records: BatchRecords) {
        if queue != nil { seal(through: records) }
        records.chained.wait()
    }

    /// Seals the pending batches in order, up to `target` (all when `nil`), while no other
    /// thread is sealing one; returns when that thread holds the next, or none is left.
    private func seal(through target: BatchRecords?) {
        while true {
            let next: BatchRecords? = lock.withLock {
                guard !sealing, !pending.isEmpty else { return nil }
                // The target is sealed once it has left the pending ones.
                if let target, !pending.contains(where: { $0 === target }) { return nil }
                sealing = true
                return pending.removeFirst()
            }
            guard let next else { return }
            last = next.seal(after: last)
            lock.withLock { sealing = false }
            next.chained.signal()
            if next === target { return }
        }
    }
}
