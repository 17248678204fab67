import Foundation
import ParleyModel
import ParleyTestSupport
import Testing

/// Processes started from several threads at once: each child's exit is still noticed while
/// the others live. Without one launch at a time, a child could inherit the socket by which
/// Foundation learns of a sibling's exit, and that exit went unnoticed: 1 and 5 of these 480
/// exits, in two runs.
@Suite struct ProcessLaunchTests {
    @Test(.timeLimit(.minutes(3))) func exitsAreNoticedWhileOthersStartInParallel() async throws {
        let sleepers = Locked([Process]())
        defer {
            for sleeper in sleepers.value {
                kill(sleeper.processIdentifier, SIGKILL)
                sleeper.waitUntilExit()
            }
        }
        let missed = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await offThePool {
                        var missed = 0
                        for _ in 0..<40 {
                            // A long-lived sibling, and a child that exits at once.
                            let sleeper = Process()
                            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
                            sleeper.arguments = ["20"]
                            sleeper.standardOutput = FileHandle.nullDevice
                            sleeper.standardError = FileHandle.nullDevice
                            try ProcessLaunch.run(sleeper)
                            sleepers.append(sleeper)
                            let quick = Process()
                            quick.executableURL = URL(fileURLWithPath: "/bin/true")
                            quick.standardOutput = FileHandle.nullDevice
                            quick.standardError = FileHandle.nullDevice
                            try ProcessLaunch.run(quick)
                            let deadline = Date().addingTimeInterval(5)
                            while quick.isRunning, Date() < deadline { usleep(1000) }
                            if quick.isRunning { missed += 1 }
                        }
                        return missed
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(missed == 0, "\(missed) exits went unnoticed")
    }
}

private final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func append<T>(_ element: T) where Value == [T] { lock.withLock { stored.append(element) } }
}
