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

    public func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }

    public func write(line: String) {
        var bytes = Data(line.utf8)
        bytes.append(0x0A)
        // A write error means the daemon is gone; reading stdin will then end the loop.
        try? FileHandle.standardOutput.write(contentsOf: bytes)
    }
}

/// Lines in memory: a transport for tests and for running a handler inside another program.
public final class MemoryLines: LineTransport {
    /// The lines still to be read.
    public var input: [String]
    /// The lines written so far.
    public private(set) var output: [String] = []
    /// Called for every line written (e.g. to answer `emit`s by adding lines to ``input``).
    public var onWrite: ((String, MemoryLines) -> Void)?

    /// Creates a transport that reads `input` and collects the output.
    public init(input: [String] = [], onWrite: ((String, MemoryLines) -> Void)? = nil) {
        self.input = input
        self.onWrite = onWrite
    }

    public func readLine() -> String? {
        input.isEmpty ? nil : input.removeFirst()
    }

    public func write(line: String) {
        output.append(line)
        onWrite?(line, self)
    }
}
