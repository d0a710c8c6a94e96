import CSystemShims
import Synchronization

/// A `Mutex` that ThreadSanitizer can see. TSan does not look inside the standard library, so to it
/// two threads that take turns through a `Mutex` look like a data race. `withLock` tells TSan the
/// ordering the lock already provides (acquire on entering, release on leaving; both calls do
/// nothing in a build without TSan), so `scripts/tsan.sh` reports only real races.
///
/// A class, not a non-copyable struct like `Mutex`, so that its address is stable to annotate. Every
/// lock in Pismo and Transport is one of these.
public final class Locked<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
    }

    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        let token = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            chttp_tsan_acquire(token)
            defer { chttp_tsan_release(token) }
            return try body(&value)
        }
    }
}
