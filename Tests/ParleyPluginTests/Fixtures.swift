import Foundation
import ParleyModel

/// The payload files under `Tests/ParleyPluginTests/Fixtures` (see its SOURCE.md).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The raw bytes of `path` (e.g. `"github-webhooks/issues/opened.payload.json"`).
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }

    /// The paths (relative to the fixtures directory) of every `.json` file under `folder`.
    static func all(in folder: String) throws -> [String] {
        let root = directory.appendingPathComponent(folder)
        let names = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }

    /// The fixture parsed as JSON.
    static func json(_ path: String) throws -> JSONValue {
        try JSONParser.parse(try bytes(path))
    }

    /// A GitHub payload, optionally changed by `edit` (re-encoded canonically when edited).
    static func github(_ path: String, edit: ((inout JSONObject) -> Void)? = nil) throws -> [UInt8] {
        try variant("github-webhooks/\(path)", edit: edit)
    }

    /// A Telegram update, optionally changed by `edit`.
    static func telegram(_ name: String, edit: ((inout JSONObject) -> Void)? = nil) throws -> [UInt8] {
        try variant("telegram-nutgram-updates/\(name).json", edit: edit)
    }

    private static func variant(_ path: String, edit: ((inout JSONObject) -> Void)?) throws -> [UInt8] {
        let raw = try bytes(path)
        guard let edit else { return raw }
        guard case .object(var o) = try JSONParser.parse(raw) else { throw PluginProcessError(description: "\(path) is not an object") }
        edit(&o)
        return JSONWriter.encode(.object(o))
    }
}

extension JSONObject {
    /// Sets the value at a dotted `path` of nested objects, creating none (the objects must exist).
    mutating func set(_ path: String, _ value: JSONValue) {
        let keys = path.split(separator: ".").map(String.init)
        func assign(_ object: inout JSONObject, _ keys: ArraySlice<String>) {
            guard let first = keys.first else { return }
            if keys.count == 1 { object[first] = value; return }
            guard case .object(var inner)? = object[first] else { return }
            assign(&inner, keys.dropFirst())
            object[first] = .object(inner)
        }
        assign(&self, keys[...])
    }
}
