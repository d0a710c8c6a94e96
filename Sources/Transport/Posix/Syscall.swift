import Glibc

/// A failed system call: the call's name and errno. The only place in Transport that reads errno
/// is `syscall(_:_:)` below, so every failure carries the call that produced it.
public struct SystemError: Error, CustomStringConvertible, Sendable {
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

/// The outcome of a non-blocking call: a value, or "try again when ready" (EAGAIN/EWOULDBLOCK/
/// EINPROGRESS), which is not an error.
public enum IOOutcome<Value> {
    case value(Value)
    case wouldBlock
}

/// Runs a system call: retries EINTR, maps EAGAIN/EWOULDBLOCK (and EINPROGRESS, for connect) to
/// `.wouldBlock`, throws `SystemError` otherwise. EBADF and EFAULT mean a bug of ours (a closed or
/// foreign descriptor, a bad pointer), so they trap instead of being handled as I/O failures.
@inline(__always)
func syscall<T: BinaryInteger>(_ call: StaticString, _ body: () -> T) throws(SystemError) -> IOOutcome<T> {
    while true {
        let result = body()
        if result >= 0 { return .value(result) }
        let code = Glibc.errno
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK, EINPROGRESS: return .wouldBlock
        case EBADF, EFAULT: preconditionFailure("\(call): errno \(code) (programming error)")
        default: throw SystemError(call: "\(call)", errno: code)
        }
    }
}

/// For calls that cannot block: the value, or a thrown `SystemError`.
@inline(__always)
func syscallValue<T: BinaryInteger>(_ call: StaticString, _ body: () -> T) throws(SystemError) -> T {
    switch try syscall(call, body) {
    case .value(let v): return v
    case .wouldBlock: throw SystemError(call: "\(call)", errno: EAGAIN)
    }
}
