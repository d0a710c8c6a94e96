import CHTTP
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A fixed set of event loops, one thread each, handed out round-robin.
///
/// `shared` is sized to the online cores and lives for the process. Groups you create yourself
/// must be shut down with `shutdown()`, which stops every loop, closes its descriptors (pending
/// requests fail) and joins the threads. Never call `shutdown()` from one of the group's loops.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let threads: [PosixThread]
    private let cursor = Atomic<Int>(0)
    private let isShutDown = Atomic<Bool>(false)

    public static let shared = EventLoopGroup(loopCount: EventLoopGroup.coreCount)

    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    public init(loopCount: Int = 1) {
        var loops: [EventLoop] = []
        var threads: [PosixThread] = []
        for i in 0..<max(1, loopCount) {
            // epoll_create1/eventfd fail only when the process is out of descriptors.
            let loop: EventLoop
            do { loop = try EventLoop(index: i) } catch { fatalError("cannot create event loop: \(error)") }
            loops.append(loop)
            threads.append(PosixThread.spawn(name: "pismo-loop-\(i)") { loop.run() })
        }
        self.loops = loops
        self.threads = threads
        for loop in loops { loop.waitUntilRunning() }
    }

    public func next() -> EventLoop {
        loops[cursor.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// The loop for a stable key (a connection pool, a listener): same key, same loop.
    public func loop(for key: Int) -> EventLoop {
        loops[Int(UInt(bitPattern: key) % UInt(loops.count))]
    }

    public func shutdown() {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        precondition(!loops.contains { $0.inEventLoop }, "shutdown() called from one of the group's own loops")
        for loop in loops { loop.stop() }
        for thread in threads { thread.join() }
    }
}
