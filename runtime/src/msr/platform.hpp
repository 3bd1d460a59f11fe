// The description of a platform that travels in every stream header, so a
// restore (or `snow-state`) can say where a state came from.
#pragma once

#include "byte_order.hpp"

#include <cstdint>
#include <string>

namespace snow::msr {

struct PlatformInfo {
  std::string name;           // x86_64, s390x, ppc, i686, armhf, …
  ByteOrder byte_order;
  std::uint8_t long_size;     // sizeof(long)
  std::uint8_t pointer_size;  // sizeof(void *)
  std::uint8_t double_align;  // alignof(double) inside structs
};

// The platform this runtime was compiled for.
const PlatformInfo &native_platform();

} // namespace snow::msr
