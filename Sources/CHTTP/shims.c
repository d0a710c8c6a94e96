#include "chttp_shims.h"
