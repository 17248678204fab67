import ArgumentParser
import Foundation
import ParleyDemo
import ParleyModel

/// `parley demo`: a synthetic brand community as JSON Lines.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Print a realistic synthetic brand community as JSON Lines (pipe it into `parley import -`).")

    @Option(help: "The seed: the same seed gives the same community.") var seed: UInt64 = 7
    @Option(help: "Days of activity.") var days = 90
    @Option(help: "Members.") var members = 300
    @Option(help: "The last instant (RFC 3339; default today 00:00 UTC, so that the views are current).") var until: String?

    func run() throws {
        let now = Instant.now.microseconds
        let today = now - now % 86_400_000_000
        let end = try instant(until, option: "--until") ?? Instant(microseconds: today)
        guard days >= 1, members >= 10 else { throw CommandFailure(message: "--days must be ≥ 1 and --members ≥ 10", status: 2) }
        var demo = DemoCommunity(seed: seed, until: end, days: days, members: members)
        var out: [UInt8] = []
        for event in demo.generate() {
            out += JSONWriter.encode(event.json)
            out.append(0x0A)
        }
        Output.write(bytes: out)
    }
}
