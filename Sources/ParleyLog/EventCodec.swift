public import ParleyModel
internal import Crypto

/// The canonical bytes of a stored event and its link in the hash chain.
///
/// **Canonical encoding, format 1** (never changes for format 1): the event as compact JSON (no
/// white space) with exactly the keys `data`, `id`, `meta`, `position`, `recorded`, `source`,
/// `stream`, `time`, `type`, `version`, in that (bytewise) order; objects inside `data` and `meta`
/// with keys in bytewise order; strings with only `"`, `\` and U+0000–U+001F escaped (as `\"`,
/// `\\`, `\b \f \n \r \t` or `\u00xx`), everything else as UTF-8; numbers whose value is an
/// integer that fits in a signed 64-bit integer as plain integers, others in the shortest form
/// that round-trips a double; instants as
/// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`. The hash of an event is SHA-256 over the previous event's hash
/// (32 zero bytes before position 1) followed by its canonical bytes.
public enum EventCodec {
    /// The canonical bytes of `event`.
    public static func encode(_ event: Event) -> [UInt8] {
        var recorded: [UInt8] = []
        event.recorded.write(into: &recorded)
        return encode(event, recorded: recorded)
    }

    /// The canonical bytes of `event`, with its `recorded` instant already formatted (the same for
    /// every event of a commit).
    public static func encode(_ event: Event, recorded: [UInt8]) -> [UInt8] {
        var w = JSONWriter(capacity: 384)
        write(
            into: &w, data: JSONWriter.encode(.object(event.data)), id: event.id, meta: JSONWriter.encode(.object(event.meta)),
            position: event.position, recorded: recorded, source: event.source, stream: event.stream, time: event.time,
            type: event.type, version: event.version)
        return w.bytes
    }

    /// The record the log stores for `prepared` at `position`: 32 bytes for its chain hash (zero
    /// until ``seal(_:after:)``), then its canonical bytes. `data` and `meta` come encoded
    /// already, so the writer only splices them in.
    static func record(of prepared: PreparedEvent, id: String, position: UInt64, version: UInt64, recorded: [UInt8]) -> [UInt8] {
        var w = JSONWriter(capacity: 32 + prepared.data.count + prepared.meta.count + 192)
        w.bytes.append(contentsOf: genesis)
        let event = prepared.event
        write(
            into: &w, data: prepared.data, id: id, meta: prepared.meta, position: position, recorded: recorded,
            source: event.source, stream: event.stream, time: event.time, type: event.type, version: version)
        return w.bytes
    }

    /// Writes the canonical bytes of an event's fields, in the order of format 1.
    private static func write(
        into w: inout JSONWriter, data: [UInt8], id: String, meta: [UInt8], position: UInt64, recorded: [UInt8],
        source: String, stream: String, time: Instant, type: String, version: UInt64
    ) {
        w.raw("{\"data\":")
        w.bytes.append(contentsOf: data)
        w.raw(",\"id\":")
        w.write(string: id)
        w.raw(",\"meta\":")
        w.bytes.append(contentsOf: meta)
        w.raw(",\"position\":")
        w.write(integer: Int64(position))
        w.raw(",\"recorded\":\"")
        w.bytes.append(contentsOf: recorded)
        w.raw("\",\"source\":")
        w.write(string: source)
        w.raw(",\"stream\":")
        w.write(string: stream)
        w.raw(",\"time\":\"")
        time.write(into: &w.bytes)
        w.raw("\",\"type\":")
        w.write(string: type)
        w.raw(",\"version\":")
        w.write(integer: Int64(version))
        w.raw("}")
    }

    /// Fills the first 32 bytes of `record` (from ``record(of:id:position:version:recorded:)``)
    /// with its link in the chain: SHA-256 over `previous` followed by the canonical bytes.
    static func seal(_ record: inout [UInt8], after previous: [UInt8]) {
        record.withUnsafeMutableBytes { buffer in
            var hasher = SHA256()
            hasher.update(data: previous)
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[32...]))
            hasher.finalize().withUnsafeBytes { digest in
                buffer.baseAddress!.copyMemory(from: digest.baseAddress!, byteCount: 32)
            }
        }
    }

    /// Decodes canonical bytes back into an event.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(LogError) -> Event {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes.bindMemory(to: UInt8.self)) } catch {
            throw LogError(code: .corrupted, message: "a stored event is not valid JSON: \(error)")
        }
        guard case .object(let o) = json else {
            throw LogError(code: .corrupted, message: "a stored event is not a JSON object")
        }
        // One walk over the members (in canonical order) rather than a lookup per field.
        var position: Int64?, version: Int64?, recorded: Instant?, time: Instant?
        var id: String?, stream: String?, type: String?, source: String?
        var data: JSONObject?, meta: JSONObject?
        for (key, value) in o {
            switch key {
            case "data": data = value.objectValue
            case "id": id = value.stringValue
            case "meta": meta = value.objectValue
            case "position": position = value.intValue
            case "recorded": recorded = value.stringValue.flatMap { try? Instant(rfc3339: $0) }
            case "source": source = value.stringValue
            case "stream": stream = value.stringValue
            case "time": time = value.stringValue.flatMap { try? Instant(rfc3339: $0) }
            case "type": type = value.stringValue
            case "version": version = value.intValue
            default: break
            }
        }
        guard let position, let version, let recorded, let id, let stream, let type, let time, let source, let data, let meta,
            position > 0, version > 0
        else { throw LogError(code: .corrupted, message: "a stored event lacks an envelope field") }
        return Event(
            position: UInt64(position), version: UInt64(version), recorded: recorded, id: id, stream: stream,
            type: type, time: time, source: source, data: data, meta: meta)
    }

    /// The 32 zero bytes that precede position 1 in the chain.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// SHA-256 over `previous` followed by `canonical`.
    public static func chain(_ previous: [UInt8], _ canonical: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(bufferPointer: canonical)
        return Array(hasher.finalize())
    }

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A new event with its `data` and `meta` already encoded as canonical JSON.
///
/// Appenders prepare their events on their own threads (the import's reader, the daemon's
/// request handlers), so that the log's single writer only splices the bytes into the canonical
/// event instead of encoding every nested value while it holds the write transaction.
public struct PreparedEvent: Sendable {
    /// The event.
    public let event: NewEvent
    /// The canonical JSON of `event.data`.
    let data: [UInt8]
    /// The canonical JSON of `event.meta`.
    let meta: [UInt8]

    /// Prepares `event`.
    public init(_ event: NewEvent) {
        self.event = event
        data = JSONWriter.encode(.object(event.data))
        meta = event.meta.isEmpty ? Self.emptyObject : JSONWriter.encode(.object(event.meta))
    }

    private static let emptyObject: [UInt8] = Array("{}".utf8)
}
