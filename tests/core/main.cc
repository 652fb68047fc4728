// GoogleTest main for suites that start executors: brasa::init first, so
// that this binary, started again as an executor, serves tasks instead of
// running the tests.
#include <gtest/gtest.h>

#include "brasa/context.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
