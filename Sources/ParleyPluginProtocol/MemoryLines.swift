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

    /// Takes the first line of ``input``.
    public func readLine() -> String? {
        input.isEmpty ? nil : input.removeFirst()
    }

    /// Appends `line` to ``output`` and calls ``onWrite``.
    public func write(line: String) {
        output.append(line)
        onWrite?(line, self)
    }
}
