import ArgumentParser
import ParleyLog
import ParleyModel
import ParleyProjections

/// `parley policy set|show`.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Set a policy (a policy.set event); show the policies in force.",
        subcommands: [Set.self, Show.self])

    /// `parley policy set NAME JSON [--time T]`.
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Append a policy.set event; prints its position.")
        @OptionGroup var globals: GlobalOptions
        @OptionGroup var daemon: ServerOptions
        @Argument(help: "sla, community, content or product.") var name: String
        @Argument(help: "The whole policy as a JSON object (missing fields take their defaults).") var value: String
        @Option(help: "When it takes effect (RFC 3339; default now).") var time: String?

        func run() throws {
            let json = try parseJSON(value, option: "the policy value")
            let when = try instant(time, option: "--time") ?? .now
            let event = NewEvent(stream: "policy:\(name)", type: "policy.set", time: when, source: "cli", data: ["name": .string(name), "value": json])
            do { try event.validate() } catch { throw CommandFailure(message: "invalid policy: \(error)") }
            if let remote = try daemon.remote(globals) {
                let position = try remote.append([event.json])[0]
                Output.line(globals.json ? JSONWriter.string(["position": .int(Int64(position))]) : String(position))
                return
            }
            let log = try globals.openLog(create: true)
            let outcome: AppendOutcome
            do { outcome = try log.append([event]) } catch { throw CommandFailure(message: error.message) }
            Output.line(globals.json ? JSONWriter.string(["position": .int(Int64(outcome.positions[0]))]) : String(outcome.positions[0]))
        }
    }

    /// `parley policy show [--as-of T]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the four policies in force (defaults filled in).")
        @OptionGroup var globals: GlobalOptions
        @OptionGroup var daemon: ServerOptions
        @Option(name: .customLong("as-of"), help: "The instant (RFC 3339; default now).") var asOf: String?

        func run() throws {
            let t = try instant(asOf, option: "--as-of") ?? .now
            // The policy timeline holds every policy.set; the ones in force at t are those of
            // time ≤ t.
            let timeline: PolicyTimeline
            if let remote = try daemon.remote(globals) {
                timeline = Self.timeline(of: try remote.events(ofType: "policy.set"))
            } else {
                let log = try globals.openLog(create: false)
                do {
                    if log.isReadOnly {
                        // On read-only media, where no views can be stored: the log's policy.set events.
                        timeline = Self.timeline(of: try log.read(type: "policy.set"))
                    } else {
                        let live = try LiveViews(restoring: ViewIndex(log: log))
                        try live.refresh()
                        timeline = live.policies
                        _ = try? live.persist(minimumGap: LiveViews.commandLineGap)
                    }
                } catch { throw CommandFailure(message: error.message) }
            }
            let policies = timeline.inForce(at: t).json
            if globals.json {
                Output.line(JSONWriter.string(policies))
            } else {
                for name in PolicySet.names { Output.line("\(name): \(JSONWriter.string(policies[name]!))") }
            }
        }

        /// The timeline of `policy.set` events taken in as the stored views take them: in
        /// (time, position) order, the order of the view index, so that a server's events
        /// give what the data directory gives.
        static func timeline(of events: [Event]) -> PolicyTimeline {
            var timeline = PolicyTimeline()
            for event in events.sorted(by: { ($0.time, $0.position) < ($1.time, $1.position) }) { timeline.record(event) }
            return timeline
        }
    }
}
