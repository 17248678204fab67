#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension NewEvent {
    /// The top-level fields an input event may carry: the envelope, plus the four the log adds
    /// (accepted and ignored, so that `parley read` output can be imported elsewhere).
    enum EnvelopeField: Int, CaseIterable {
        case id, stream, type, time, source, expectedVersion, data, meta, addedByLog

        /// The field named `key`.
        init?(_ key: String) {
            var key = key
            guard let field = key.withUTF8({ EnvelopeField(utf8: $0) }) else { return nil }
            self = field
        }

        /// The field named by the UTF-8 bytes `k`, told apart by length and bytes.
        init?(utf8 k: UnsafeBufferPointer<UInt8>) {
            func is_(_ name: StaticString) -> Bool {
                memcmp(k.baseAddress!, name.utf8Start, name.utf8CodeUnitCount) == 0
            }
            let field: EnvelopeField?
            switch k.count {
            case 2: field = is_("id") ? .id : nil
            case 4:
                field = is_("type") ? .type : is_("time") ? .time : is_("data") ? .data : is_("meta") ? .meta
                    : is_("hash") ? .addedByLog : nil
            case 6: field = is_("stream") ? .stream : is_("source") ? .source : nil
            case 7: field = is_("version") ? .addedByLog : nil
            case 8: field = is_("position") || is_("recorded") ? .addedByLog : nil
            case 16: field = is_("expected_version") ? .expectedVersion : nil
            default: field = nil
            }
            guard let field else { return nil }
            self = field
        }
    }

    /// Reads and validates an envelope and its vocabulary (`events.md`).
    ///
    /// - Throws: ``EventValidationError`` naming the first field at fault.
    public init(json: JSONValue) throws(EventValidationError) {
        guard case .object(let o) = json else {
            throw EventValidationError(field: "", "an event must be a JSON object, got \(json.typeName)")
        }
        // One walk over the members, in bytewise key order: the first unknown one is the one
        // to name.
        var fields = [JSONValue?](repeating: nil, count: EnvelopeField.allCases.count)
        for (key, value) in o {
            guard let field = EnvelopeField(key) else {
                throw EventValidationError(field: key, "is not an envelope field (allowed: id, stream, type, time, source, expected_version, data, meta)")
            }
            fields[field.rawValue] = value
        }
        func string(_ field: EnvelopeField, _ key: String, required: Bool) throws(EventValidationError) -> String? {
            switch fields[field.rawValue] {
            case nil, .null?:
                if required { throw EventValidationError(field: key, "is required") }
                return nil
            case .string(let s)?: return s
            case let v?: throw EventValidationError(field: key, "must be a string, got \(v.typeName)")
            }
        }
        let id = try string(.id, "id", required: false)
        let stream = try string(.stream, "stream", required: true)!
        let type = try string(.type, "type", required: true)!
        let timeText = try string(.time, "time", required: true)!
        let source = try string(.source, "source", required: false) ?? "api"
        let time: Instant
        do { time = try Instant(rfc3339: timeText) } catch {
            throw EventValidationError(field: "time", "is not an RFC 3339 time with a zone offset: \"\(timeText)\" (\(error.reason))")
        }
        var expected: Int64?
        switch fields[EnvelopeField.expectedVersion.rawValue] {
        case nil, .null?: expected = nil
        case let v?:
            guard let i = v.intValue, i >= 0 else {
                throw EventValidationError(field: "expected_version", "must be an integer ≥ 0")
            }
            expected = i
        }
        let dataValue = fields[EnvelopeField.data.rawValue]
        guard case .object(let data)? = dataValue else {
            throw EventValidationError(field: "data", dataValue == nil ? "is required" : "must be a JSON object, got \(dataValue!.typeName)")
        }
        var meta: JSONObject = [:]
        switch fields[EnvelopeField.meta.rawValue] {
        case nil, .null?: break
        case .object(let m)?: meta = m
        case let v?: throw EventValidationError(field: "meta", "must be a JSON object, got \(v.typeName)")
        }
        self.init(id: id, stream: stream, type: type, time: time, source: source, expectedVersion: expected, data: data, meta: meta)
        try validate()
    }

    /// Checks the envelope's rules and the vocabulary of `events.md`.
    public func validate() throws(EventValidationError) {
        if let id { try Self.checkName(id, field: "id", maxBytes: 128) }
        try Self.checkName(stream, field: "stream", maxBytes: 256)
        try Self.checkToken(type, field: "type")
        try Self.checkToken(source, field: "source")
        if let expectedVersion, expectedVersion < 0 {
            throw EventValidationError(field: "expected_version", "must be an integer ≥ 0")
        }
        try Vocabulary.validate(type: type, data: data)
    }

    static func checkName(_ s: String, field: String, maxBytes: Int) throws(EventValidationError) {
        let n = s.utf8.count
        guard n >= 1, n <= maxBytes else {
            throw EventValidationError(field: field, "must be 1–\(maxBytes) bytes of UTF-8, got \(n)")
        }
        // Printable ASCII, the common case, needs no decoding.
        if allBytes(of: s, { $0 >= 0x20 && $0 < 0x7F }) { return }
        for scalar in s.unicodeScalars where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            throw EventValidationError(field: field, "must not contain control characters (U+\(String(repeating: "0", count: 4 - hex.count) + hex))")
        }
    }

    static func checkToken(_ s: String, field: String) throws(EventValidationError) {
        let n = s.utf8.count
        guard n >= 1, n <= 64, allBytes(of: s, isTokenByte) else {
            throw EventValidationError(field: field, "must be 1–64 characters of [a-z0-9_.-], got \"\(s)\"")
        }
    }

    /// Whether every UTF-8 byte of `s` satisfies `test`, read from its contiguous bytes when it
    /// has them (the UTF-8 view's iterator is several times slower on short strings).
    private static func allBytes(of s: String, _ test: (UInt8) -> Bool) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(test) } ?? s.utf8.allSatisfy(test)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2E || b == 0x2D
    }
}

extension Event {
    /// The event as JSON, with the fields the log adds; `hash` when given.
    public func json(hash: String? = nil) -> JSONValue {
        var o: JSONObject = [
            "position": .int(Int64(position)), "version": .int(Int64(version)),
            "recorded": .string(recorded.rfc3339), "id": .string(id), "stream": .string(stream),
            "type": .string(type), "time": .string(time.rfc3339), "source": .string(source),
            "data": .object(data), "meta": .object(meta),
        ]
        if let hash { o["hash"] = .string(hash) }
        return .object(o)
    }
}

extension NewEvent {
    /// The envelope as JSON, as `parley import` reads it.
    public var json: JSONValue {
        var o: JSONObject = [
            "stream": .string(stream), "type": .string(type), "time": .string(time.rfc3339), "data": .object(data),
        ]
        if let id { o["id"] = .string(id) }
        if source != "api" { o["source"] = .string(source) }
        if let expectedVersion { o["expected_version"] = .int(expectedVersion) }
        if !meta.isEmpty { o["meta"] = .object(meta) }
        return .object(o)
    }
}
