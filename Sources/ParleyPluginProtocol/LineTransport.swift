import Foundation

/// Where a plugin's protocol lines come from and go to.
///
/// The runtime reads with ``readLine()`` until it returns `nil` (end of input) and writes one
/// complete line per ``write(line:)``.
public protocol LineTransport: AnyObject {
    /// The next line without its newline, or `nil` at end of input.
    func readLine() -> String?
    /// Writes `line` and a newline, and flushes, so that the other side sees it at once.
    func write(line: String)
}

/// The plugin's stdin and stdout: the transport of a plugin the daemon started.
public final class StandardLines: LineTransport {
    /// Creates the transport over this process's stdin and stdout.
    public init() {}

    /// The next line of stdin, without its newline; `nil` at end of input.
    public func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }

    /// Writes `line` and a newline to stdout in one unbuffered write.
    public func write(line: String) {
        var bytes = Data(line.utf8)
        bytes.append(0x0A)
        // A write error means the daemon is gone; reading stdin will then end the loop.
        try? FileHandle.standardOutput.write(contentsOf: bytes)
    }
}
