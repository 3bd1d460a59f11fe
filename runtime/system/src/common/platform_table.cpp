#include "platform_table.hpp"

#include <sstream>

namespace snow::system {

namespace {
const PlatformTraits platforms[] = {
    {"x86_64", "little", 8, {}},
    {"s390x", "big", 8, {"qemu-s390x", "-L", "/usr/s390x-linux-gnu"}},
    {"ppc", "big", 4, {"qemu-ppc", "-L", "/usr/powerpc-linux-gnu"}},
    {"i686", "little", 4, {"qemu-i386", "-L", "/usr/i686-linux-gnu"}},
    {"armhf", "little", 4, {"qemu-arm", "-L", "/usr/arm-linux-gnueabihf"}},
};
} // namespace

const PlatformTraits *find_platform(const std::string &name) {
  for (const PlatformTraits &p : platforms)
    if (p.name == name)
      return &p;
  return nullptr;
}

std::string native_platform_name() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__i386__)
  return "i686";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc__) && !defined(__powerpc64__)
  return "ppc";
#elif defined(__arm__)
  return "armhf";
#else
  return "unknown";
#endif
}

std::vector<std::string> split_words(const std::string &text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;)
    words.push_back(word);
  return words;
}

std::string join_words(const std::vector<std::string> &words) {
  std::string text;
  for (const std::string &w : words)
    text += (text.empty() ? "" : " ") + w;
  return text;
}

} // namespace snow::system
