import ArgumentParser
import Foundation
import ParleyLog
import ParleyModel
import ParleyProjections
import ParleyViews

/// Options every view query takes (`views.md`, "Common rules").
struct ViewOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: "Answer as of this instant (RFC 3339; default now).") var asOf: String?
    // Unconditional, so that `-1` reaches the query's check of a position rather than being
    // taken for an option.
    @Option(name: .customLong("at-position"), parsing: .unconditional, help: "Only events with position ≤ P: what the log knew then.")
    var atPosition: String?
    @Option(help: "Window start, exclusive (RFC 3339; support and content queries).") var from: String?
    @Option(help: "Window end, inclusive (RFC 3339; default the as-of instant; support and content queries).") var to: String?
    @Option(help: "ISO week, e.g. 2026-W10 (community heroes only; default: the week holding the as-of instant).") var week: String?
    @Option(help: "A JSON file {name: policy} used instead of the log's policies (a what-if).") var policy: String?

    /// The query parameters, named as the HTTP API names them.
    var parameters: [String: String] {
        var parameters: [String: String] = [:]
        parameters["as_of"] = asOf
        parameters["at_position"] = atPosition
        parameters["from"] = from
        parameters["to"] = to
        parameters["week"] = week
        return parameters
    }

    /// The CLI option of query parameter `name` (`as_of` is `--as-of`); other inputs (`draft…`)
    /// keep their names.
    static func option(named name: String) -> String {
        ["as_of", "at_position", "from", "to", "week"].contains(name) ? "--" + name.replacingOccurrences(of: "_", with: "-") : name
    }

    /// The parsed request for query `name`.
    func request(_ name: ViewQueryName) throws -> ViewRequest {
        var request: ViewRequest
        do {
            request = try ViewRequest(name: name, parameters: parameters, label: Self.option(named:))
        } catch {
            // An option's value that cannot be read, or an option the query does not take.
            throw CommandFailure(message: error.description, status: 2)
        }
        if let policy {
            guard let data = FileManager.default.contents(atPath: policy) else {
                throw CommandFailure(message: "--policy: cannot read \(policy)")
            }
            do { request.policyOverrides = try ViewRequest.policyOverrides(json: Array(data), source: "--policy \(policy)") } catch {
                throw CommandFailure(message: error.description)
            }
        }
        return request
    }
}

/// What the four view commands share: pick the query, load the stored views (``LiveViews``) and
/// bring them up to the log, answer, print, store the views when they changed.
protocol ViewCommand: ParsableCommand {
    static var view: String { get }
    var query: String { get }
    var globals: GlobalOptions { get }
    var daemon: ServerOptions { get }
    var options: ViewOptions { get }
}

extension ViewCommand {
    /// The queries of this view, for messages.
    static var queries: [String] {
        ViewQueryName.allCases.map(\.rawValue).filter { $0.hasPrefix(view + "/") }.map { String($0.dropFirst(view.count + 1)) }
    }

    /// Answers `query` with `draft` (for `content check`) and prints it; returns the answer
    /// (`nil` when it was printed as JSON straight from its bytes: `--json`, other than
    /// `content check`, whose caller reads the answer).
    @discardableResult
    func answer(draft: JSONValue? = nil) throws -> JSONValue? {
        guard let name = ViewQueryName(view: Self.view, query: query) else {
            throw CommandFailure(message: "\"\(query)\" is not a query of \(Self.view) (one of: \(Self.queries.joined(separator: ", ")))", status: 2)
        }
        var request = try options.request(name)
        request.draft = draft
        if let remote = try daemon.remote(globals) {
            let json = try remote.view(name.rawValue, query: options.parameters, draft: draft, policy: request.policyOverrides)
            Output.write(globals.json ? JSONWriter.string(json) + "\n" : name.render(json))
            return json
        }
        let log = try globals.openLog(create: false)
        let bytesOnly = globals.json && name != .contentCheck
        var json: JSONValue?
        var bytes: [UInt8]?
        var live: LiveViews?
        do {
            if log.isReadOnly {
                // On read-only media no index can be kept: a replay of the log alone.
                json = try ViewAudit.answer(request, replaying: log)
            } else {
                let index = try ViewIndex(log: log)
                try index.catchUp()
                if request.atPosition != nil {
                    // What the log knew at P: the index, reduced up to P.
                    json = try index.answer(request)
                } else if let (views, q) = try index.viewsFromSnapshot(request, catchingUp: LiveViews.commandLineGap) {
                    // The stored state holds every indexed event but a few: only the view asked is
                    // read, and only it takes in the few.
                    if bytesOnly {
                        bytes = try views.encodedAnswer(name, q, draft: draft)
                    } else {
                        json = try views.answer(name, q, draft: draft)
                    }
                    keepUntilExit(views)
                } else {
                    // The stored state of the views, brought up to the log's head.
                    let views = try LiveViews(restoring: index)
                    try views.refresh()
                    if bytesOnly { bytes = try views.encodedAnswer(request) } else { json = try views.answer(request) }
                    live = views
                }
            }
        } catch var error as ViewQueryError {
            error.parameter = ViewOptions.option(named: error.parameter)
            // An option's value is bad usage; a draft's or a policy file's content, bad input.
            throw CommandFailure(message: error.description, status: error.parameter.hasPrefix("--") ? 2 : 1)
        } catch let error as LogError {
            throw CommandFailure(message: error.message)
        } catch let error as EventValidationError {
            throw CommandFailure(message: "--policy: \(error)")
        }
        if globals.json {
            var out = bytes ?? json.map { JSONWriter.encode($0) } ?? []
            out.append(0x0A)
            Output.write(bytes: out)
        } else if let json {
            Output.write(name.render(json))
        }
        // The state is a cache of the index: a process that cannot store it still answered. A
        // few new events are cheaper to apply again next time than 20+ MB to store now.
        _ = try? live?.persist(minimumGap: LiveViews.commandLineGap)
        if let live { keepUntilExit(live) }
        return json
    }
}

