// What snow-precompile tells the user: every problem with file:line:col, a
// severity, and a stable code, printed like a compiler's and kept for the
// JSON report. Any error makes the tool exit non-zero and write no output.
#pragma once

#include "clang/Basic/SourceLocation.h"
#include "clang/Basic/SourceManager.h"

#include <string>
#include <vector>

namespace snow::precompile {

struct Diagnostic {
  enum class Severity { Error, Warning, Note };
  Severity severity = Severity::Error;
  std::string code;  // e.g. "inline-asm", "untyped-allocation"
  std::string file;
  unsigned line = 0;
  unsigned column = 0;
  std::string message;
};

class DiagnosticLog {
public:
  void report(Diagnostic::Severity severity, const std::string &code, const clang::SourceManager &sm,
              clang::SourceLocation where, const std::string &message);
  void report_plain(Diagnostic::Severity severity, const std::string &code, const std::string &message);
  void add(Diagnostic d);

  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  const std::vector<Diagnostic> &all() const { return diagnostics_; }
  // Prints "file:line:col: error: message [code]" for each, in order.
  void print(std::FILE *out) const;

private:
  std::vector<Diagnostic> diagnostics_;
  std::size_t errors_ = 0;
};

} // namespace snow::precompile
