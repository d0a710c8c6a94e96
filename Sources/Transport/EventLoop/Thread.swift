#if canImport(Glibc)
import Glibc
#endif

/// Minimal pthread wrapper: the loops and the DNS workers are long-lived threads we start and join.
struct PosixThread: @unchecked Sendable {
    let handle: pthread_t

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func spawn(name: String, _ body: @escaping @Sendable () -> Void) -> PosixThread {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return PosixThread(handle: tid)
    }

    func join() { pthread_join(handle, nil) }

    var isCurrent: Bool { pthread_equal(handle, pthread_self()) != 0 }
}
