// Everything a Brasa driver program needs.
#pragma once

#include "brasa/accumulator.h"
#include "brasa/broadcast.h"
#include "brasa/conf.h"
#include "brasa/context.h"
#include "brasa/rdd/rdd.h"
#include "brasa/run.h"
#include "brasa/storage/storage_level.h"
#include "brasa/util/split.h"
#include "brasa/util/with.h"
