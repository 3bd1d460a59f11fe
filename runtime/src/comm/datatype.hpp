// The element types of messages on this platform, and the conversion of a
// received payload from the sender's representation to this one.
#pragma once

#include "snow/comm.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace snow::comm {

bool valid_datatype(int type);
const char *datatype_name(int type);
// sizeof the C type here.
std::size_t datatype_size(int type);
bool host_is_big_endian();

// Converts `count` elements of `type` from the sender's representation
// (`big_endian`, `element_size` bytes each) into `out` (this platform's).
// Throws std::runtime_error naming the element that does not fit (a `long`
// from an LP64 sender too large for an ILP32 receiver).
void convert_payload(int type, bool big_endian, std::size_t element_size, const unsigned char *in,
                     std::size_t count, void *out);

// acc[i] = acc[i] op in[i] for `count` elements of `type` (this platform's representation).
void combine(snow_op op, int type, void *acc, const void *in, std::size_t count);
bool valid_op(int op);

} // namespace snow::comm
