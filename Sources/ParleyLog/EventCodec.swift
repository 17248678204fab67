public import ParleyModel
internal import Crypto

/// The canonical bytes of a stored event and its link in the hash chain.
///
/// **Canonical encoding, format 1** (never changes for format 1): the event as compact JSON (no
/// white space) with exactly the keys `data`, `id`, `meta`, `position`, `recorded`, `source`,
/// `stream`, `time`, `type`, `version`, in that (bytewise) order; objects inside `data` and `meta`
/// with keys in bytewise order; strings with only `"`, `\` and U+0000–U+001F escaped (as `\"`,
/// `\\`, `\b \f \n \r \t` or `\u00xx`), everything else as UTF-8; numbers that are integers of
/// magnitude below 2^53 as integers, others in shortest round-trip form; instants as
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
        w.raw("{\"data\":")
        w.write(.object(event.data))
        w.raw(",\"id\":")
        w.write(string: event.id)
        w.raw(",\"meta\":")
        w.write(.object(event.meta))
        w.raw(",\"position\":")
        w.write(integer: Int64(event.position))
        w.raw(",\"recorded\":\"")
        w.bytes.append(contentsOf: recorded)
        w.raw("\",\"source\":")
        w.write(string: event.source)
        w.raw(",\"stream\":")
        w.write(string: event.stream)
        w.raw(",\"time\":\"")
        event.time.write(into: &w.bytes)
        w.raw("\",\"type\":")
        w.write(string: event.type)
        w.raw(",\"version\":")
        w.write(integer: Int64(event.version))
        w.raw("}")
        return w.bytes
    }

    /// Decodes canonical bytes back into an event.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(LogError) -> Event {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes.bindMemory(to: UInt8.self)) } catch {
            throw LogError(code: .corrupted, message: "a stored event is not valid JSON: \(error)")
        }
        guard case .object(let o) = json,
            let position = o["position"]?.intValue, let version = o["version"]?.intValue,
            let recordedText = o["recorded"]?.stringValue, let recorded = try? Instant(rfc3339: recordedText),
            let id = o["id"]?.stringValue, let stream = o["stream"]?.stringValue, let type = o["type"]?.stringValue,
            let timeText = o["time"]?.stringValue, let time = try? Instant(rfc3339: timeText),
            let source = o["source"]?.stringValue, let data = o["data"]?.objectValue, let meta = o["meta"]?.objectValue,
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
