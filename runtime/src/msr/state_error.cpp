#include "state_error.hpp"

namespace snow::msr {

const char *to_string(StateErrorCode code) {
  switch (code) {
  case StateErrorCode::InvalidProgram: return "invalid program";
  case StateErrorCode::UnsupportedType: return "unsupported type";
  case StateErrorCode::UnregisteredPointer: return "unregistered pointer";
  case StateErrorCode::PointerIntoScalar: return "pointer into scalar";
  case StateErrorCode::UnknownFunction: return "unknown function";
  case StateErrorCode::BadBlock: return "bad block";
  case StateErrorCode::BadMagic: return "bad magic";
  case StateErrorCode::UnsupportedVersion: return "unsupported version";
  case StateErrorCode::ProgramMismatch: return "program mismatch";
  case StateErrorCode::Truncated: return "truncated";
  case StateErrorCode::ChecksumMismatch: return "checksum mismatch";
  case StateErrorCode::ChunkOutOfOrder: return "chunk out of order";
  case StateErrorCode::MalformedRecord: return "malformed record";
  case StateErrorCode::BadBlockId: return "bad block id";
  case StateErrorCode::BadOffset: return "bad offset";
  case StateErrorCode::BadTypeId: return "bad type id";
  case StateErrorCode::LimitExceeded: return "limit exceeded";
  case StateErrorCode::ValueOutOfRange: return "value out of range";
  case StateErrorCode::MissingRoot: return "missing root";
  case StateErrorCode::Io: return "i/o error";
  }
  return "unknown error";
}

} // namespace snow::msr
