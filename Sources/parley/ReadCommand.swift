import ArgumentParser
import ParleyLog
import ParleyModel

/// `parley read`: prints events as JSON Lines with the fields the log adds.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Print events as JSON Lines, with position, version, recorded and hash.")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    @Option(parsing: .unconditional, help: "The first position to print.", transform: wholeNumber) var from: UInt64 = 1
    @Option(parsing: .unconditional, help: "How many events to print at most.", transform: wholeNumber) var limit: Int?
    @Option(help: "Only the events of this stream, in version order.") var stream: String?
    @Option(help: "Only events of this type.") var type: String?

    func run() throws {
        if let remote = try daemon.remote(globals) {
            var query = ["from": String(from)]
            query["limit"] = limit.map(String.init)
            query["stream"] = stream
            query["type"] = type
            let response = try remote.send("GET", "/v1/events", query: query)
            guard response.status == 200 else { throw remote.failure(response) }
            Output.write(bytes: Array(response.body))
            return
        }
        let log = try globals.openLog(create: false)
        let limit = self.limit ?? .max
        guard limit > 0 else { return }
        var writer = LineWriter(limit: limit, type: type)
        let failure: LogError?
        do throws(LogError) {
            if let stream {
                for position in try log.positions(ofStream: stream) where position >= from && !writer.full {
                    try log.scan(from: position) { stored throws(LogError) in
                        _ = try writer.take(stored)
                        return false
                    }
                }
            } else {
                try log.scan(from: from) { stored throws(LogError) in try writer.take(stored) }
            }
            failure = nil
        } catch {
            failure = error
        }
        writer.flush()
        if let failure { throw CommandFailure(message: failure.message) }
    }
}

/// Buffers JSON lines for standard output.
private struct LineWriter {
    var limit: Int
    var type: String?
    var printed = 0
    var out: [UInt8] = []

    var full: Bool { printed >= limit }

    /// Writes `stored` when it matches; returns whether more are wanted.
    mutating func take(_ stored: StoredEventBytes) throws(LogError) -> Bool {
        if let type, try stored.decode().type != type { return !full }
        stored.jsonLine(into: &out)
        printed += 1
        if out.count > 1 << 20 { flush() }
        return !full
    }

    mutating func flush() {
        Output.write(bytes: out)
        out.removeAll(keepingCapacity: true)
    }
}
