public import ParleyModel

/// What a handler may use while it runs: its name, its configuration, and the daemon's log.
public final class PluginContext {
    /// The plugin's configured name; use it as the `source` of emitted events.
    public let name: String
    /// The `config` object of the daemon's hello.
    public let config: JSONObject
    private let transport: any LineTransport

    init(name: String, config: JSONObject, transport: any LineTransport) {
        self.name = name
        self.config = config
        self.transport = transport
    }

    /// Sends a line to the daemon's log.
    public func log(_ level: PluginLogLevel, _ message: String) {
        transport.write(line: PluginMessage.log(level: level, message: message).line)
    }

    /// The name as an event `source`: the name when it is a valid source token, else `fallback`.
    public func source(or fallback: String) -> String {
        let valid = !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
        return valid ? name : fallback
    }
}
