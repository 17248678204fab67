import Foundation
import ParleyModel
import Yams

/// A YAML document (JSON is YAML too) as a JSON value, for reading the daemon's configuration.
enum YAMLDocument {
    /// Why a document cannot be read.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `bytes` as YAML and converts the tree; mappings need string keys.
    static func json(_ bytes: Data) throws -> JSONValue {
        guard let text = String(data: bytes, encoding: .utf8) else { throw Failure(description: "it is not UTF-8") }
        guard let node = try Yams.compose(yaml: text) else { return .object([:]) }
        return try convert(node, path: "")
    }

    private static func convert(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.string == "~" || scalar.string == "null" || scalar.string.isEmpty { return .null }
                if let b = Bool.construct(from: scalar) { return .bool(b) }
                if let i = Int.construct(from: scalar) { return .int(Int64(i)) }
                if let d = Double.construct(from: scalar), d.isFinite { return JSONValue.number(d) }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.enumerated().map { try convert($0.element, path: "\(path)[\($0.offset)]") })
        case .mapping(let mapping):
            var object: JSONObject = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw Failure(description: "\(path.isEmpty ? "the document" : path) has a key that is not a string") }
                object[name] = try convert(value, path: path.isEmpty ? name : "\(path).\(name)")
            }
            return .object(object)
        case .alias:
            throw Failure(description: "\(path): YAML aliases are not supported")
        }
    }
}
