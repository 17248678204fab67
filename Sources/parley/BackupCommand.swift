import ArgumentParser
import ParleyLog
import ParleyModel

/// `parley backup`: a consistent, compacted copy while writers go on.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Write a consistent, compacted copy of the data directory to DEST.")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup(visibility: .hidden) var daemon: ServerOptions
    @Argument(help: "An empty or new directory.") var destination: String

    func run() throws {
        try daemon.refuse(for: "backup", globals)
        let log = try globals.openLog(create: false)
        do { try log.backup(to: destination) } catch { throw CommandFailure(message: error.message) }
        let copy = try? EventLog(directory: destination, create: false).stats()
        if globals.json {
            Output.line(JSONWriter.string(["destination": .string(destination), "events": .int(Int64(copy?.events ?? 0)), "bytes": .int(Int64(copy?.bytes ?? 0))]))
        } else {
            Output.line("backed up \(copy?.events ?? 0) events to \(destination) (\(copy?.bytes ?? 0) bytes)")
        }
    }
}
