public import Foundation

/// Starts child processes one at a time, process-wide.
///
/// On Linux, Foundation's `Process.run()` learns of its child's exit through a socket the child
/// inherits, and for a moment that socket is open without close-on-exec in this process: a
/// process another thread starts in that moment inherits it too, and the first child's exit then
/// goes unnoticed for as long as the second lives (swift-corelibs-foundation issue 4795). Plugin
/// processes started together could hide each other's crash from the host; a test suite that
/// starts processes from parallel tests hung on a child that had exited. Every `Process` of the
/// project starts here, and every pipe for one is made here (see ``pipe()``).
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// Runs `process.run()` while no other process of this one is being started.
    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }

    /// Runs `body` while no process is being started: for what makes descriptors a child must
    /// not inherit. Foundation closes in a child the descriptors open when its start began, and
    /// neither its pipes nor the files it writes are close-on-exec: one made by another thread
    /// in that moment went to the child too, which held it open as long as it lived. A reader of
    /// a pipe then waited for that stranger's exit to see the end of its own child's output (a
    /// test run hung on it), and a script written in that moment could not be run while the
    /// stranger held it open for writing ("text file busy"). Closing a descriptor whose lock
    /// must go with it belongs here too: a child being started holds a copy until its start
    /// closes them, and with it the lock (see `DataDirectoryLock`).
    public static func whileNoneStarts<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// A pipe for a child's standard input, output or error (see ``whileNoneStarts(_:)``):
    /// every pipe of the project's children is made here.
    public static func pipe() -> Pipe { whileNoneStarts { Pipe() } }
}
