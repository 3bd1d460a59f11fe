// rand()/srand() with their state in migratable memory.
//
// The C library's generator keeps its state inside libc, where no collector
// can see it: a migrated program would restart its random sequence. The
// precompiler rewrites rand/srand/random/srandom to these, which compute
// exactly glibc's sequence (the TYPE_3 additive feedback generator behind
// both rand() and random()), so the original program's output is kept, on
// every platform, with the 31-word state a registered runtime global.
#pragma once

#include <cstdint>

namespace snow::exec {

struct RandomState {
  std::uint32_t table[31];
  std::uint32_t front, rear;  // the feedback taps, indices into table
  std::uint32_t seeded;       // 0 until the first srand or rand
};

// The runtime unit registers it as a global.
extern RandomState random_state;

} // namespace snow::exec
