// chttp_os.h — Linux calls Swift cannot make directly: epoll's packed struct, GNU extensions
// Glibc's module hides, and CPU_* macros.
#ifndef CHTTP_OS_H
#define CHTTP_OS_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

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

#endif
