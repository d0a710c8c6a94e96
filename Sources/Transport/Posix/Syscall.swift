import CHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call and the errno it left. Thrown by every wrapper in `Posix/`.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Outcome of a non-blocking call: a value, or "the kernel has nothing for you now".
enum IOResult<T> {
    case value(T)
    case wouldBlock
}

/// The one syscall wrapper: retries EINTR, turns EAGAIN/EWOULDBLOCK (and EINPROGRESS for connect)
/// into `.wouldBlock`, traps on EBADF/EFAULT (those are our bugs: a closed fd or a bad pointer, and
/// continuing would corrupt someone else's descriptor), and throws `SystemError` for the rest.
@inline(__always)
func syscall<T: FixedWidthInteger>(_ call: StaticString, _ body: () -> T) throws(SystemError) -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .value(result) }
        let code = Glibc.errno
        switch code {
        case EINTR: continue
        case EAGAIN, EINPROGRESS: return .wouldBlock
        case EBADF, EFAULT: preconditionFailure("\(call): errno \(code) means a programming error")
        default: throw SystemError(call: "\(call)", errno: code)
        }
    }
}

/// For calls that never legitimately return EAGAIN (setup calls): the value or a thrown error.
@inline(__always)
func syscallValue<T: FixedWidthInteger>(_ call: StaticString, _ body: () -> T) throws(SystemError) -> T {
    switch try syscall(call, body) {
    case .value(let v): return v
    case .wouldBlock: throw SystemError(call: "\(call)", errno: EAGAIN)
    }
}

/// Monotonic nanoseconds (CLOCK_MONOTONIC): the time base of timers and timeouts.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// Whole nanoseconds, saturating at 0 for negative durations.
    var nanoseconds: UInt64 {
        let (s, atto) = components
        if s < 0 { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(atto / 1_000_000_000)
    }
}
