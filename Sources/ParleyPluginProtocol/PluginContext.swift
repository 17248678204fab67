public import ParleyModel

/// What a handler may use while it runs: its name, its configuration, and the daemon's log.
public final class PluginContext {
    /// The plugin's configured name; use it as the `source` of emitted events.
    public let name: String
    /// The `config` object of the daemon's hello.
    public let config: JSONObject
    private let transport: any LineTransport
    /// Lines logged before the plugin's hello went out: the daemon takes anything else first for
    /// a broken plugin, so they wait for it (a handler's `start` may well log).
    private var held: [String]? = []

    init(name: String, config: JSONObject, transport: any LineTransport) {
        self.name = name
        self.config = config
        self.transport = transport
    }

    /// Sends a line to the daemon's log.
    public func log(_ level: PluginLogLevel, _ message: String) {
        let line = PluginMessage.log(level: level, message: message).line
        if held != nil { held!.append(line) } else { transport.write(line: line) }
    }

    /// The hello is out: sends what was logged before it, then logs as it comes.
    func helloSent() {
        for line in held ?? [] { transport.write(line: line) }
        held = nil
    }

    /// What was logged before a start that failed, for standard error.
    func heldLines() -> [String] { held ?? [] }

    /// The name as an event `source`: the name when it is a valid source token, else `fallback`.
    public func source(or fallback: String) -> String {
        let valid = !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
        return valid ? name : fallback
    }
}
