// tsan_shims.c — lock-ordering annotations for ThreadSanitizer (see chttp_tsan.h).
// Compiled with -fsanitize=thread when the package is built with --sanitize=thread; the TSan
// runtime then provides __tsan_acquire and __tsan_release.
#include "chttp_tsan.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CHTTP_TSAN 1
#endif
#endif

#ifdef CHTTP_TSAN
void __tsan_acquire(void *address);
void __tsan_release(void *address);
void chttp_tsan_acquire(const void *address) { __tsan_acquire((void *)address); }
void chttp_tsan_release(const void *address) { __tsan_release((void *)address); }
#else
void chttp_tsan_acquire(const void *address) { (void)address; }
void chttp_tsan_release(const void *address) { (void)address; }
#endif
