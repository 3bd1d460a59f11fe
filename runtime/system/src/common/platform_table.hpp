// What the control plane knows about each platform without asking it: byte
// order, word size and the emulator that runs its binaries on x86-64
// (DESIGN.md §6). snowd reports these for its host; they can be overridden.
#pragma once

#include <string>
#include <vector>

namespace snow::system {

struct PlatformTraits {
  std::string name;
  std::string byte_order;            // "little" or "big"
  int word_size = 0;                 // bytes in a long and a pointer
  std::vector<std::string> emulator; // empty: runs natively on x86-64
};

// The traits of a known platform; nullptr for an unknown one.
const PlatformTraits *find_platform(const std::string &name);

// The platform this program was compiled for.
std::string native_platform_name();

// "qemu-s390x -L /usr/s390x-linux-gnu" → its words (split at spaces).
std::vector<std::string> split_words(const std::string &text);
std::string join_words(const std::vector<std::string> &words);

} // namespace snow::system
