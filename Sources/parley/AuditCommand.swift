import ArgumentParser
import Foundation
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

/// `parley audit`: checks the log and replays the views.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the log's integrity; replay the views.",
        subcommands: [Verify.self, Replay.self])

    /// `parley audit verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain and every index against the events; exit 1 naming the first bad position.")

        @OptionGroup var globals: GlobalOptions
        @OptionGroup(visibility: .hidden) var daemon: ServerOptions

        func run() throws {
            try daemon.refuse(for: "audit verify", globals)
            CrashedReading.install(directory: globals.dataDirectory, json: globals.json)
            let log: EventLog
            do { log = try globals.openLog(create: false) } catch let failure as CommandFailure {
                // A file that cannot even be opened fails the audit like any other damage.
                if globals.json { Output.line(JSONWriter.string(["ok": false, "error": .string(failure.message)])) }
                throw CommandFailure(message: "audit failed: \(failure.message)", status: failure.status)
            }
            let result: Result<AuditReport, AuditFailure>
            do { result = try log.verify { CrashedReading.position = $0 } } catch {
                // LMDB noticed the damage itself (a page that is not where it should be).
                result = .failure(AuditFailure(
                    position: CrashedReading.position > 0 ? CrashedReading.position : nil,
                    message: "the log's data file is damaged: \(error.message)"))
            }
            CrashedReading.part = .views
            CrashedReading.position = 0
            // The stored views against the log: the index entries, then every view's digest
            // against a replay from the log alone, at the position the index is caught up to.
            var viewFailure: AuditFailure?
            var checkpoint: UInt64 = 0
            // On read-only media, an index stored there is checked as it stands (none: nothing stored to check).
            if case .success = result, ViewIndex.isAvailable(beside: log) {
                do {
                    let index = try ViewIndex(log: log)
                    checkpoint = try index.checkpoint()
                    viewFailure = try ViewAudit.verifyIndex(index)
                    if viewFailure == nil {
                        let now = Instant.now
                        let stored = ViewAudit.digests(of: try index.views(asOf: now, atPosition: checkpoint), asOf: now)
                        let replayed = ViewAudit.digests(of: try ViewAudit.replay(log, asOf: now, atPosition: checkpoint), asOf: now)
                        if let bad = zip(stored, replayed).first(where: { $0.digest != $1.digest }) {
                            viewFailure = AuditFailure(position: nil, message: "the stored \(bad.0.view) view differs from a replay of the log")
                        }
                    }
                    // The stored state of the live views, when there is one, against a replay
                    // up to the position it covers.
                    if viewFailure == nil, let snapshot = try index.snapshot() {
                        let now = Instant.now
                        let stored = ViewAudit.digests(of: snapshot.views, asOf: now)
                        let replayed = ViewAudit.digests(of: try ViewAudit.replay(log, asOf: now, atPosition: snapshot.position), asOf: now)
                        if let bad = zip(stored, replayed).first(where: { $0.digest != $1.digest }) {
                            viewFailure = AuditFailure(
                                position: snapshot.position,
                                message: "the stored snapshot of the \(bad.0.view) view differs from a replay of the log")
                        }
                    } else if viewFailure == nil, try index.snapshotPosition() > checkpoint {
                        viewFailure = AuditFailure(position: nil, message: "the stored snapshot of the views is past the index's checkpoint")
                    }
                } catch {
                    if globals.json { Output.line(JSONWriter.string(["ok": false, "error": .string(error.message)])) }
                    throw CommandFailure(message: error.message)
                }
            }
            switch result {
            case .success(let report) where viewFailure != nil:
                if globals.json {
                    var o: JSONObject = ["ok": false, "error": .string(viewFailure!.message), "events": .int(Int64(report.events))]
                    if let p = viewFailure!.position { o["position"] = .int(Int64(p)) }
                    Output.line(JSONWriter.string(.object(o)))
                }
                throw CommandFailure(message: "audit failed at \(viewFailure!)")
            case .success(let report):
                if globals.json {
                    Output.line(JSONWriter.string(["ok": true, "events": .int(Int64(report.events)), "streams": .int(Int64(report.streams)), "head_hash": .string(report.headHash), "views_position": .int(Int64(checkpoint))]))
                } else {
                    Output.line("ok: \(report.events) events in \(report.streams) streams; hash chain and indexes agree (head \(report.headHash)); stored views equal a replay up to position \(checkpoint)")
                }
            case .failure(let failure):
                if globals.json {
                    var o: JSONObject = ["ok": false, "error": .string(failure.message)]
                    if let p = failure.position { o["position"] = .int(Int64(p)) }
                    Output.line(JSONWriter.string(.object(o)))
                }
                throw CommandFailure(message: "audit failed at \(failure)")
            }
        }
    }

    /// `parley audit replay`.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Rebuild every view from the log alone in a scratch space and print a digest of each.")

        @OptionGroup var globals: GlobalOptions
        @OptionGroup(visibility: .hidden) var daemon: ServerOptions
        @Option(name: .customLong("at-position"), parsing: .unconditional, help: "Only events with position ≤ P.", transform: wholeNumber)
        var atPosition: UInt64?
        @Option(name: .customLong("as-of"), help: "The instant (RFC 3339; default the time of the latest event replayed, so that the same log gives the same digests).") var asOf: String?

        func run() throws {
            try daemon.refuse(for: "audit replay", globals)
            let asked = try instant(asOf, option: "--as-of")
            let log = try globals.openLog(create: false)
            let digests: [(view: String, digest: String)]
            let t: Instant
            do {
                let replayed = try ViewAudit.replay(log, asOf: asked, atPosition: atPosition)
                t = replayed.asOf
                digests = ViewAudit.digests(of: replayed.views, asOf: t)
            } catch {
                throw CommandFailure(message: error.message)
            }
            if globals.json {
                var views: JSONObject = [:]
                for d in digests { views[d.view] = .string(d.digest) }
                var o: JSONObject = ["as_of": .string(t.rfc3339), "views": .object(views)]
                if let atPosition { o["at_position"] = .int(Int64(atPosition)) }
                Output.line(JSONWriter.string(.object(o)))
            } else {
                for d in digests { Output.line(d.view.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + d.digest) }
            }
        }
    }
}
