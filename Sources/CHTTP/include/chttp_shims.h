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

#endif
