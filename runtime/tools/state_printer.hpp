// Renders a decoded state stream as JSON or as indented text: the header, the
// program description, and every block with its values. Pointers are shown
// as logical addresses (#block+leaf), function pointers by name.
#pragma once

#include "msr/state_decoder.hpp"

#include <cstdint>
#include <ostream>

namespace snow::tools {

struct PrintOptions {
  bool json = false;
  std::uint64_t max_elements = 16;  // per block and per array; 0: all
  bool show_types = false;
};

void print_state(const msr::StateDecoder &decoder, std::ostream &out, const PrintOptions &options);

} // namespace snow::tools
