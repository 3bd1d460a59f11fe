// The chunk checksum: a Fletcher-style pair of 64-bit running sums over the
// payload read as little-endian 64-bit words (the tail zero-padded).
//
// It exists to catch corruption in files and in transit, not tampering (the
// migration secret guards against that). It changes for any single altered
// byte and for swapped words, and runs at several bytes per cycle, so it
// costs a small fraction of the copy it protects.
#pragma once

#include <cstddef>
#include <cstdint>

namespace snow::msr {

std::uint64_t chunk_checksum(const unsigned char *data, std::size_t size);

} // namespace snow::msr
