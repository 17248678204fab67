import ArgumentParser
import ParleyLog
import ParleyModel

/// `parley bench`: throughput figures on a scratch directory.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure append, import, scan and query throughput on a scratch directory.")

    @OptionGroup var globals: GlobalOptions

    func run() throws {
        throw CommandFailure(message: "bench is not built yet")
    }
}
