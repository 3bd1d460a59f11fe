// snow-precompile as a library: all of a program's sources in, migratable C
// and a JSON report out. Pass 1 reads every unit and decides what migrates;
// pass 2 rewrites each unit. Nothing is written if any error is reported.
#pragma once

#include "Diagnostics.h"
#include "MigrationPlan.h"

#include <string>
#include <vector>

namespace snow::precompile {

struct Options {
  std::vector<std::string> sources;
  std::string output_dir = ".";
  std::string report_path;           // default: <output_dir>/snow-report.json
  PollMode mode = PollMode::Both;
  std::string unit_root;             // unit names are source paths relative to this (default: cwd)
  std::string depfile;               // Makefile-style, for CMake's DEPFILE
  std::string program_name = "program";
  std::vector<std::string> compile_flags;  // for every source, after the database's own
  std::string compilation_database_dir;    // -p: compile_commands.json with each source's flags
};

// The outputs written, in the order of `options.sources`.
struct Result {
  std::vector<std::string> outputs;
  std::string report;
};

// Returns 0 on success, 1 when a diagnostic is an error (nothing written),
// 2 when a source cannot be parsed.
int precompile(const Options &options, DiagnosticLog &log, Result &result);

// For tests: precompile in-memory sources (name → text) and return the rewritten
// text of each; no files are read or written.
int precompile_in_memory(const std::vector<std::pair<std::string, std::string>> &sources,
                         const std::vector<std::string> &flags, PollMode mode, DiagnosticLog &log,
                         std::vector<std::string> &outputs, std::string *report_json = nullptr);

} // namespace snow::precompile
