// chttp_shims.h — thin wrappers where Swift cannot call a C API directly. Nothing else lives here.
#ifndef CHTTP_SHIMS_H
#define CHTTP_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <zlib.h>

// struct epoll_event is packed on x86-64, which Swift does not import faithfully; these take and
// return plain fields instead.

/// epoll_ctl with the fd itself as the event's user data. Returns epoll_ctl's result (errno set).
int chttp_epoll_ctl(int epfd, int op, int fd, uint32_t events);
/// epoll_wait into two parallel arrays (fds[i] got events[i]). Returns the count or -1 (errno set).
int chttp_epoll_wait(int epfd, int32_t *fds, uint32_t *events, int max_events, int timeout_ms);

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): accept4 is a GNU extension Swift's Glibc hides.
int chttp_accept_nonblocking(int fd);

/// CPUs this process may run on (sched_getaffinity, so taskset and container cpusets count);
/// falls back to the online CPU count. CPU_COUNT is a macro Swift cannot call.
int chttp_usable_cpu_count(void);

/// Names the calling thread (at most 15 bytes are kept), so top and perf show "pismo-loop-0"
/// instead of the name inherited from whichever thread created it. pthread_setname_np is a GNU
/// extension Swift's Glibc hides.
void chttp_set_thread_name(const char *name);

/// ThreadSanitizer does not see the ordering Swift's `Synchronization.Mutex` gives (the standard
/// library is not instrumented), so work handed from one thread to another through one looks like
/// a race. `Transport.Locked` calls these around every lock: acquire on entering, release on
/// leaving. They tell TSan about the ordering the lock already provides, and do nothing in a build
/// without TSan.
void chttp_tsan_acquire(const void *address);
void chttp_tsan_release(const void *address);

// zlib's init functions are macros over *_ ( ..., ZLIB_VERSION, sizeof(z_stream) ).

/// inflateInit2: window_bits 31 decodes gzip, 47 auto-detects gzip or zlib.
int chttp_inflate_init2(z_stream *stream, int window_bits);
/// deflateInit2 with default memory level and strategy; window_bits 31 writes gzip.
int chttp_deflate_init2(z_stream *stream, int level, int window_bits);

#endif
