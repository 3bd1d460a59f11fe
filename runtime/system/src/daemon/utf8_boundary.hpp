// Output travels to the scheduler as JSON strings, which must be UTF-8: bytes
// that are not become U+FFFD. A pipe read can end in the middle of a
// multi-byte character; sent as it is, both halves would be replaced and the
// console would see other bytes than the program wrote. snowd sends only the
// complete prefix of what it has read and keeps the rest for the next read.
#pragma once

#include <cstddef>
#include <string_view>

namespace snow::system {

// The length of `text` without a trailing, incomplete UTF-8 sequence (at most
// 3 bytes are held back; anything else is left for the JSON layer to judge).
std::size_t complete_utf8_prefix(std::string_view text);

} // namespace snow::system
