import Foundation
import ParleyModel
#if canImport(Glibc)
import Glibc
#endif

/// `parley audit verify` on a damaged file: LMDB trusts its pages, and a damaged one can make it
/// follow a wild pointer (SIGSEGV), read past the map (SIGBUS) or fail an assertion (SIGABRT).
/// While the audit reads, those signals end the process with the audit's own answer instead of
/// a crash report: exit 1, naming the position being checked and the file, on stderr (and as
/// the `--json` document on stdout).
///
/// The handler may only call what is safe in a signal handler: it writes bytes prepared
/// beforehand and the position, formatted by hand, then `_exit`s.
enum CrashedReading {
    /// What is being read, for the message.
    enum Part: Int {
        case log, views
    }

    /// The messages, prepared outside the handler (it must not allocate).
    nonisolated(unsafe) private static var logText = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    nonisolated(unsafe) private static var viewsText = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The same as JSON strings, without their closing quote.
    nonisolated(unsafe) private static var logJSON = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    nonisolated(unsafe) private static var viewsJSON = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    nonisolated(unsafe) private static var json = false
    /// The position being checked (0: none yet) and the part being read; written by the audit,
    /// read by the handler.
    nonisolated(unsafe) static var position: UInt64 = 0
    nonisolated(unsafe) static var part: Part = .log

    /// Installs the handlers for the audit of `directory`.
    static func install(directory: String, json asJSON: Bool) {
        json = asJSON
        let log = "the log's data file \(directory)/data.mdb is damaged: reading it crashed LMDB"
        let views = "the view index \(directory)/views/data.mdb is damaged: reading it crashed LMDB (remove \(directory)/views to rebuild it from the log)"
        logText = prepared(log)
        viewsText = prepared(views)
        logJSON = prepared(String(JSONWriter.string(.string(log)).dropLast()))
        viewsJSON = prepared(String(JSONWriter.string(.string(views)).dropLast()))
        for signal in [SIGSEGV, SIGBUS, SIGABRT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in CrashedReading.report(signal: signal) }
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }

    private static func prepared(_ text: String) -> UnsafeBufferPointer<UInt8> {
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.utf8.count)
        _ = bytes.initialize(from: text.utf8)
        return UnsafeBufferPointer(bytes)
    }

    private static func report(signal: Int32) {
        let name: StaticString = signal == SIGSEGV ? "SIGSEGV" : signal == SIGBUS ? "SIGBUS" : "SIGABRT"
        let message = part == .log ? logText : viewsText
        // The position in decimal, on the stack.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var count = 0
            var n = position
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            } while n > 0
            let digits = UnsafeBufferPointer(rebasing: buffer[(20 - count)...])
            if json {
                // The keys in the order of the audit's other answers.
                put("{\"error\":")
                put(part == .log ? logJSON : viewsJSON)
                put(" (")
                put(name)
                put(")\",\"ok\":false")
                if position > 0 {
                    put(",\"position\":")
                    put(digits)
                }
                put("}\n")
            }
            put("parley: audit failed", to: 2)
            if position > 0 {
                put(" at position ", to: 2)
                put(digits, to: 2)
            }
            put(": ", to: 2)
            put(message, to: 2)
            put(" (", to: 2)
            put(name, to: 2)
            put(")\n", to: 2)
        }
        _exit(1)
    }

    private static func put(_ text: StaticString, to fd: Int32 = 1) {
        _ = write(fd, text.utf8Start, text.utf8CodeUnitCount)
    }

    private static func put(_ bytes: UnsafeBufferPointer<UInt8>, to fd: Int32 = 1) {
        _ = write(fd, bytes.baseAddress, bytes.count)
    }
}
