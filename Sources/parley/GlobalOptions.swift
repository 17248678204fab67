import ArgumentParser
import Foundation
import ParleyLog

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (default: $PARLEY_DATA, else ./parley-data).")
    var data: String?

    @Flag(name: .long, help: "Print one JSON document instead of text for people.")
    var json = false

    @Option(name: .long, help: "Work through a running parleyd at this URL (default: $PARLEY_SERVER).")
    var server: String?

    @Option(name: .long, help: "The bearer token for --server (default: $PARLEY_TOKEN).")
    var token: String?

    /// The daemon to work through, when one is named.
    func remote() throws -> RemoteLog? {
        let environment = ProcessInfo.processInfo.environment
        guard let server = server ?? environment["PARLEY_SERVER"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        return try RemoteLog(server: server, token: token ?? environment["PARLEY_TOKEN"])
    }

    /// The data directory in force.
    var dataDirectory: String {
        data ?? ProcessInfo.processInfo.environment["PARLEY_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./parley-data"
    }

    /// Opens the log; `create` for commands that write.
    /// The log of the data directory; without `create`, a missing directory is an error, and
    /// an existing empty one (a fresh `mktemp -d`, say) is an empty log.
    func openLog(create: Bool) throws -> EventLog {
        let empty = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory))?.isEmpty ?? false
        do { return try EventLog(directory: dataDirectory, create: create || empty) } catch {
            throw CommandFailure(message: error.message)
        }
    }
}

/// Standard output, written in large chunks.
struct Output {
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func write(bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }
    static func line(_ text: String) { write(text + "\n") }
    static var isTerminal: Bool { isatty(2) != 0 }
}
