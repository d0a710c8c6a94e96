#include "chttp_parser.h"
