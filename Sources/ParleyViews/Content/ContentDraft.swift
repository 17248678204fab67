import ParleyModel

/// A post not yet published, as `parley content check` reads it: a `post.published` event or its
/// bare `data`, validated like the vocabulary.
struct ContentDraft {
    /// The draft's `data`, with `author` filled in as `brand` when absent.
    var data: JSONObject
    /// When it would be published: the event's `time`, or T for bare data.
    var time: Instant

    /// Reads `draft`, timing bare data at `asOf`.
    ///
    /// - Throws: ``ViewQueryError`` naming the draft field at fault (`draft.type`,
    ///   `draft.data.kind`, `draft.kind`, …).
    init(_ draft: JSONValue, asOf: Instant) throws(ViewQueryError) {
        guard case .object(let object) = draft else {
            throw ViewQueryError(parameter: "draft", "must be a JSON object (a post.published event or its data), got \(draft.typeName)")
        }
        let prefix: String
        if object["type"] != nil || object["data"] != nil {
            guard let type = object["type"]?.stringValue, type == "post.published" else {
                let got = object["type"].map { JSONWriter.string($0) } ?? "nothing"
                throw ViewQueryError(parameter: "draft.type", "must be \"post.published\", got \(got)")
            }
            guard case .object(let d)? = object["data"] else {
                throw ViewQueryError(parameter: "draft.data", "must be the post's data object")
            }
            data = d
            switch object["time"] {
            case nil, .null?:
                time = asOf
            case .string(let text)?:
                do { time = try Instant(rfc3339: text) } catch {
                    throw ViewQueryError(parameter: "draft.time", "is not an RFC 3339 time with a zone offset: \"\(text)\"")
                }
            case let v?:
                throw ViewQueryError(parameter: "draft.time", "must be a string, got \(v.typeName)")
            }
            prefix = "draft.data."
        } else {
            data = object
            time = asOf
            prefix = "draft."
        }
        if data["author"] == nil || data["author"] == .null { data["author"] = "brand" }
        do {
            try Vocabulary.validate(type: "post.published", data: data)
        } catch {
            let field = error.field.hasPrefix("data.") ? String(error.field.dropFirst(5)) : error.field
            throw ViewQueryError(parameter: prefix + field, error.reason)
        }
    }

    var post: String { data["post"]?.stringValue ?? "" }
    var author: String { data["author"]?.stringValue ?? "brand" }
    var kind: String { data["kind"]?.stringValue ?? "" }
    var format: String? { data["format"]?.stringValue }
    var nextStep: String { data["next_step"]?.stringValue ?? "none" }
    var adLabel: Bool { data["ad_label"]?.boolValue ?? false }
    var captions: Bool { data["captions"]?.boolValue ?? false }
    var links: [String] { (data["links"]?.arrayValue ?? []).compactMap(\.stringValue) }
    var text: String? { data["text"]?.stringValue }

    /// Whether `link` has a `utm_source` query parameter, empty or not (`?utm_source=`,
    /// `?a=1&utm_source`); the fragment after `#` is not part of the query.
    static func hasUTMSource(_ link: String) -> Bool {
        let beforeFragment = link.prefix { $0 != "#" }
        guard let mark = beforeFragment.firstIndex(of: "?") else { return false }
        let query = beforeFragment[beforeFragment.index(after: mark)...]
        return query.split(separator: "&").contains { parameter in
            parameter.prefix { $0 != "=" } == "utm_source"
        }
    }

    /// The policy's stop words found in `text`, compared lower-cased as substrings (an empty
    /// word is a substring of any text).
    static func stopWords(_ words: [String], in text: String) -> [String] {
        let hay = Array(text.lowercased().unicodeScalars)
        return words.filter { contains(hay, Array($0.lowercased().unicodeScalars)) }
    }

    /// Whether `needle` occurs in `hay`, comparing Unicode scalars (no locale, no normalization).
    static func contains(_ hay: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard needle.count <= hay.count else { return false }
        guard !needle.isEmpty else { return true }
        outer: for start in 0...(hay.count - needle.count) {
            for j in 0..<needle.count where hay[start + j] != needle[j] { continue outer }
            return true
        }
        return false
    }
}
