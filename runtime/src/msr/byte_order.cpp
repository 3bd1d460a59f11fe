#include "byte_order.hpp"

namespace snow::msr {

namespace {
// One loop per width keeps each simple enough for the vectoriser.
template <typename Word>
void swap_words(unsigned char *dst, const unsigned char *src, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    Word w;
    std::memcpy(&w, src + i * sizeof(Word), sizeof(Word));
    w = byte_swap(w);
    std::memcpy(dst + i * sizeof(Word), &w, sizeof(Word));
  }
}
} // namespace

void swap_run(unsigned char *dst, const unsigned char *src, std::size_t count, unsigned width) {
  switch (width) {
  case 1:
    if (dst != src) std::memmove(dst, src, count);
    break;
  case 2: swap_words<std::uint16_t>(dst, src, count); break;
  case 4: swap_words<std::uint32_t>(dst, src, count); break;
  case 8: swap_words<std::uint64_t>(dst, src, count); break;
  default: break; // widths are validated when the type table is built
  }
}

} // namespace snow::msr
