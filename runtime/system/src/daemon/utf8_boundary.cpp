#include "utf8_boundary.hpp"

namespace snow::system {

std::size_t complete_utf8_prefix(std::string_view text) {
  // Look back over at most three continuation bytes for the lead byte.
  const std::size_t size = text.size();
  for (std::size_t back = 1; back <= 4 && back <= size; ++back) {
    const auto byte = static_cast<unsigned char>(text[size - back]);
    if ((byte & 0xC0) == 0x80)
      continue; // a continuation byte: keep looking for its lead
    std::size_t length = 1;
    if ((byte & 0xE0) == 0xC0)
      length = 2;
    else if ((byte & 0xF0) == 0xE0)
      length = 3;
    else if ((byte & 0xF8) == 0xF0)
      length = 4;
    // A lead byte whose sequence is not complete yet is held back with its
    // continuation bytes; ASCII, complete sequences and invalid bytes are not.
    return length > back ? size - back : size;
  }
  return size;
}

} // namespace snow::system
