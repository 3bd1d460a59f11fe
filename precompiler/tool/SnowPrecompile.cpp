// snow-precompile — turns C sources into migratable C (see docs/precompiler.md).
//
//   snow-precompile [options] <source.c>… [-- <compiler flags>]
//     -o, --output-dir DIR   where <name>.snow.c files go (default .)
//     --report FILE          the JSON report (default DIR/snow-report.json)
//     --poll-points MODE     directives | auto | both (default both)
//     --unit-root DIR        unit names are source paths relative to DIR
//     --depfile FILE         a Makefile-style dependency file
//     --program NAME         the program's name in the report
//     -p DIR                 each source's flags from DIR/compile_commands.json
//     --print-include-dir    print where <snow/snow.h> is, and exit
#include "Precompiler.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace snow::precompile;

static int usage(const char *why) {
  if (why) std::fprintf(stderr, "snow-precompile: %s\n", why);
  std::fprintf(stderr,
               "usage: snow-precompile [-o DIR] [--report FILE] [--poll-points directives|auto|both]\n"
               "                       [--unit-root DIR] [--depfile FILE] [--program NAME] [-p BUILD_DIR]\n"
               "                       <source.c>... [-- <flags>]\n");
  return 2;
}

int main(int argc, char **argv) {
  Options options;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char *name) -> const char * {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "-o" || a == "--output-dir") {
      const char *v = value("-o");
      if (!v) return usage("-o needs a directory");
      options.output_dir = v;
    } else if (a == "--report") {
      const char *v = value("--report");
      if (!v) return usage("--report needs a file");
      options.report_path = v;
    } else if (a == "--poll-points") {
      const char *v = value("--poll-points");
      if (!v) return usage("--poll-points needs a mode");
      if (!std::strcmp(v, "directives")) options.mode = PollMode::Directives;
      else if (!std::strcmp(v, "auto")) options.mode = PollMode::Automatic;
      else if (!std::strcmp(v, "both")) options.mode = PollMode::Both;
      else return usage("--poll-points takes directives, auto or both");
    } else if (a == "--unit-root") {
      const char *v = value("--unit-root");
      if (!v) return usage("--unit-root needs a directory");
      options.unit_root = v;
    } else if (a == "--depfile") {
      const char *v = value("--depfile");
      if (!v) return usage("--depfile needs a file");
      options.depfile = v;
    } else if (a == "--program") {
      const char *v = value("--program");
      if (!v) return usage("--program needs a name");
      options.program_name = v;
    } else if (a == "-p") {
      const char *v = value("-p");
      if (!v) return usage("-p needs the directory of compile_commands.json");
      options.compilation_database_dir = v;
    } else if (a == "--print-include-dir") {
      std::printf("%s\n", SNOW_RUNTIME_INCLUDE_DIR);
      return 0;
    } else if (a == "-h" || a == "--help") {
      return usage(nullptr);
    } else if (!a.empty() && a[0] == '-') {
      return usage(("unknown option '" + a + "'").c_str());
    } else {
      options.sources.push_back(a);
    }
  }
  for (; i < argc; ++i) options.compile_flags.push_back(argv[i]);
  if (options.sources.empty()) return usage("no source files");

  DiagnosticLog log;
  Result result;
  const int rc = precompile(options, log, result);
  log.print(stderr);
  if (rc == 0 && log.error_count() == 0) return 0;
  std::fprintf(stderr, "snow-precompile: %zu error(s); no output written\n", log.error_count());
  return rc == 0 ? 1 : rc;
}
