#include "Diagnostics.h"

#include <cstdio>

namespace snow::precompile {

void DiagnosticLog::report(Diagnostic::Severity severity, const std::string &code, const clang::SourceManager &sm,
                           clang::SourceLocation where, const std::string &message) {
  Diagnostic d;
  d.severity = severity;
  d.code = code;
  d.message = message;
  // A location inside a macro is reported where the user wrote the macro.
  const clang::PresumedLoc p = sm.getPresumedLoc(sm.getFileLoc(where));
  if (p.isValid()) {
    d.file = p.getFilename();
    d.line = p.getLine();
    d.column = p.getColumn();
  }
  // The same problem found by both passes is reported once.
  for (const Diagnostic &o : diagnostics_)
    if (o.code == d.code && o.file == d.file && o.line == d.line && o.column == d.column && o.message == d.message)
      return;
  if (severity == Diagnostic::Severity::Error) ++errors_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticLog::add(Diagnostic d) {
  if (d.severity == Diagnostic::Severity::Error) ++errors_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticLog::report_plain(Diagnostic::Severity severity, const std::string &code, const std::string &message) {
  Diagnostic d;
  d.severity = severity;
  d.code = code;
  d.message = message;
  if (severity == Diagnostic::Severity::Error) ++errors_;
  diagnostics_.push_back(std::move(d));
}

void DiagnosticLog::print(std::FILE *out) const {
  for (const Diagnostic &d : diagnostics_) {
    const char *sev = d.severity == Diagnostic::Severity::Error     ? "error"
                      : d.severity == Diagnostic::Severity::Warning ? "warning"
                                                                    : "note";
    if (d.file.empty())
      std::fprintf(out, "snow-precompile: %s: %s [%s]\n", sev, d.message.c_str(), d.code.c_str());
    else
      std::fprintf(out, "%s:%u:%u: %s: %s [%s]\n", d.file.c_str(), d.line, d.column, sev, d.message.c_str(),
                   d.code.c_str());
  }
}

} // namespace snow::precompile
