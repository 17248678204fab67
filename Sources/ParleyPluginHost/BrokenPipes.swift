#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes a write to the pipe of a plugin that has died fail with `EPIPE` instead of ending the
/// host's process with SIGPIPE (as swift-nio does for sockets).
func ignoreBrokenPipes() {
    signal(SIGPIPE, SIG_IGN)
}
