// chttp_tsan.h — lock-ordering annotations for ThreadSanitizer.
#ifndef CHTTP_TSAN_H
#define CHTTP_TSAN_H

/// ThreadSanitizer does not see the ordering Swift's `Synchronization.Mutex` gives (the standard
/// library is not instrumented), so work handed from one thread to another through one looks like
/// a race. `Transport.Locked` calls these around every lock: acquire on entering, release on
/// leaving. They tell TSan about the ordering the lock already provides, and do nothing in a build
/// without TSan.
void chttp_tsan_acquire(const void *address);
void chttp_tsan_release(const void *address);

#endif
