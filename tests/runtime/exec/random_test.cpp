// snow_rand must be the C library's rand(), value for value, on every
// platform: a precompiled program prints what the original printed.
#include "exec/random.hpp"

#include <snow/snow.h>

#include <gtest/gtest.h>

#include <cstdlib>

namespace {

TEST(Random, MatchesTheCLibraryForEverySeed) {
  for (unsigned seed : {0u, 1u, 2u, 42u, 12345u, 2147483647u, 2147483648u, 4294967295u}) {
    std::srand(seed);
    snow_srand(seed);
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(snow_rand(), std::rand()) << "seed " << seed << ", value " << i;
  }
}

TEST(Random, UnseededIsSeedOne) {
  snow::exec::random_state.seeded = 0;
  std::srand(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(snow_rand(), std::rand()) << "value " << i;
}

TEST(Random, RandomAndRandShareOneGenerator) {
  srandom(7);
  snow_srandom(7);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(snow_random(), random()) << "value " << i;
}

TEST(Random, ContinuesFromACopiedState) {
  // What a migration does: the state is copied, the sequence goes on.
  snow_srand(99);
  for (int i = 0; i < 57; ++i) snow_rand();
  const snow::exec::RandomState saved = snow::exec::random_state;
  int expected[20];
  for (int &v : expected) v = snow_rand();
  snow_srand(5);  // something else runs meanwhile
  snow::exec::random_state = saved;
  for (int v : expected) ASSERT_EQ(snow_rand(), v);
}

} // namespace
