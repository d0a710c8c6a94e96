import CSystemShims
import Glibc
import Synchronization

/// A fixed set of event loops, one thread each, handed out round-robin. Sized to the cores by
/// default. Thread-safe.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)

    public init(threads: Int = EventLoopGroup.coreCount) throws {
        precondition(threads > 0)
        loops = try (0..<threads).map { try EventLoop(index: $0) }
    }

    /// CPUs this process may run on: a server pinned with `taskset -c 1` (or given one CPU by its
    /// container) gets one loop, not one per machine core fighting over that CPU.
    public static var coreCount: Int { max(1, Int(chttp_usable_cpu_count())) }

    /// A process-wide group sized to the cores, never shut down; for code that has no group of its own.
    public static let shared: EventLoopGroup = {
        do { return try EventLoopGroup() } catch { fatalError("cannot start the shared event loops: \(error)") }
    }()

    /// The loop of this group whose thread is running the caller, if any (loop code, or a task whose
    /// executor preference is one of these loops).
    public var currentLoop: EventLoop? { loops.first { $0.inEventLoop } }

    public func next() -> EventLoop {
        loops[cursor.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    /// Stops every loop and joins its thread. Not from a loop thread of this group.
    public func syncShutdown() {
        for loop in loops { loop.requestStop() }
        for loop in loops { loop.syncShutdown() }
    }
}
