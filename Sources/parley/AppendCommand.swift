import ArgumentParser
import ParleyLog
import ParleyModel

/// `parley append`: appends one event given by flags.
struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "append", abstract: "Append one event; prints its position.")

    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    @Option(help: "The stream, e.g. ticket:gh-42.") var stream: String
    @Option(help: "The event type, e.g. ticket.opened.") var type: String
    @Option(help: "When it happened (RFC 3339 with a zone).") var time: String
    // Every occurrence, so that data given twice (`--data '{…}'` becomes `--event-data`) is
    // refused rather than the last one silently taken.
    @Option(name: .customLong("event-data"), help: "The data object, as JSON (also accepted as --data '{…}').") var data: [String] = []
    @Option(help: "A unique id (default: a random UUID).") var id: String?
    @Option(name: .customLong("expected-version"), parsing: .unconditional, help: "0: the stream must not exist; N: it must be at version N.", transform: wholeNumber)
    var expectedVersion: Int64?
    @Option(help: "Where it came from (default api).") var source: String?
    @Option(help: "The meta object, as JSON.") var meta: String?

    func run() throws {
        var object: JSONObject = ["stream": .string(stream), "type": .string(type), "time": .string(time)]
        guard data.count <= 1 else {
            throw CommandFailure(message: "append takes the event's data once, got it \(data.count) times: --data '{…}' and --event-data are the same option", status: 2)
        }
        guard let data = data.first else {
            throw CommandFailure(message: "append needs the event's data: --data '{…}' (a JSON object)", status: 2)
        }
        object["data"] = try parseJSON(data, option: "--data")
        if let meta { object["meta"] = try parseJSON(meta, option: "--meta") }
        if let id { object["id"] = .string(id) }
        if let source { object["source"] = .string(source) }
        if let expectedVersion { object["expected_version"] = .int(expectedVersion) }
        let event: NewEvent
        do { event = try NewEvent(json: .object(object)) } catch {
            throw CommandFailure(message: "invalid event: \(error)")
        }
        let position: UInt64
        let duplicate: Bool?
        if let remote = try daemon.remote(globals) {
            let report = try remote.appendReport([event.json])
            position = report.positions[0]
            duplicate = report.appended.map { $0 == 0 }
        } else {
            let log = try globals.openLog(create: true)
            let outcome: AppendOutcome
            do { outcome = try log.append([event]) } catch { throw CommandFailure(message: error.message) }
            position = outcome.positions[0]
            duplicate = outcome.duplicates == 1
        }
        if globals.json {
            var answer: JSONObject = ["position": .int(Int64(position))]
            answer["duplicate"] = duplicate.map(JSONValue.bool)
            Output.line(JSONWriter.string(.object(answer)))
        } else {
            Output.line(String(position))
        }
    }
}

/// Parses the JSON text of option `option`, or fails naming it.
func parseJSON(_ text: String, option: String) throws -> JSONValue {
    do { return try JSONParser.parse(text) } catch {
        throw CommandFailure(message: "\(option) is not valid JSON: \(error)")
    }
}

/// Reads a numeric option's value, a whole number ≥ 0. Such options take their value with
/// `parsing: .unconditional`: a value such as `-1` reaches this and is refused for what it is,
/// where ArgumentParser would take it for an option and say the value is missing.
func wholeNumber<N: FixedWidthInteger>(_ text: String) throws -> N {
    guard let n = N(text), n >= 0 else {
        let tooLarge = !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber)
        throw NotAWholeNumber(description: tooLarge ? "it must be at most \(N.max)" : "it must be a whole number ≥ 0")
    }
    return n
}

/// Why ``wholeNumber(_:)`` refused a value; ArgumentParser shows the description after the
/// option it names.
struct NotAWholeNumber: Error, CustomStringConvertible {
    var description: String
}

/// Parses the RFC 3339 text of option `option`, or fails naming it as bad usage (exit 2); nil
/// when not given.
func instant(_ text: String?, option: String) throws -> Instant? {
    guard let text else { return nil }
    do { return try Instant(rfc3339: text) } catch { throw CommandFailure(message: "\(option): \(error)", status: 2) }
}
