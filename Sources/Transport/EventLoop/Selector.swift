import CSystemShims
import Glibc

/// The epoll backend: add / modify / remove interest, wait, wake. Level-triggered (see
/// docs/transport.md section 1): a handler that leaves bytes unread is simply called again, so no
/// code path has to drain a socket to EAGAIN to stay correct.
///
/// Threading: `wait` and the interest calls run on the loop thread only; `wake` from any thread.
final class Selector {
    let epollFD: Int32
    let wakeFD: Int32
    private let fds: UnsafeMutablePointer<Int32>
    private let events: UnsafeMutablePointer<UInt32>
    static let capacity = 256

    init() throws(SystemError) {
        let epoll = try syscallValue("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        let wake: Int32
        do {
            wake = try syscallValue("eventfd") { eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK)) }
        } catch {
            close(epoll)
            throw error
        }
        epollFD = epoll
        wakeFD = wake
        fds = .allocate(capacity: Self.capacity)
        events = .allocate(capacity: Self.capacity)
        _ = chttp_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue)
    }

    deinit {
        close(wakeFD)
        close(epollFD)
        fds.deallocate()
        events.deallocate()
    }

    func add(_ fd: Int32, _ interest: UInt32) throws(SystemError) {
        let epoll = epollFD
        _ = try syscallValue("epoll_ctl(ADD)") { chttp_epoll_ctl(epoll, EPOLL_CTL_ADD, fd, interest) }
    }

    func modify(_ fd: Int32, _ interest: UInt32) throws(SystemError) {
        let epoll = epollFD
        _ = try syscallValue("epoll_ctl(MOD)") { chttp_epoll_ctl(epoll, EPOLL_CTL_MOD, fd, interest) }
    }

    func remove(_ fd: Int32) {
        // Failure only means the fd was never added or is already gone; nothing to undo.
        _ = chttp_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0)
    }

    /// Waits up to `timeoutMS` (-1 forever) and calls `ready(fd, events)` for each ready fd other
    /// than the wake-up eventfd, which it drains.
    func wait(timeoutMS: Int32, _ ready: (Int32, UInt32) -> Void) {
        let epoll = epollFD
        let count: Int32
        do {
            switch try syscall("epoll_wait", { chttp_epoll_wait(epoll, fds, events, Int32(Self.capacity), timeoutMS) }) {
            case .value(let n): count = n
            case .wouldBlock: return
            }
        } catch {
            preconditionFailure("epoll_wait: \(error)")
        }
        for i in 0..<Int(count) {
            if fds[i] == wakeFD {
                var value: UInt64 = 0
                _ = read(wakeFD, &value, 8)
            } else {
                ready(fds[i], events[i])
            }
        }
    }

    /// Interrupts a `wait` in progress (or makes the next one return at once).
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }
}
