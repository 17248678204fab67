import ArgumentParser
import ParleyLog
import ParleyModel

/// `parley audit`: checks the log and replays the views.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the log's integrity; replay the views.",
        subcommands: [Verify.self])

    /// `parley audit verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain and every index against the events; exit 1 naming the first bad position.")

        @OptionGroup var globals: GlobalOptions

        func run() throws {
            let log = try globals.openLog(create: false)
            let result: Result<AuditReport, AuditFailure>
            do { result = try log.verify() } catch { throw CommandFailure(message: error.message) }
            switch result {
            case .success(let report):
                if globals.json {
                    Output.line(JSONWriter.string(["ok": true, "events": .int(Int64(report.events)), "streams": .int(Int64(report.streams)), "head_hash": .string(report.headHash)]))
                } else {
                    Output.line("ok: \(report.events) events in \(report.streams) streams; hash chain and indexes agree (head \(report.headHash))")
                }
            case .failure(let failure):
                if globals.json {
                    var o: [String: JSONValue] = ["ok": false, "error": .string(failure.message)]
                    if let p = failure.position { o["position"] = .int(Int64(p)) }
                    Output.line(JSONWriter.string(.object(o)))
                }
                throw CommandFailure(message: "audit failed at \(failure)")
            }
        }
    }
}
