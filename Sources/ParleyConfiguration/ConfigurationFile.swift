import ParleyModel
public import ParleyPluginHost
import Yams

/// The YAML configuration file of `surfaces.md`: `listen`, `data`, `tokens`, `plugins`. Unknown
/// keys, bad scopes, duplicate names and values of the wrong type are refused with the key named.
public struct ConfigurationFile: Sendable {
    /// `listen`, when the file sets it.
    public var listen: ListenAddress?
    /// `data`, when the file sets it.
    public var data: String?
    /// `tokens`.
    public var tokens: [TokenSpec] = []
    /// `plugins`.
    public var plugins: [PluginConfiguration] = []

    /// An empty file: every key at its default.
    public init() {}

    /// Parses the YAML text of the file at `path` (`path` only names it in errors).
    ///
    /// - Throws: ``ConfigurationError`` naming the file, the line and the key at fault.
    public init(yaml text: String, path: String) throws(ConfigurationError) {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigurationError(at: path, "is not valid YAML: \(Self.describe(error))")
        }
        guard let root else { return }  // an empty file
        let reader = NodeReader(path: path)
        let top = try reader.mapping(root, at: "", keys: ["listen", "data", "tokens", "plugins"])
        if let node = top["listen"], !reader.isNull(node) {
            listen = try ListenAddress(parsing: try reader.string(node, at: "listen"), source: reader.place(node, "listen"))
        }
        if let node = top["data"], !reader.isNull(node) {
            let value = try reader.string(node, at: "data")
            guard !value.isEmpty else { throw ConfigurationError(at: reader.place(node, "data"), "must not be empty") }
            data = value
        }
        if let node = top["tokens"] {
            for (index, item) in try reader.sequence(node, at: "tokens").enumerated() {
                let token = try Self.token(item, at: "tokens[\(index)]", defaultName: "token-\(index + 1)", reader: reader)
                if tokens.contains(where: { $0.name == token.name }) {
                    throw ConfigurationError(at: reader.place(item, "tokens[\(index)].name"), "a token named \"\(token.name)\" is already configured; token names must be unique")
                }
                // A request names its token by the secret alone: the second could never be used.
                if let earlier = tokens.first(where: { $0.secretDigest == token.secretDigest }) {
                    throw ConfigurationError(at: reader.place(item, "tokens[\(index)]"), "token \"\(token.name)\" has the same secret as token \"\(earlier.name)\"; every token needs a secret of its own")
                }
                tokens.append(token)
            }
        }
        if let node = top["plugins"] {
            for (index, item) in try reader.sequence(node, at: "plugins").enumerated() {
                let plugin = try Self.plugin(item, at: "plugins[\(index)]", reader: reader)
                if plugins.contains(where: { $0.name == plugin.name }) {
                    throw ConfigurationError(at: reader.place(item, "plugins[\(index)].name"), "a plugin named \"\(plugin.name)\" is already configured; plugin names must be unique")
                }
                plugins.append(plugin)
            }
        }
    }

    /// One entry of `tokens:`; without a name it is `defaultName` (`token-1`, `token-2`, … by
    /// its place in the list).
    private static func token(_ node: Node, at key: String, defaultName: String, reader: NodeReader) throws(ConfigurationError) -> TokenSpec {
        let o = try reader.mapping(node, at: key, keys: ["name", "secret", "secret_sha256", "scopes", "streams"])
        var name = defaultName
        if let nameNode = o["name"], !reader.isNull(nameNode) {
            name = try reader.string(nameNode, at: "\(key).name")
            guard !name.isEmpty else { throw ConfigurationError(at: reader.place(nameNode, "\(key).name"), "must not be empty") }
        }
        let digest: [UInt8]
        switch (o["secret"], o["secret_sha256"]) {
        case (let s?, nil):
            let secret = try reader.string(s, at: "\(key).secret")
            guard !secret.isEmpty else {
                throw ConfigurationError(at: reader.place(s, "\(key).secret"), "of token \"\(name)\" must not be empty")
            }
            digest = TokenSpec(name: name, secret: secret, scopes: []).secretDigest
        case (nil, let h?):
            let hex = try reader.string(h, at: "\(key).secret_sha256").lowercased()
            guard hex.utf8.count == 64, let bytes = Self.bytes(hex: hex) else {
                throw ConfigurationError(at: reader.place(h, "\(key).secret_sha256"), "of token \"\(name)\" must be 64 hex digits (the SHA-256 of the secret)")
            }
            digest = bytes
        case (nil, nil):
            throw ConfigurationError(at: reader.place(node, key), "token \"\(name)\" needs secret_sha256 (or secret)")
        case (_?, _?):
            throw ConfigurationError(at: reader.place(node, key), "token \"\(name)\" has both secret and secret_sha256; give one")
        }
        // Every key has a default: a token without scopes appends and reads, as the example does.
        guard let scopesNode = o["scopes"], !reader.isNull(scopesNode) else {
            return TokenSpec(name: name, secretDigest: digest, scopes: Self.defaultScopes, streams: try streams(o, at: key, reader: reader))
        }
        var scopes: Set<Scope> = []
        for (i, s) in try reader.sequence(scopesNode, at: "\(key).scopes").enumerated() {
            let text = try reader.string(s, at: "\(key).scopes[\(i)]")
            guard let scope = Scope(rawValue: text) else {
                throw ConfigurationError(at: reader.place(s, "\(key).scopes[\(i)]"), "\"\(text)\" is not a scope (append, read, admin)")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else { throw ConfigurationError(at: reader.place(scopesNode, "\(key).scopes"), "token \"\(name)\" has no scopes (append, read, admin)") }
        return TokenSpec(name: name, secretDigest: digest, scopes: scopes, streams: try streams(o, at: key, reader: reader))
    }

    /// The scopes of a token whose entry gives none.
    static let defaultScopes: Set<Scope> = [.append, .read]

    /// The stream prefixes of a token entry (`nil`: any stream).
    private static func streams(_ o: [String: Node], at key: String, reader: NodeReader) throws(ConfigurationError) -> [String]? {
        guard let streamsNode = o["streams"], !reader.isNull(streamsNode) else { return nil }
        return try reader.sequence(streamsNode, at: "\(key).streams").enumerated().map { (i, s) throws(ConfigurationError) in
            let prefix = try reader.string(s, at: "\(key).streams[\(i)]")
            guard !prefix.isEmpty else { throw ConfigurationError(at: reader.place(s, "\(key).streams[\(i)]"), "a stream prefix must not be empty") }
            return prefix
        }
    }

    private static func plugin(_ node: Node, at key: String, reader: NodeReader) throws(ConfigurationError) -> PluginConfiguration {
        let o = try reader.mapping(node, at: key, keys: ["name", "command", "env", "config", "from", "tick_s"])
        guard let nameNode = o["name"] else { throw ConfigurationError(at: reader.place(node, key), "has no name") }
        let name = try reader.string(nameNode, at: "\(key).name")
        guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }) else {
            throw ConfigurationError(at: reader.place(nameNode, "\(key).name"), "\"\(name)\" must be 1–64 characters of [a-z0-9_-]")
        }
        let command: [String]
        if let commandNode = o["command"], !reader.isNull(commandNode) {
            command = try reader.sequence(commandNode, at: "\(key).command").enumerated().map { (i, c) throws(ConfigurationError) in
                try reader.string(c, at: "\(key).command[\(i)]")
            }
            guard let executable = command.first, !executable.isEmpty else {
                throw ConfigurationError(at: reader.place(commandNode, "\(key).command"), "plugin \"\(name)\" needs a command: an array whose first string is the executable")
            }
        } else {
            // By default, the plugin's own executable: parley-plugin-NAME beside parleyd or on PATH.
            do { command = try PluginExecutable.defaultCommand(of: name) } catch {
                throw ConfigurationError(at: reader.place(node, key), error.message)
            }
        }
        var env: [String: String] = [:]
        if let envNode = o["env"] {
            for (k, v) in try reader.pairs(envNode, at: "\(key).env") { env[k] = try reader.string(v, at: "\(key).env.\(k)") }
        }
        var config: JSONObject = [:]
        if let configNode = o["config"] {
            guard case .object(let object) = try reader.json(configNode, at: "\(key).config") else {
                throw ConfigurationError(at: reader.place(configNode, "\(key).config"), "must be a mapping (handed to the plugin as a JSON object)")
            }
            config = object
        }
        var from: UInt64 = 0
        if let fromNode = o["from"] {
            guard let n = reader.int(fromNode), n >= 0 else {
                throw ConfigurationError(at: reader.place(fromNode, "\(key).from"), "must be a position, a whole number ≥ 0")
            }
            from = UInt64(n)
        }
        var tick: Double?
        if let tickNode = o["tick_s"] {
            guard let t = reader.number(tickNode), t > 0 else {
                throw ConfigurationError(at: reader.place(tickNode, "\(key).tick_s"), "must be a number of seconds > 0")
            }
            tick = t
        }
        return PluginConfiguration(name: name, command: command, environment: env, config: config, from: from, tickSeconds: tick)
    }

    static func bytes(hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | v); high = nil } else { high = v }
        }
        return high == nil ? bytes : nil
    }

    static func describe(_ error: any Error) -> String {
        if let yaml = error as? YamlError {
            switch yaml {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                return "line \(mark.line): \(problem)"
            case .duplicatedKeysInMapping(let duplicates, _):
                return "duplicate key \(duplicates.joined(separator: ", "))"
            default: return "\(yaml)"
            }
        }
        return "\(error)"
    }
}
