import ArgumentParser
import Foundation
import ParleyModel

/// `parley`: writes and reads the event log, queries the views, audits and backs up.
@main
struct Parley: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parley",
        abstract: "Parley's command line: the event log, the views, audits and backups.",
        discussion: """
            Every command but demo takes --data DIR (default: $PARLEY_DATA, else ./parley-data) and \
            --json (one JSON document instead of text for people). append, import, read, policy and the \
            views also work through a running parleyd: --server URL --token T (default: $PARLEY_SERVER, \
            $PARLEY_TOKEN). These options may also stand before the command's name.

            Errors are one sentence on stderr, with exit status 1 (2 for bad usage).
            """,
        subcommands: [
            AppendCommand.self, ImportCommand.self, ReadCommand.self, AuditCommand.self,
            SupportCommand.self, CommunityCommand.self, ContentCommand.self, ProductCommand.self, PolicyCommand.self,
            StatsCommand.self, BackupCommand.self, BenchCommand.self, DemoCommand.self, PluginCommand.self,
        ]
    )

    /// Parses and runs a command; errors print one line on stderr and exit 1 (2 for bad usage).
    static func main() async {
        if let refusal = invalidArgument(commandLineBytes()) {
            FileHandle.standardError.write(Data("parley: \(refusal)\n".utf8))
            Foundation.exit(2)
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((usageLine(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("parley: \(error.message)\n".utf8))
            Foundation.exit(error.status)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            // Help and usage errors that surface while running (subcommand help).
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            if code == .validationFailure {
                FileHandle.standardError.write(Data((usageLine(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            FileHandle.standardError.write(Data("parley: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}

extension ParsableCommand {
    /// Bad usage as one line on stderr (`surfaces.md`: one sentence naming the input at fault):
    /// ArgumentParser's message, then the help that explains the command.
    static func usageLine(for error: any Error) -> String {
        let full = fullMessage(for: error, columns: 10_000)
        let help = full.range(of: "See '").flatMap { start in
            full[start.upperBound...].firstIndex(of: "'").map { String(full[start.upperBound..<$0]) }
        }
        let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\(configuration.commandName ?? "parley"): \(message)" + (help.map { " (see '\($0)')" } ?? "")
    }
}

/// Resolves the spec's two meanings of `--data`: a value that is a JSON object is an event's
/// data (`parley append --data '{…}'`), and so is, for `append`, any JSON value that is not an
/// existing path; any other value is the data directory. Options every
/// command takes (`--data DIR`, `--json`) may also stand before the subcommand.
func normalizedArguments(_ arguments: [String]) -> [String] {
    /// Options every command takes, with a value; they may stand before the subcommand.
    let globalsWithValue: Set<String> = ["--server", "--token"]
    var result: [String] = []
    var trailing: [String] = []
    var index = 0
    var seenCommand = false
    // `append` takes the event's data: any JSON value that names no existing path is meant as
    // that (and refused there unless it is an object) rather than as the data directory.
    let isAppend = arguments.contains("append")
    func looksLikeEventData(_ value: String) -> Bool {
        (try? JSONParser.parse(value)) != nil && !FileManager.default.fileExists(atPath: value)
    }
    while index < arguments.count {
        let argument = arguments[index]
        var value: String?
        var consumed = 1
        if argument == "--data", index + 1 < arguments.count {
            value = arguments[index + 1]
            consumed = 2
        } else if argument.hasPrefix("--data=") {
            value = String(argument.dropFirst("--data=".count))
        }
        if let value {
            if value.drop(while: \.isWhitespace).hasPrefix("{") || (isAppend && looksLikeEventData(value)) {
                result += ["--event-data", value]
            } else {
                trailing += ["--data", value]
            }
        } else if !seenCommand, argument == "--json" {
            trailing.append(argument)
        } else if !seenCommand, globalsWithValue.contains(argument), index + 1 < arguments.count {
            trailing += [argument, arguments[index + 1]]
            consumed = 2
        } else if !seenCommand, let name = globalsWithValue.first(where: { argument.hasPrefix($0 + "=") }) {
            trailing += [name, String(argument.dropFirst(name.count + 1))]
        } else {
            if !argument.hasPrefix("-") { seenCommand = true }
            result.append(argument)
        }
        index += consumed
    }
    return result + trailing
}

/// The arguments after the program's name, as the bytes the process was given:
/// `CommandLine.arguments` has already replaced what is not UTF-8 with U+FFFD.
func commandLineBytes() -> [[UInt8]] {
    (1..<Int(CommandLine.argc)).map { index in
        guard let argument = CommandLine.unsafeArgv[index] else { return [] }
        return Array(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
    }
}

/// The sentence refusing the first argument that is not valid UTF-8, naming it by its index
/// (from 1, after `parley`) and the option it follows or carries; nil when all are valid.
/// `events.md`: bytes that are not valid UTF-8 are an error, and taken lossily they would be
/// stored as U+FFFD.
func invalidArgument(_ arguments: [[UInt8]]) -> String? {
    guard let index = arguments.firstIndex(where: { String(validating: $0, as: UTF8.self) == nil }) else { return nil }
    let bytes = arguments[index]
    // Printable ASCII as it is, any other byte as \xNN: the sentence itself stays UTF-8.
    let shown = bytes.map { byte in
        guard byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\\") else { return String(UnicodeScalar(byte)) }
        return "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }.joined()
    var place = ""
    if bytes.starts(with: Array("--".utf8)), let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
        place = " (the value of \(String(decoding: bytes[..<equals], as: UTF8.self)))"
    } else if index > 0, let previous = String(validating: arguments[index - 1], as: UTF8.self), previous.hasPrefix("-") {
        place = " (after \(previous))"
    }
    return "argument \(index + 1)\(place) is not valid UTF-8: \"\(shown)\""
}

/// A failure to report as one sentence with an exit status (1: the input or the data is at
/// fault; 2: bad usage).
struct CommandFailure: Error {
    var message: String
    var status: Int32 = 1
    /// The event of a batch the failure is about, when a daemon named it (its index from 0;
    /// `message` then does not repeat it): `import` names the line instead.
    var event: Int?
}
