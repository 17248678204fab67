import ParleyStore
internal import Foundation

/// Figures about a data directory, for `parley stats`.
public struct LogStats: Sendable {
    /// Events in the log (the head position).
    public var events: UInt64
    /// Distinct streams.
    public var streams: Int
    /// Bytes the data file occupies on disk.
    public var bytes: Int
    /// Bytes of every file in the data directory, in its folders too: the log's data file, the
    /// views' and the lock files, which `bytes` leaves out.
    public var directoryBytes: Int
    /// Bytes of pages LMDB uses.
    public var usedBytes: Int
    /// The current map size.
    public var mapSize: Int
}

extension EventLog {
    /// Counts events and streams and measures the files.
    public func stats() throws(LogError) -> LogStats {
        do {
            let (events, streams) = try env.read { txn throws(StoreError) in
                (try Self.head(txn, tables).position, try txn.count(tables.streams))
            }
            let usage = try env.usage()
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")
            let size = (attributes?[.size] as? Int) ?? 0
            return LogStats(
                events: events, streams: streams, bytes: size, directoryBytes: Self.bytes(under: directory),
                usedBytes: usage.pagesUsed * usage.pageSize, mapSize: env.mapSize)
        } catch { throw LogError.storage(error) }
    }

    /// The sizes of the regular files under `directory`, summed.
    private static func bytes(under directory: String) -> Int {
        let files = FileManager.default
        guard let paths = files.enumerator(atPath: directory) else { return 0 }
        var total = 0
        for case let path as String in paths {
            guard let attributes = try? files.attributesOfItem(atPath: directory + "/" + path),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            total += (attributes[.size] as? Int) ?? 0
        }
        return total
    }
}