/// `parley support sla|tickets|backlog`.
struct SupportCommand: ViewCommand {
    static let view = "support"
    static let configuration = CommandConfiguration(
        commandName: "support", abstract: "Tickets, first response against the SLA in working hours, backlog (sla, tickets, backlog).")
    @Argument(help: "sla, tickets or backlog.") var query: String
    @OptionGroup var options: ViewOptions
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    func run() throws { try answer() }
}

/// `parley community summary|members|heroes`.
struct CommunityCommand: ViewCommand {
    static let view = "community"
    static let configuration = CommandConfiguration(
        commandName: "community", abstract: "Members, roles, returns, UGC, flags and heroes (summary, members, heroes).")
    @Argument(help: "summary, members or heroes.") var query: String
    @OptionGroup var options: ViewOptions
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    func run() throws { try answer() }
}

/// `parley content mix|check DRAFT.json`.
struct ContentCommand: ViewCommand {
    static let view = "content"
    static let configuration = CommandConfiguration(
        commandName: "content", abstract: "Content mix against targets (mix); lint a draft before publishing (check DRAFT.json; exit 1 if a check fails).")
    @Argument(help: "mix, or check.") var query: String
    @Argument(help: "For check: the draft, a post.published event or its data (JSON file, - for stdin).") var draft: String?
    @OptionGroup var options: ViewOptions
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions

    func run() throws {
        var draftJSON: JSONValue?
        if query == "check" {
            guard let draft else { throw CommandFailure(message: "content check needs a draft file (a post.published event or its data)", status: 2) }
            let data = draft == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: draft)
            guard let data else { throw CommandFailure(message: "cannot read the draft \(draft)") }
            do { draftJSON = try JSONParser.parse(Array(data)) } catch {
                throw CommandFailure(message: "the draft \(draft) is not valid JSON: \(error)")
            }
        } else if draft != nil {
            throw CommandFailure(message: "content \(query) takes no file argument", status: 2)
        }
        let json = try answer(draft: draftJSON)
        if query == "check", json?["ok"] == .bool(false) { throw ExitCode(1) }
    }
}

/// `parley product ideas|matrix|loop|proposals`.
struct ProductCommand: ViewCommand {
    static let view = "product"
    static let configuration = CommandConfiguration(
        commandName: "product", abstract: "Ideas, votes, the impact/cost matrix, closing the loop, proposals (ideas, matrix, loop, proposals).")
    @Argument(help: "ideas, matrix, loop or proposals.") var query: String
    @OptionGroup var options: ViewOptions
    @OptionGroup var globals: GlobalOptions
    @OptionGroup var daemon: ServerOptions
    func run() throws { try answer() }
}

/// Keeps `value` alive to the end of the process: a query's process ends right after it
/// answers, and freeing the state of a million events one object at a time would only cost it
/// tens of milliseconds.
func keepUntilExit<T>(_ value: T) {
    _ = Unmanaged.passRetained(Kept(value))
}

private final class Kept<T> {
    let value: T
    init(_ value: T) { self.value = value }
}

extension LiveViews {
    /// The new positions a CLI process applies before it stores the views' state again.
    static let commandLineGap: UInt64 = 2_000
}
