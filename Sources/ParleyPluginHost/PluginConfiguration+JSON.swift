public import ParleyModel

extension PluginConfiguration {
    /// The keys of one entry of the `plugins:` list.
    public static let entryKeys: Set<String> = ["name", "command", "env", "config", "from", "tick_s"]

    /// Reads one entry of the `plugins:` list of the configuration file (`surfaces.md`), parsed
    /// into JSON values (the daemon's YAML reader and the CLI's JSON reader both give these).
    ///
    /// - Parameters:
    ///   - entry: the entry.
    ///   - index: its place in the list, for error messages.
    /// - Throws: ``PluginHostError`` naming the entry and the key at fault, e.g.
    ///   `plugins[1]: key "comand" is unknown`.
    public init(entry: JSONValue, index: Int) throws(PluginHostError) {
        let at = "plugins[\(index)]"
        guard let o = entry.objectValue else { throw PluginHostError("\(at) must be an object, got \(entry.typeName)") }
        for key in o.keys.sorted() where !Self.entryKeys.contains(key) {
            throw PluginHostError("\(at): key \"\(key)\" is unknown (known keys: \(Self.entryKeys.sorted().joined(separator: ", ")))")
        }
        guard let name = o["name"]?.stringValue, !name.isEmpty else { throw PluginHostError("\(at): key \"name\" must be a non-empty string") }
        let at2 = "\(at) (\(name))"
        var command: [String] = []
        if let given = o["command"], !given.isNull {
            guard let commandValue = given.arrayValue, !commandValue.isEmpty else {
                throw PluginHostError("\(at2): key \"command\" must be a non-empty array of strings (argv)")
            }
            for (i, part) in commandValue.enumerated() {
                guard let s = part.stringValue else { throw PluginHostError("\(at2): command[\(i)] must be a string, got \(part.typeName)") }
                command.append(s)
            }
        } else {
            do { command = try PluginExecutable.defaultCommand(of: name) } catch { throw PluginHostError("\(at2): \(error.message)") }
        }
        var environment: [String: String] = [:]
        if let env = o["env"], !env.isNull {
            guard let envObject = env.objectValue else { throw PluginHostError("\(at2): key \"env\" must be an object of strings") }
            for (key, value) in envObject {
                guard let s = value.stringValue else { throw PluginHostError("\(at2): env \"\(key)\" must be a string, got \(value.typeName)") }
                environment[key] = s
            }
        }
        var config: JSONObject = [:]
        if let c = o["config"], !c.isNull {
            guard let object = c.objectValue else { throw PluginHostError("\(at2): key \"config\" must be an object, got \(c.typeName)") }
            config = object
        }
        var from: UInt64 = 0
        if let f = o["from"], !f.isNull {
            guard let i = f.intValue, i >= 0 else { throw PluginHostError("\(at2): key \"from\" must be a position ≥ 0") }
            from = UInt64(i)
        }
        var tick: Double?
        if let t = o["tick_s"], !t.isNull {
            guard let d = t.doubleValue, d > 0 else { throw PluginHostError("\(at2): key \"tick_s\" must be a number of seconds > 0") }
            tick = d
        }
        self.init(name: name, command: command, environment: environment, config: config, from: from, tickSeconds: tick)
    }

    /// Reads the `plugins:` list of a configuration document (other top-level keys are the
    /// daemon's and are not checked here).
    ///
    /// - Throws: ``PluginHostError`` naming the entry and key at fault, or a repeated name.
    public static func list(fromDocument document: JSONValue) throws(PluginHostError) -> [PluginConfiguration] {
        guard let root = document.objectValue else { throw PluginHostError("the configuration must be an object, got \(document.typeName)") }
        guard let plugins = root["plugins"], !plugins.isNull else { return [] }
        guard let entries = plugins.arrayValue else { throw PluginHostError("key \"plugins\" must be a list, got \(plugins.typeName)") }
        var result: [PluginConfiguration] = []
        for (i, entry) in entries.enumerated() {
            let c = try PluginConfiguration(entry: entry, index: i)
            if result.contains(where: { $0.name == c.name }) { throw PluginHostError("plugins[\(i)]: the name \"\(c.name)\" is used twice") }
            result.append(c)
        }
        return result
    }
}
