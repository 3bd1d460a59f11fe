// The command table: each command of the API and the arguments it takes.
// Adding a command is one row here, one handler, and a section in
// docs/protocol.md.
#pragma once

#include "message.hpp"

#include <string>

namespace snow::system {

enum class ArgType { String, Integer, Number, StringArray, Object };

struct ArgSpec {
  const char *name;
  ArgType type;
  bool required;
};

struct CommandSpec {
  const char *name;
  const ArgSpec *args;
  int arg_count;
};

// The spec of `name`, or nullptr when the API has no such command.
const CommandSpec *find_command(const std::string &name);

// Throws ProtocolError(invalid-arguments) naming the first problem: a missing
// or mistyped argument, or one the command does not take.
void check_arguments(const CommandSpec &spec, const Json &args);

} // namespace snow::system
