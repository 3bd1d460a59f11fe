// Errors raised while describing, collecting or restoring memory state.
//
// Every failure carries a code (so tests and callers can tell a truncated
// stream from a foreign one) and a message that names the problem in the
// program's own terms: the variable, the field path, the value.
#pragma once

#include <stdexcept>
#include <string>

namespace snow::msr {

enum class StateErrorCode {
  InvalidProgram,       // the program's type/global/function tables are inconsistent
  UnsupportedType,      // a block holds a type that cannot move (long double, a mixed union)
  UnregisteredPointer,  // a pointer to memory the registry does not know (dangling, foreign)
  PointerIntoScalar,    // a pointer into the middle of a scalar or into padding
  UnknownFunction,      // a function pointer that is not in the function table
  BadBlock,             // a heap block that is not a whole number of its elements, etc.
  BadMagic,             // not a SnowMigrate state stream
  UnsupportedVersion,   // a format version this runtime does not read
  ProgramMismatch,      // the stream comes from a different program
  Truncated,            // the stream ends early
  ChecksumMismatch,     // a chunk's bytes were altered
  ChunkOutOfOrder,      // chunks lost, duplicated or reordered
  MalformedRecord,      // a record that cannot occur in a well-formed stream
  BadBlockId,           // a reference to a block the stream has not announced
  BadOffset,            // a logical address outside its block
  BadTypeId,            // a type id outside the type table, or of the wrong kind
  LimitExceeded,        // a size above a configured limit
  ValueOutOfRange,      // a value that does not fit this platform (64-bit long into 32)
  MissingRoot,          // a stack block the stream needs but this side did not register
  Io,                   // reading or writing the underlying file or socket failed
};

const char *to_string(StateErrorCode code);

class StateError : public std::runtime_error {
public:
  StateError(StateErrorCode code, const std::string &message)
      : std::runtime_error(message), code_(code) {}
  StateErrorCode code() const { return code_; }

private:
  StateErrorCode code_;
};

} // namespace snow::msr
