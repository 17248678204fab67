public import Foundation

/// Starts child processes one at a time, process-wide.
///
/// On Linux, Foundation's `Process.run()` learns of its child's exit through a socket the child
/// inherits, and for a moment that socket is open without close-on-exec in this process: a
/// process another thread starts in that moment inherits it too, and the first child's exit then
/// goes unnoticed for as long as the second lives (swift-corelibs-foundation issue 4795). Plugin
/// processes started together could hide each other's crash from the host; a test suite that
/// starts processes from parallel tests hung on a child that had exited. Every `Process` of the
/// project starts here.
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// Runs `process.run()` while no other process of this one is being started.
    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
