#include "random.hpp"

#include <snow/snow.h>

namespace snow::exec {

RandomState random_state;

namespace {

// glibc's srandom_r: a Lehmer generator (16807, 2^31 - 1, Schrage's method)
// fills the table, the taps start 3 apart, and 310 outputs are discarded.
void seed(std::uint32_t s) {
  RandomState &r = random_state;
  if (s == 0) s = 1;
  r.table[0] = s;
  std::int64_t word = static_cast<std::int32_t>(s);
  for (int i = 1; i < 31; ++i) {
    const std::int64_t hi = word / 127773, lo = word % 127773;
    word = 16807 * lo - 2836 * hi;
    if (word < 0) word += 2147483647;
    r.table[i] = static_cast<std::uint32_t>(word);
  }
  r.front = 3;
  r.rear = 0;
  r.seeded = 1;
  for (int i = 0; i < 310; ++i) snow_rand();
}

} // namespace

} // namespace snow::exec

extern "C" {

int snow_rand(void) {
  snow::exec::RandomState &r = snow::exec::random_state;
  if (!r.seeded) snow::exec::seed(1);  // as if srand(1), like the C library
  const std::uint32_t value = r.table[r.front] += r.table[r.rear];
  r.front = r.front == 30 ? 0 : r.front + 1;
  r.rear = r.rear == 30 ? 0 : r.rear + 1;
  return static_cast<int>(value >> 1);
}

void snow_srand(unsigned seed) { snow::exec::seed(seed); }

long snow_random(void) { return snow_rand(); }

void snow_srandom(unsigned seed) { snow::exec::seed(seed); }

} // extern "C"
