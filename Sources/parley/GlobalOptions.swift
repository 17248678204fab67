import ArgumentParser
import Foundation
import ParleyLog

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (default: $PARLEY_DATA, else ./parley-data).")
    var data: String?

    @Flag(name: .long, help: "Print one JSON document instead of text for people.")
    var json = false

    /// The data directory in force.
    var dataDirectory: String {
        data ?? ProcessInfo.processInfo.environment["PARLEY_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./parley-data"
    }

    /// The log of the data directory, `create` for commands that write; without `create`, a missing directory is an error, and
    /// an existing empty one (a fresh `mktemp -d`, say) is an empty log.
    func openLog(create: Bool) throws -> EventLog {
        let empty = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory))?.isEmpty ?? false
        do { return try EventLog(directory: dataDirectory, create: create || empty) } catch {
            throw CommandFailure(message: error.message)
        }
    }
}

/// The daemon to work through instead of the data directory: taken by the commands the HTTP
/// API has routes for, and hidden in the help of the others, which refuse it.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Work through a running parleyd at this URL (default: $PARLEY_SERVER).")
    var server: String?

    @Option(name: .long, help: "The bearer token for --server (default: $PARLEY_TOKEN).")
    var token: String?

    /// The daemon named: `--server`, else `PARLEY_SERVER` unless `--data` is given, as a data
    /// directory named on the command line means more than a server named in the environment
    /// (`parley stats --data backup` with `PARLEY_SERVER` exported reads the backup).
    private func named(_ globals: GlobalOptions) -> (url: String, byOption: Bool)? {
        if let server { return (server, true) }
        guard globals.data == nil, let server = ProcessInfo.processInfo.environment["PARLEY_SERVER"], !server.isEmpty else { return nil }
        return (server, false)
    }

    /// The daemon to work through, when one is named.
    func remote(_ globals: GlobalOptions) throws -> RemoteLog? {
        guard let server = named(globals)?.url else { return nil }
        return try RemoteLog(server: server, token: token ?? ProcessInfo.processInfo.environment["PARLEY_TOKEN"])
    }

    /// Refuses a named daemon for `command`, which the HTTP API has no route for: it would
    /// otherwise read the local data directory and print its figures as if they were the server's.
    func refuse(for command: String, _ globals: GlobalOptions) throws {
        guard let named = named(globals) else { return }
        let message = named.byOption
            ? "parley \(command) reads a data directory, not a server: drop --server and give --data DIR"
            : "parley \(command) reads a data directory, not a server (PARLEY_SERVER is set): give --data DIR, or unset PARLEY_SERVER"
        throw CommandFailure(message: message, status: 2)
    }
}

/// Standard output, written in large chunks.
struct Output {
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func write(bytes: [UInt8]) { FileHandle.standardOutput.write(Data(bytes)) }
    static func line(_ text: String) { write(text + "\n") }
    static var isTerminal: Bool { isatty(2) != 0 }
}
