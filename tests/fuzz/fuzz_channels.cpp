// libFuzzer target for what a process reads from other machines about its
// message channels (runtime/src/comm): the channels section of a migrating
// process's state, channel frame headers, and the conversion of a DATA
// payload from its sender's representation.
//
// The first input byte selects the mode:
//   0  the rest is a channels section: Communicator::decode, and when it is
//      accepted, what encode() writes must decode to the same encoding
//      (nothing is lost or invented on the way through);
//   1  the rest is a sequence of frames: each header is decoded; a DATA
//      frame whose payload is there is converted into a buffer of its type.
// std::runtime_error is how these refuse input. Anything else — a crash, a
// sanitizer report, another exception, a timeout — is a finding.
#include "comm/communicator.hpp"
#include "comm/datatype.hpp"
#include "comm/frame.hpp"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

using namespace snow::comm;

namespace {

void section(const std::uint8_t *data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  std::unique_ptr<Communicator> c;
  try {
    c = Communicator::decode(bytes, GroupSettings{});
  } catch (const std::runtime_error &) {
    return;
  }
  const std::string once = c->encode();
  std::unique_ptr<Communicator> again;
  try {
    again = Communicator::decode(once, GroupSettings{});
  } catch (const std::runtime_error &) {
    std::abort();  // the runtime refuses what it wrote itself
  }
  if (again->encode() != once) std::abort();
}

void frames(const std::uint8_t *data, std::size_t size) {
  std::size_t at = 0;
  while (size - at >= kFrameHeaderBytes) {
    std::string error;
    const auto h = decode_frame_header(data + at, error);
    if (!h) {
      if (error.empty()) std::abort();  // a refusal must say why
      return;
    }
    at += kFrameHeaderBytes;
    if (h->payload_bytes > size - at) return;
    if (h->kind == FrameKind::Data && valid_datatype(h->datatype) && h->datatype != SNOW_BYTE &&
        h->element_size != 0 && h->count <= 65536) {
      std::vector<unsigned char> out(static_cast<std::size_t>(h->count) * datatype_size(h->datatype) + 1);
      try {
        convert_payload(h->datatype, h->big_endian != 0, h->element_size, data + at, h->count, out.data());
      } catch (const std::runtime_error &) {
      }
    }
    at += h->payload_bytes;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] % 2 == 0) section(data + 1, size - 1);
  else frames(data + 1, size - 1);
  return 0;
}
