#include "chttp_tls.h"
