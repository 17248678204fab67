import Foundation
import ParleyModel
import Synchronization
import Testing

/// Children started from many threads at once inherit none of each other's pipes: a child that
/// held another's output pipe open would make its reader wait for as long as it lives.
@Suite struct ProcessLaunchTests {
    /// The pipes a process holds open on descriptors other than 0, 1 and 2.
    static func foreignPipes(of pid: Int32) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.compactMap { entry in
            guard let fd = Int(entry), fd > 2,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + entry),
                target.hasPrefix("pipe:")
            else { return nil }
            return "\(fd) -> \(target)"
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd")))
    func childrenStartedWhilePipesAreMadeInheritNone() throws {
        // Two threads make pipes (for children of their own) as fast as they can, and keep
        // them for a while as callers keep theirs while their children run: new descriptors
        // then land above the highest one open when a start began.
        let made = Atomic(0)
        let done = Atomic(false)
        let makersEnded = DispatchSemaphore(value: 0)
        for _ in 0..<2 {
            Thread.detachNewThread {
                var open: [Pipe] = []
                while !done.load(ordering: .acquiring) {
                    open.append(ProcessLaunch.pipe())
                    made.add(1, ordering: .relaxed)
                    guard open.count == 100 else { continue }
                    for pipe in open {
                        try? pipe.fileHandleForReading.close()
                        try? pipe.fileHandleForWriting.close()
                    }
                    open = []
                }
                makersEnded.signal()
            }
        }
        while made.load(ordering: .relaxed) < 200 { usleep(1_000) }
        let before = made.load(ordering: .relaxed)
        // Meanwhile, children that live until their stdin ends.
        var children: [(process: Process, input: Pipe)] = []
        defer {
            for child in children {
                try? child.input.fileHandleForWriting.close()
                child.process.waitUntilExit()
            }
        }
        for _ in 0..<40 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/cat")
            let input = ProcessLaunch.pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            try ProcessLaunch.run(process)
            children.append((process, input))
        }
        let madeMeanwhile = made.load(ordering: .relaxed)
        done.store(true, ordering: .releasing)
        makersEnded.wait()
        makersEnded.wait()
        #expect(madeMeanwhile > before, "no pipe was made while the children started: the test proved nothing")
        let leaks = children.flatMap { Self.foreignPipes(of: $0.process.processIdentifier) }
        #expect(leaks == [], "pipes made by other threads, held open by children started meanwhile")
    }
}
