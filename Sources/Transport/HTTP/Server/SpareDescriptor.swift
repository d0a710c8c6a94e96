import Glibc

/// One descriptor a listener holds in reserve for the moment the process runs out: then `accept`
/// fails with EMFILE and leaves the connection waiting, so the level-triggered listener would be
/// reported readable again at once, forever. Giving the spare back lets us accept that connection
/// and close it (the peer hears "no" instead of hanging in the backlog), then take the spare again.
/// Loop-confined (one per listener).
struct SpareDescriptor {
    private var fd: Int32 = -1

    init() { reserve() }

    private mutating func reserve() {
        if fd < 0 { fd = open("/dev/null", O_RDONLY | O_CLOEXEC) }
    }

    /// Accepts and closes one waiting connection using the spare's slot. Best effort: another
    /// thread of the process may take the freed slot first.
    mutating func shedOne(listener: Int32) {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if let accepted = try? Socket.accept(listener) { close(accepted) }
        reserve()
    }

    mutating func release() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
