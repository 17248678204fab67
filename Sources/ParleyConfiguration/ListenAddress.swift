/// A `HOST:PORT` to listen on (`[::1]:7420` for IPv6; port 0 picks a free port).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// `127.0.0.1:7420`.
    public static let `default` = ListenAddress(host: "127.0.0.1", port: 7420)

    /// A host and a port.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`.
    ///
    /// - Throws: ``ConfigurationError`` naming `source` when the text is not `HOST:PORT`.
    public init(parsing text: String, source: String) throws(ConfigurationError) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfigurationError(at: source, "\"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:7420)") }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfigurationError(at: source, "\"\(text)\" is not HOST:PORT (e.g. 127.0.0.1:7420)")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw ConfigurationError(at: source, "\"\(text)\" has no host (e.g. 127.0.0.1:7420)") }
        guard let number = Int(port), (0...65535).contains(number) else {
            throw ConfigurationError(at: source, "\"\(text)\" has no port from 0 to 65535")
        }
        self.init(host: String(host), port: number)
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
