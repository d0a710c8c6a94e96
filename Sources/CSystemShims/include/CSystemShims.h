// Umbrella header of CSystemShims: thin C wrappers over system libraries where Swift cannot call
// the API directly (macros, variadic functions, packed structs, GNU extensions Glibc hides), plus
// the OpenSSL and zlib declarations themselves. The HTTP parser is a separate target, CHTTPParser.
// Every symbol carries the chttp_ prefix all of the project's C code uses.
#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H
#include "chttp_os.h"
#include "chttp_openssl.h"
#include "chttp_tls.h"
#include "chttp_digest.h"
#include "chttp_zlib.h"
#include "chttp_tsan.h"
#endif
