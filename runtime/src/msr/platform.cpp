#include "platform.hpp"

#include <cstddef>

namespace snow::msr {

namespace {
const char *native_platform_name() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "i686";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__powerpc__)
  return "ppc";
#elif defined(__aarch64__)
  return "aarch64";
#elif defined(__arm__)
  return "armhf";
#else
  return "unknown";
#endif
}

// What alignment the compiler gives a double member (i686 gives 4).
struct DoubleAfterChar {
  char c;
  double d;
};
} // namespace

const PlatformInfo &native_platform() {
  static const PlatformInfo info{native_platform_name(), native_byte_order(),
                                 static_cast<std::uint8_t>(sizeof(long)),
                                 static_cast<std::uint8_t>(sizeof(void *)),
                                 static_cast<std::uint8_t>(offsetof(DoubleAfterChar, d))};
  return info;
}

} // namespace snow::msr
