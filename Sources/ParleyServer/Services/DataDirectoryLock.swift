import Foundation
import ParleyModel
#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data directory: an exclusive `flock` on `parleyd.lock` in it, held for the
/// daemon's life and released by the kernel when the process ends, however it ends. The file
/// holds the owner's pid, for the refusal of a second daemon to name it. (The CLI, a reader or a
/// short-lived writer, does not take it: LMDB serves it beside the daemon.)
final class DataDirectoryLock: Sendable {
    private let fd: Int32

    /// Takes the lock of `directory`.
    ///
    /// - Throws: ``DataDirectoryBusy`` when another process holds it, naming that process.
    init(directory: String) throws {
        let path = directory + "/parleyd.lock"
        // Close-on-exec: a plugin process that outlived a crashed daemon must not keep it.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataDirectoryBusy(message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            var bytes = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &bytes, bytes.count, 0)
            close(fd)
            guard failure == EWOULDBLOCK else {
                throw DataDirectoryBusy(message: "cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            let owner = String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataDirectoryBusy(
                message: "\(directory) is already served by another parleyd\(owner.isEmpty ? "" : " (pid \(owner))"); stop it first, or give this one another --data")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// Closes the lock's descriptor while no child process is being started: a child starting
    /// has a copy of every descriptor until its start closes them, and with it a hold on the
    /// lock, so a daemon started in the same process right after (a restart in the tests) found
    /// the directory still served. Once no start is under way, closing the last copy frees it.
    deinit { ProcessLaunch.whileNoneStarts { _ = close(fd) } }
}

/// Another daemon serves the data directory.
public struct DataDirectoryBusy: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
