// The library's copy of the engine's code for the common record types
// (brasa/rdd/detail/common_records.h lists them).
#define BRASA_COMMON_RECORDS_DEFINE
#include "brasa/rdd/rdd.h"  // ends with brasa/rdd/detail/common_records.h
