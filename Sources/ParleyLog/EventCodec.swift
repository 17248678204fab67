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

    /// The canonical bytes of `event`, with its `recorded` instant already formatted. The same
    /// code as the writer's (``PreparedEvent``, then the splice), so the format's field order is
    /// written down once.
    public static func encode(_ event: Event, recorded: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        appendCanonical(
            of: PreparedEvent(event.asNew), generatedID: nil, position: event.position, version: event.version,
            recorded: recorded, to: &bytes)
        return bytes
    }

    /// Appends the record the log stores for `prepared` at `position` to `record`: 32 bytes for
    /// its chain hash (zero until ``seal(_:after:)``), then its canonical bytes.
    ///
    /// - Parameter generatedID: the id the log gave an event that came without one.
    static func appendRecord(
        of prepared: PreparedEvent, generatedID: [UInt8]?, position: UInt64, version: UInt64, recorded: [UInt8],
        to record: inout [UInt8]
    ) {
        record.append(contentsOf: genesis)
        appendCanonical(of: prepared, generatedID: generatedID, position: position, version: version, recorded: recorded, to: &record)
    }

    /// Appends the canonical bytes of `prepared` at `position` to `bytes`. Everything but the
    /// fields the log adds comes encoded already (see ``PreparedEvent``), so this only splices.
    private static func appendCanonical(
        of prepared: PreparedEvent, generatedID: [UInt8]?, position: UInt64, version: UInt64, recorded: [UInt8],
        to record: inout [UInt8]
    ) {
        prepared.pieces.withUnsafeBufferPointer { pieces in
            record.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[..<prepared.idEnd]))
            if let generatedID {
                record.append(UInt8(ascii: "\""))
                record.append(contentsOf: generatedID)
                record.append(UInt8(ascii: "\""))
            }
            record.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[prepared.idEnd..<prepared.positionAt]))
            JSONWriter.append(integer: Int64(position), to: &record)
            record.append(contentsOf: recordedKey)
            record.append(contentsOf: recorded)
            record.append(UInt8(ascii: "\""))
            record.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[prepared.positionAt...]))
            JSONWriter.append(integer: Int64(version), to: &record)
            record.append(UInt8(ascii: "}"))
        }
    }

    /// `,"recorded":"`, which follows the position.
    static let recordedKey = Array(#","recorded":""#.utf8)

    /// Fills the first 32 bytes of `record` (from ``appendRecord(of:generatedID:position:version:recorded:to:)``)
    /// with its link in the chain: SHA-256 over `previous` (32 bytes) followed by the canonical
    /// bytes. `previous` may be the slot of the record before in the same buffer.
    static func seal(_ record: UnsafeMutableRawBufferPointer, after previous: UnsafeRawPointer) {
        // The previous link goes in the slot first, so that one update hashes all of it.
        record.baseAddress!.copyMemory(from: previous, byteCount: 32)
        var hasher = SHA256()
        hasher.update(bufferPointer: UnsafeRawBufferPointer(record))
        hasher.finalize().withUnsafeBytes { digest in
            record.baseAddress!.copyMemory(from: digest.baseAddress!, byteCount: 32)
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

/// A new event with everything but the fields the log adds already in canonical bytes.
///
/// Appenders prepare their events on their own threads (the import's reader, the daemon's
/// request handlers), so that the log's single writer only splices bytes into the canonical
/// event instead of encoding every field while it holds the write transaction. The parsed
/// `data` and `meta` are not kept: a prepared batch waiting for the writer holds bytes only.
public struct PreparedEvent: Sendable {
    /// The id the event came with, if any.
    let id: String?
    let stream: String
    /// A hash of `stream`'s bytes (this process's seeded `Hasher`), so that the writer, which
    /// looks the stream up by name, does not hash it (see ``CommitStreams``).
    let streamHash: Int
    /// `0`: the stream must not exist yet; `N`: its version must be exactly `N`.
    let expectedVersion: Int64?
    /// The event's canonical bytes around the fields the log adds, in three pieces:
    /// `{"data":…,"id":"…"` (without the id when the log generates it) up to ``idEnd``, then
    /// `,"meta":…,"position":` up to ``positionAt``, then
    /// `,"source":…,"stream":…,"time":"…","type":…,"version":`.
    let pieces: [UInt8]
    let idEnd: Int
    let positionAt: Int

    /// Prepares `event`.
    public init(_ event: borrowing NewEvent) {
        self.init(id: event.id, stream: event.stream, expectedVersion: event.expectedVersion, capacity: 256) { w, field in
            switch field {
            case .data: w.write(.object(event.data))
            case .id: if let id = event.id { w.write(string: id) }
            case .meta: w.write(.object(event.meta))
            case .source: w.write(string: event.source)
            case .stream: w.write(string: event.stream)
            case .time: event.time.write(into: &w.bytes)
            case .type: w.write(string: event.type)
            }
        }
    }

    /// Prepares an event read by ``EventLineScanner``, whose values are canonical bytes already.
    public init(_ event: ScannedEvent) {
        let capacity = 160 + event.data.count + (event.meta?.count ?? 2) + event.quotedStream.count + (event.quotedID?.count ?? 0)
        self.init(id: event.id, stream: event.stream, expectedVersion: event.expectedVersion, capacity: capacity) { w, field in
            switch field {
            case .data: w.bytes.append(contentsOf: event.data)
            case .id: if let id = event.quotedID { w.bytes.append(contentsOf: id) }
            case .meta: if let meta = event.meta { w.bytes.append(contentsOf: meta) } else { w.raw("{}") }
            case .source:
                if let source = event.quotedSource { w.bytes.append(contentsOf: source) } else { w.write(string: "api") }
            case .stream: w.bytes.append(contentsOf: event.quotedStream)
            case .time:
                if let text = event.canonicalTime { w.bytes.append(contentsOf: text) } else { event.time.write(into: &w.bytes) }
            case .type: w.bytes.append(contentsOf: event.quotedType)
            }
        }
    }

    /// The fields whose values the two ways of preparing an event write.
    private enum Field { case data, id, meta, source, stream, time, type }

    /// The pieces, in the canonical order of the format, with `value` writing each field's
    /// value (an absent id: nothing; the time: its text, without quotes) into room for about
    /// `capacity` bytes.
    private init(id: String?, stream: String, expectedVersion: Int64?, capacity: Int, value: (inout JSONWriter, Field) -> Void) {
        self.id = id
        self.stream = stream
        var hasher = Hasher()
        var name = stream
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        streamHash = hasher.finalize()
        self.expectedVersion = expectedVersion
        var w = JSONWriter(capacity: capacity)
        w.raw("{\"data\":")
        value(&w, .data)
        w.raw(",\"id\":")
        value(&w, .id)
        idEnd = w.bytes.count
        w.raw(",\"meta\":")
        value(&w, .meta)
        w.raw(",\"position\":")
        positionAt = w.bytes.count
        w.raw(",\"source\":")
        value(&w, .source)
        w.raw(",\"stream\":")
        value(&w, .stream)
        w.raw(",\"time\":\"")
        value(&w, .time)
        w.raw("\",\"type\":")
        value(&w, .type)
        w.raw(",\"version\":")
        pieces = w.bytes
    }

    /// Whether `other`, which has the same id, records the same fact (`events.md`): equal
    /// `stream`, `type`, `source`, instant, and `data` and `meta` as JSON values. Canonical bytes
    /// are equal exactly then: numbers are in one form per value, strings keep their bytes.
    func sameFact(as other: PreparedEvent) -> Bool {
        idEnd == other.idEnd && positionAt == other.positionAt && pieces == other.pieces
    }

    /// The size of this event's record at most, hash included, given `recorded`.
    func recordBytes(recorded: [UInt8]) -> Int {
        32 + pieces.count + (id == nil ? 38 : 0) + 2 * 20 + EventCodec.recordedKey.count + recorded.count + 2
    }
}
