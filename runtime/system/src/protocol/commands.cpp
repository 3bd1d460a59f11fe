#include "commands.hpp"

#include "protocol_error.hpp"

#include <iterator>

namespace snow::system {

namespace {

constexpr ArgType S = ArgType::String, I = ArgType::Integer, N = ArgType::Number,
                  A = ArgType::StringArray, O = ArgType::Object;

// Clients (the CLI, the monitor, the editor) and hosts (snowd) → scheduler.
constexpr ArgSpec hello[] = {{"token", S, true}, {"role", S, true}, {"host", O, false}};
constexpr ArgSpec none[] = {{"", S, false}};
constexpr ArgSpec run[] = {{"program", S, true}, {"args", A, false}, {"on", S, false},
                           {"ranks", I, false}, {"hosts", A, false},
                           {"checkpoint_every", N, false}};
constexpr ArgSpec migrate[] = {{"process", I, true}, {"host", S, true}};
constexpr ArgSpec checkpoint[] = {{"process", I, true}, {"file", S, false}};
constexpr ArgSpec restart[] = {{"file", S, true}, {"on", S, false}, {"program", S, false}};
constexpr ArgSpec kill[] = {{"process", I, true}, {"signal", I, false}};
constexpr ArgSpec subscribe[] = {{"events", A, false}};
// Host reports (notifications from snowd).
constexpr ArgSpec heartbeat[] = {{"load", N, true}, {"processes", I, true}};
constexpr ArgSpec output[] = {{"process", I, true}, {"stream", S, true}, {"data", S, true}};
constexpr ArgSpec exited[] = {{"process", I, true},
                              {"status", I, true},
                              {"signal", I, false},
                              {"poll_points", I, false},
                              {"reason", S, false}};
constexpr ArgSpec checkpointed[] = {{"process", I, true},
                                    {"migration", I, true},
                                    {"file", S, true},
                                    {"bytes", I, true},
                                    {"collect_ms", N, true}};
constexpr ArgSpec restored[] = {
    {"process", I, true}, {"migration", I, true}, {"restore_ms", N, true}};
constexpr ArgSpec migration_failed[] = {
    {"process", I, true}, {"migration", I, true}, {"reason", S, true}};
constexpr ArgSpec migration_sent[] = {
    {"process", I, true}, {"migration", I, true}, {"bytes", I, true}, {"sent_ms", N, true}};
constexpr ArgSpec migrated_out[] = {{"process", I, true},
                                    {"migration", I, true},
                                    {"bytes", I, true},
                                    {"sent_ms", N, true},
                                    {"restore_ms", N, true}};
// A periodic checkpoint's steps (coordinated_snapshot.hpp in the runtime).
constexpr ArgSpec snapshot_paused[] = {{"process", I, true}, {"round", I, true}, {"poll", I, true}};
constexpr ArgSpec snapshot_written[] = {{"process", I, true}, {"round", I, true}, {"bytes", I, true},
                                        {"ms", N, true},      {"file", S, true}};
constexpr ArgSpec snapshot_failed[] = {{"process", I, true}, {"round", I, true}, {"reason", S, true}};
// A process's location-directory line, up (host report) or down (scheduler request).
constexpr ArgSpec directory[] = {{"process", I, true}, {"line", S, true}};
// Scheduler → host requests.
constexpr ArgSpec spawn[] = {{"process", I, true},
                             {"executable", S, true},
                             {"args", A, false},
                             {"restart", S, false},
                             {"migration", I, false},
                             {"group", O, false},
                             {"skip_output", O, false}};
constexpr ArgSpec snapshot_out[] = {{"process", I, true}, {"round", I, true}, {"file", S, true}};
constexpr ArgSpec snapshot_order[] = {{"process", I, true}, {"round", I, true}, {"order", S, true}};
constexpr ArgSpec checkpoint_out[] = {{"process", I, true}, {"migration", I, true}};
constexpr ArgSpec prepare_incoming[] = {{"process", I, true},
                                        {"migration", I, true},
                                        {"executable", S, true},
                                        {"args", A, false},
                                        {"secret", S, true}};
constexpr ArgSpec migrate_out[] = {{"process", I, true},
                                   {"migration", I, true},
                                   {"address", S, true},
                                   {"port", I, true},
                                   {"secret", S, true}};

#define SNOW_COMMAND(name, args)                                                                   \
  { name, args, static_cast<int>(std::size(args)) }
#define SNOW_COMMAND_WITHOUT_ARGS(name)                                                            \
  { name, none, 0 }
const CommandSpec commands[] = {
    SNOW_COMMAND("hello", hello),
    SNOW_COMMAND_WITHOUT_ARGS("list-hosts"),
    SNOW_COMMAND_WITHOUT_ARGS("list-processes"),
    SNOW_COMMAND("run", run),
    SNOW_COMMAND("migrate", migrate),
    SNOW_COMMAND("checkpoint", checkpoint),
    SNOW_COMMAND("restart", restart),
    SNOW_COMMAND("kill", kill),
    SNOW_COMMAND("subscribe", subscribe),
    SNOW_COMMAND("heartbeat", heartbeat),
    SNOW_COMMAND("output", output),
    SNOW_COMMAND("exited", exited),
    SNOW_COMMAND("checkpointed", checkpointed),
    SNOW_COMMAND("restored", restored),
    SNOW_COMMAND("migration-failed", migration_failed),
    SNOW_COMMAND("spawn", spawn),
    SNOW_COMMAND("checkpoint-out", checkpoint_out),
    SNOW_COMMAND("migration-sent", migration_sent),
    SNOW_COMMAND("migrated-out", migrated_out),
    SNOW_COMMAND("prepare-incoming", prepare_incoming),
    SNOW_COMMAND("migrate-out", migrate_out),
    SNOW_COMMAND("directory", directory),
    SNOW_COMMAND("snapshot-out", snapshot_out),
    SNOW_COMMAND("snapshot-order", snapshot_order),
    SNOW_COMMAND("snapshot-paused", snapshot_paused),
    SNOW_COMMAND("snapshot-written", snapshot_written),
    SNOW_COMMAND("snapshot-failed", snapshot_failed),
    SNOW_COMMAND("snapshot-deferred", snapshot_failed),
};
#undef SNOW_COMMAND
#undef SNOW_COMMAND_WITHOUT_ARGS

const char *type_name(ArgType type) {
  switch (type) {
  case ArgType::String:
    return "a string";
  case ArgType::Integer:
    return "an integer";
  case ArgType::Number:
    return "a number";
  case ArgType::StringArray:
    return "an array of strings";
  case ArgType::Object:
    return "an object";
  }
  return "?";
}

bool has_type(const Json &value, ArgType type) {
  switch (type) {
  case ArgType::String:
    return value.is_string();
  case ArgType::Integer:
    return value.is_number_integer();
  case ArgType::Number:
    return value.is_number();
  case ArgType::Object:
    return value.is_object();
  case ArgType::StringArray:
    if (!value.is_array())
      return false;
    for (const Json &item : value)
      if (!item.is_string())
        return false;
    return true;
  }
  return false;
}

} // namespace

const CommandSpec *find_command(const std::string &name) {
  for (const CommandSpec &spec : commands)
    if (name == spec.name)
      return &spec;
  return nullptr;
}

void check_arguments(const CommandSpec &spec, const Json &args) {
  const std::string command = spec.name;
  for (int i = 0; i < spec.arg_count; ++i) {
    const ArgSpec &arg = spec.args[i];
    const auto it = args.find(arg.name);
    if (it == args.end()) {
      if (arg.required)
        throw ProtocolError("invalid-arguments",
                            "'" + command + "' needs the argument '" + arg.name + "'");
      continue;
    }
    if (!has_type(*it, arg.type))
      throw ProtocolError("invalid-arguments", "the argument '" + std::string(arg.name) + "' of '" +
                                                   command + "' must be " + type_name(arg.type));
  }
  for (const auto &[key, value] : args.items()) {
    bool known = false;
    for (int i = 0; i < spec.arg_count; ++i)
      known = known || key == spec.args[i].name;
    if (!known)
      throw ProtocolError("invalid-arguments", "'" + command + "' takes no argument '" + key + "'");
  }
}

} // namespace snow::system
