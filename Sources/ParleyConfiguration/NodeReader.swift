import ParleyModel
import Yams

/// Reads typed values out of a composed YAML document, naming the file, the line and the key
/// in every error.
struct NodeReader {
    /// The file, for messages.
    var path: String

    /// The resolved tag of `node` (`tag:yaml.org,2002:int`, …).
    static func tag(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.rawValue) }

    /// Whether `node` is YAML's null (`~`, `null`, or a key with nothing after it): the key's
    /// default applies.
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return Self.tag(node) == .null
    }

    /// `path line N: key` for errors about `node`.
    func place(_ node: Node, _ key: String) -> String {
        let line = node.mark.map { " line \($0.line)" } ?? ""
        return key.isEmpty ? "\(path)\(line)" : "\(path)\(line): \(key)"
    }

    /// A mapping whose keys are all among `keys`.
    func mapping(_ node: Node, at key: String, keys: Set<String>) throws(ConfigurationError) -> [String: Node] {
        var result: [String: Node] = [:]
        for (k, v) in try pairs(node, at: key) {
            let full = key.isEmpty ? k : "\(key).\(k)"
            guard keys.contains(k) else {
                throw ConfigurationError(at: place(v, full), "is not a known key (known here: \(keys.sorted().joined(separator: ", ")))")
            }
            result[k] = v
        }
        return result
    }

    /// The pairs of a mapping with string keys, refusing duplicate keys.
    func pairs(_ node: Node, at key: String) throws(ConfigurationError) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(at: place(node, key.isEmpty ? "the top level" : key), "must be a mapping of keys to values")
        }
        var seen: Set<String> = []
        var result: [(String, Node)] = []
        for (k, v) in mapping {
            guard case .scalar(let scalar) = k else {
                throw ConfigurationError(at: place(k, key), "has a key that is not a string")
            }
            let full = key.isEmpty ? scalar.string : "\(key).\(scalar.string)"
            guard seen.insert(scalar.string).inserted else {
                throw ConfigurationError(at: place(k, full), "is given twice")
            }
            result.append((scalar.string, v))
        }
        return result
    }

    /// The items of a sequence.
    func sequence(_ node: Node, at key: String) throws(ConfigurationError) -> [Node] {
        if isNull(node) { return [] }  // `tokens:` with nothing after it: none
        guard case .sequence(let items) = node else {
            throw ConfigurationError(at: place(node, key), "must be a list")
        }
        return Array(items)
    }

    /// A string scalar (a plain number or boolean is refused: quote it).
    func string(_ node: Node, at key: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigurationError(at: place(node, key), "must be a string")
        }
        if scalar.style == .plain, Self.tag(node) != .str {
            throw ConfigurationError(at: place(node, key), "must be a string; quote \(scalar.string)")
        }
        return scalar.string
    }

    /// A plain integer scalar.
    func int(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, Self.tag(node) == .int else { return nil }
        return node.int
    }

    /// A plain number scalar.
    func number(_ node: Node) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return nil }
        switch Self.tag(node) {
        case .int: return node.int.map(Double.init)
        case .float: return node.float
        default: return nil
        }
    }

    /// Any YAML value as JSON: mappings with string keys, sequences, and scalars by their tag.
    func json(_ node: Node, at key: String) throws(ConfigurationError) -> JSONValue {
        switch node {
        case .mapping:
            var object: JSONObject = [:]
            for (k, v) in try pairs(node, at: key) { object[k] = try json(v, at: "\(key).\(k)") }
            return .object(object)
        case .sequence(let items):
            var array: [JSONValue] = []
            for (i, item) in items.enumerated() { array.append(try json(item, at: "\(key)[\(i)]")) }
            return .array(array)
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            switch Self.tag(node) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float:
                guard let d = node.float, d.isFinite else {
                    throw ConfigurationError(at: place(node, key), "\(scalar.string) is not a finite number")
                }
                return JSONValue.number(d)
            default: return .string(scalar.string)
            }
        case .alias:
            throw ConfigurationError(at: place(node, key), "uses a YAML alias; write the value out")
        }
    }
}
