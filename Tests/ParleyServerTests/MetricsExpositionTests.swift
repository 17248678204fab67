import AsyncHTTPClient
import Foundation
import NIOHTTP1
import ParleyModel
import ParleyTestSupport
import Testing

/// `/metrics` as Prometheus and its tools read it: every metric a real `parleyd` serves says what
/// it measures, and `promtool check metrics` finds nothing to report.
@Suite struct MetricsExpositionTests {
    /// Spec: each `# TYPE` line follows a `# HELP` line of the same metric with a text, so that
    /// dashboards and `promtool` show what each series means.
    @Test func everyServedMetricHasHelpText() async throws {
        let text = try await Self.servedMetrics()
        let lines = text.split(separator: "\n")
        var typed: [Substring] = []
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let name = line.split(separator: " ")[2]
            typed.append(name)
            let help = index > 0 ? lines[index - 1] : ""
            let helpText = help.dropFirst("# HELP \(name) ".count)
            #expect(help.hasPrefix("# HELP \(name) ") && !helpText.trimmingCharacters(in: .whitespaces).isEmpty,
                    "\(name) has no help text before its # TYPE line (the line before: \"\(help)\")")
        }
        // The check covered the daemon's own metrics, the per-request ones and the plugins'.
        for name in ["parley_events_appended_total", "parley_http_requests_total", "parley_plugin_running"] {
            #expect(typed.contains(Substring(name)), "/metrics does not serve \(name): \(text)")
        }
    }

    /// `promtool check metrics` reports no problem; skipped where promtool is not installed (CI
    /// machines may lack it).
    @Test(.enabled(if: MetricsExpositionTests.promtool != nil, "promtool is not installed"))
    func promtoolFindsNoProblem() async throws {
        let promtool = try #require(Self.promtool)
        let exposition = try await Self.servedMetrics()
        let check = try await offThePool { try Self.run(promtool, ["check", "metrics"], input: exposition) }
        #expect(check.status == 0 && check.output.isEmpty, "promtool check metrics (exit \(check.status)): \(check.output)")
    }

    /// The `promtool` on `PATH`, if any.
    static let promtool: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "")
        .split(separator: ":")
        .map { "\($0)/promtool" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What a real `parleyd` running the github plugin serves at `/metrics`, once it has answered
    /// an append and a view query and has recorded the plugin's gauges.
    static func servedMetrics() async throws -> String {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await DaemonProcess.startWithGitHubPlugin(directory: directory, secret: "metrics-exposition-secret")
        let http = makeHTTPClient()
        let api = APIClient(base: daemon.base, http: http)
        let result: Result<String, any Error>
        do {
            #expect(try await api.post(ticketOpened("t1")).status == 201)
            #expect(try await api.send(.GET, "/v1/views/support/sla").status == 200)
            // The plugin service records its gauges when the log grows, or within a second.
            var text = ""
            for _ in 0..<100 where !text.contains("\nparley_plugin_running{") {
                if !text.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
                text = try await api.send(.GET, "/metrics", token: nil).text
            }
            result = .success(text)
        } catch {
            result = .failure(error)
        }
        try? await http.shutdown()
        daemon.signal(SIGTERM)
        #expect(await daemon.exit().status == 0)
        return try result.get()
    }

    /// Runs `executable` with `arguments` and `input` on its standard input; returns its exit
    /// status and what it wrote to standard output and standard error.
    static func run(_ executable: String, _ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let inputFile = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: inputFile) }
        try input.write(toFile: inputFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputFile))
        let output = ProcessLaunch.pipe()
        process.standardOutput = output
        process.standardError = output
        try ProcessLaunch.run(process)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
