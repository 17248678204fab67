import Foundation
import Logging
import ParleyConfiguration
import ParleyModel
import ParleyServer
import ParleyTestSupport
import Testing

/// The lock that keeps one daemon per data directory.
@Suite struct DataDirectoryLockTests {
    /// A daemon that ends frees its directory at once, even while this process starts children:
    /// a child being started holds a copy of every descriptor until its start closes them, so
    /// a daemon made right after found the directory "already served" by its own process (about
    /// 1 restart in 300 here, and one test of the full suite now and then).
    @Test func aDaemonFreesItsDirectoryWhileChildrenStart() async throws {
        let directory = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let starting = ChildStarts()
        let children = Thread { starting.untilStopped() }
        children.start()
        defer { starting.stop() }
        let refused = try await offThePool { () throws -> [String] in
            var refused: [String] = []
            let configuration = DaemonConfiguration(
                listen: ListenAddress(host: "127.0.0.1", port: 0), data: directory, tokens: [], limits: ServerLimits())
            for _ in 0..<2_000 {
                do {
                    _ = try Daemon(configuration: configuration, logger: Logger(label: "parleyd-test"))
                } catch {
                    refused.append("\(error)")
                }
            }
            return refused
        }
        #expect(starting.count > 0, "no child started meanwhile: the test proved nothing")
        #expect(refused.isEmpty, "\(refused.count) of 2,000 daemons refused: \(refused.first ?? "")")
    }
}

/// Starts `/bin/true` again and again, as the project starts every child, until stopped.
private final class ChildStarts: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var started = 0

    var count: Int { lock.withLock { started } }
    func stop() { lock.withLock { stopped = true } }

    func untilStopped() {
        while !lock.withLock({ stopped }) {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/true")
            guard (try? ProcessLaunch.run(child)) != nil else { continue }
            child.waitUntilExit()
            lock.withLock { started += 1 }
        }
    }
}
