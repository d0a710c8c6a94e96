// Umbrella header of CHTTPParser: the HTTP/1.1 message-head parser and chunked decoder, and
// nothing else. Plain C with no dependencies beyond libc, so it also builds alone for the fuzzer
// and the conformance runner (scripts/fuzz.sh, scripts/conformance-http.sh).
#ifndef CHTTPPARSER_H
#define CHTTPPARSER_H
#include "chttp_parser.h"
#endif
