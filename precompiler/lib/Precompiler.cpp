#include "Precompiler.h"

#include "ConditionalLowering.h"
#include "LoopLowering.h"
#include "PollPointPragma.h"
#include "ProgramFacts.h"
#include "Report.h"
#include "SourceNormalizer.h"
#include "UnitRewriter.h"

#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/Scope.h"
#include "clang/Sema/Sema.h"
#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <set>

namespace snow::precompile {

namespace {

using namespace clang;

// The last character of code before `at` in its file, past blanks and
// comments (a heuristic for pragma placement: strings holding "//" or "*/"
// can fool it, and then Clang's own error stands).
char last_code_character_before(const SourceManager &sm, SourceLocation at) {
  bool invalid = false;
  const FileID file = sm.getFileID(sm.getExpansionLoc(at));
  const StringRef buffer = sm.getBufferData(file, &invalid);
  if (invalid) return 0;
  std::size_t end = sm.getFileOffset(sm.getExpansionLoc(at));
  while (end > 0) {
    const std::size_t line_start = buffer.rfind('\n', end - 1) == StringRef::npos ? 0 : buffer.rfind('\n', end - 1) + 1;
    StringRef line = buffer.slice(line_start, end);
    if (const std::size_t slashes = line.find("//"); slashes != StringRef::npos) line = line.take_front(slashes);
    line = line.rtrim();
    if (line.endswith("*/")) {
      const std::size_t open = buffer.take_front(line_start + line.size() - 2).rfind("/*");
      if (open == StringRef::npos) return 0;
      end = open;
      continue;
    }
    if (!line.empty()) return line.back();
    end = line_start;
  }
  return 0;
}

// Registers the poll-point pragma and hands the parsed unit to `on_unit`.
class UnitAction : public ASTFrontendAction {
public:
  using Callback = std::function<void(ASTContext &, const std::vector<PragmaPollPoint> &)>;
  UnitAction(Callback on_unit, DiagnosticLog &log) : on_unit_(std::move(on_unit)), log_(log) {}

  bool BeginSourceFileAction(CompilerInstance &ci) override {
    CompilerInstance *instance = &ci;
    ci.getPreprocessor().AddPragmaHandler(new PollPointPragma(pragmas_, log_, [instance](SourceLocation hash) {
      if (!instance->hasSema()) return false;
      const Scope *scope = instance->getSema().getCurScope();
      if (scope == nullptr) return false;
      if (scope->getFnParent() == nullptr) return true;
      // The parser reads a token ahead: a pragma right after a function's
      // closing brace comes while the function's own scope (the body's) is
      // still the current one. After an inner block's brace it is that
      // block's scope, which is not the function's.
      return scope->getFnParent() == scope &&
             last_code_character_before(instance->getSourceManager(), hash) == '}';
    }));
    return true;
  }
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &, StringRef) override {
    struct Consumer : ASTConsumer {
      UnitAction &self;
      explicit Consumer(UnitAction &s) : self(s) {}
      void HandleTranslationUnit(ASTContext &ctx) override {
        if (ctx.getDiagnostics().hasErrorOccurred()) return;  // Clang has said why
        self.on_unit_(ctx, self.pragmas_);
      }
    };
    return std::make_unique<Consumer>(*this);
  }

private:
  Callback on_unit_;
  DiagnosticLog &log_;
  std::vector<PragmaPollPoint> pragmas_;
};

class Factory : public tooling::FrontendActionFactory {
public:
  Factory(UnitAction::Callback cb, DiagnosticLog &log) : cb_(std::move(cb)), log_(log) {}
  std::unique_ptr<FrontendAction> create() override { return std::make_unique<UnitAction>(cb_, log_); }

private:
  UnitAction::Callback cb_;
  DiagnosticLog &log_;
};

std::string absolute(const std::string &path) {
  llvm::SmallString<256> p(path);
  llvm::sys::fs::make_absolute(p);
  llvm::sys::path::remove_dots(p, true);
  return std::string(p);
}

// The source with automatic poll-point markers inserted (same lines, so
// every diagnostic and report position still matches the user's file).
std::string with_auto_markers(const std::string &text, std::vector<LoopSite> sites) {
  std::string out = text;
  std::sort(sites.begin(), sites.end(), [](const LoopSite &a, const LoopSite &b) { return a.offset > b.offset; });
  const std::string marker = std::string(" \"") + kAutoPollMarker + "\"; ";
  for (const LoopSite &s : sites) {
    if (s.braced) {
      out.insert(s.offset, marker);
    } else {
      out.insert(s.end_offset, " }");
      out.insert(s.offset, "{" + marker);
    }
  }
  return out;
}

struct Run {
  std::vector<std::string> sources;  // absolute
  std::map<std::string, std::string> contents;  // virtual files (absolute path → text), empty: read from disk
  std::vector<std::string> flags;
  std::string database_dir;  // empty: `flags` alone
  PollMode mode;
  std::string unit_root;
  std::string program;
};

int run_passes(const Run &run, DiagnosticLog &log, std::vector<std::string> &outputs, std::string &report,
               std::set<std::string> &dependencies) {
  // -Wno-unused-value: the poll-point markers are unused string literals.
  std::vector<std::string> args = {"-fsyntax-only", "-Wno-unknown-pragmas", "-Wno-unused-value"};
  bool has_std = false;
  for (const std::string &f : run.flags) has_std = has_std || f.rfind("-std=", 0) == 0;
  // The build's own -std wins when the flags come from its database.
  if (!has_std && run.database_dir.empty()) args.push_back("-std=gnu11");
  args.insert(args.end(), run.flags.begin(), run.flags.end());
  std::unique_ptr<tooling::CompilationDatabase> owned;
  if (!run.database_dir.empty()) {
    // Each source's own command from the build (-p), our flags after it.
    std::string why;
    owned = tooling::CompilationDatabase::loadFromDirectory(run.database_dir, why);
    if (!owned) {
      std::replace(why.begin(), why.end(), '\n', ' ');
      log.report_plain(Diagnostic::Severity::Error, "compilation-database",
                       "cannot read the compilation database in '" + run.database_dir + "': " + why);
      return 2;
    }
    for (const std::string &src : run.sources)
      if (owned->getCompileCommands(src).empty()) {
        log.report_plain(Diagnostic::Severity::Error, "compilation-database",
                         "'" + src + "' has no compile command in '" + run.database_dir + "/compile_commands.json'");
        return 2;
      }
    owned = std::make_unique<tooling::ArgumentsAdjustingCompilations>(std::move(owned));
    static_cast<tooling::ArgumentsAdjustingCompilations &>(*owned).appendArgumentsAdjuster(
        tooling::getInsertArgumentAdjuster(args, tooling::ArgumentInsertPosition::END));
  } else {
    owned = std::make_unique<tooling::FixedCompilationDatabase>(".", args);
  }
  const tooling::CompilationDatabase &db = *owned;
  set_unit_root(run.unit_root);

  // Pass 1: facts. A unit that needs normalizing (SourceNormalizer.h) or has
  // loops or operators to lower (LoopLowering.h, ConditionalLowering.h) is
  // rewritten in memory and the pass runs again; a hoisted record can reveal one more (a nested untagged one),
  // hence the few rounds.
  std::map<std::string, std::string> contents = run.contents;
  ProgramFacts facts;
  for (int round = 0;; ++round) {
    facts = ProgramFacts{};
    std::map<std::string, std::vector<TextEdit>> edits;
    tooling::ClangTool tool(db, run.sources);
    for (const auto &[path, text] : contents) tool.mapVirtualFile(path, text);
    Factory factory(
        [&](ASTContext &ctx, const std::vector<PragmaPollPoint> &) {
          std::vector<TextEdit> e;
          if (round < 3) {
            e = normalization_edits(ctx);
            std::vector<TextEdit> loops = loop_lowering_edits(ctx);
            e.insert(e.end(), loops.begin(), loops.end());
            std::vector<TextEdit> operands = conditional_lowering_edits(ctx);
            e.insert(e.end(), operands.begin(), operands.end());
          }
          if (!e.empty()) {
            const SourceManager &sm = ctx.getSourceManager();
            edits[sm.getFileEntryForID(sm.getMainFileID())->getName().str()] = std::move(e);
          }
          facts.add_unit(ctx);
        },
        log);
    if (tool.run(&factory) != 0) {
      log.report_plain(Diagnostic::Severity::Error, "parse-error", "a source file could not be parsed (Clang's errors are above)");
      return 2;
    }
    if (edits.empty()) break;
    if (log.has_errors()) return 1;  // said once, not again by the next round
    for (auto &[path, e] : edits) {
      std::string &text = contents[path];
      if (text.empty()) {
        std::ifstream in(path, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      text = apply_edits(text, e);
    }
  }
  facts.link();
  if (!facts.functions.count("main"))
    log.report_plain(Diagnostic::Severity::Warning, "no-main", "no 'main' among the sources: nothing can be resumed");
  const MigrationPlan plan = MigrationPlan::decide(facts, run.mode, log);
  if (log.has_errors()) return 1;

  // Pass 2: rewrite, each unit with its automatic poll-point markers.
  std::map<std::string, std::string> rewritten;
  std::vector<UnitReport> reports;
  std::map<std::string, std::string> marked;  // must outlive the tool: it keeps views of these
  {
    tooling::ClangTool tool(db, run.sources);
    for (const std::string &src : run.sources) {
      std::string &text = marked[src];
      if (auto it = contents.find(src); it != contents.end()) text = it->second;
      else {
        std::ifstream in(src, std::ios::binary);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      auto sites = plan.auto_polls.find(src);
      if (sites != plan.auto_polls.end()) text = with_auto_markers(text, sites->second);
      tool.mapVirtualFile(src, text);
    }
    Factory factory(
        [&](ASTContext &ctx, const std::vector<PragmaPollPoint> &pragmas) {
          const SourceManager &sm = ctx.getSourceManager();
          const std::string path = sm.getFileEntryForID(sm.getMainFileID())->getName().str();
          UnitInput in;
          in.original_path = path;
          in.unit_name = unit_relative(path);
          in.pragmas = &pragmas;
          in.plan = &plan;
          in.facts = &facts;
          UnitReport rep;
          rep.file = path;
          std::string out;
          if (rewrite_unit(ctx, in, log, out, rep)) rewritten[path] = out;
          reports.push_back(std::move(rep));
          for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it)
            if (!it->first->getName().startswith("/usr/")) dependencies.insert(it->first->getName().str());
        },
        log);
    if (tool.run(&factory) != 0) {
      log.report_plain(Diagnostic::Severity::Error, "parse-error", "a source file could not be parsed in the rewriting pass");
      return 2;
    }
  }
  if (log.has_errors()) return 1;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string &src : run.sources) {
    outputs.push_back(rewritten[src]);
    pairs.push_back({src, ""});
  }
  report = report_json(run.program, run.mode, reports, pairs, facts, plan, log);
  return 0;
}

} // namespace

int precompile(const Options &options, DiagnosticLog &log, Result &result) {
  Run run;
  for (const std::string &s : options.sources) run.sources.push_back(absolute(s));
  run.flags = options.compile_flags;
  run.database_dir = options.compilation_database_dir;
  run.mode = options.mode;
  run.unit_root = absolute(options.unit_root.empty() ? "." : options.unit_root);
  run.program = options.program_name;
  std::vector<std::string> texts;
  std::string report;
  std::set<std::string> dependencies;
  const int rc = run_passes(run, log, texts, report, dependencies);
  if (rc != 0) return rc;

  llvm::sys::fs::create_directories(options.output_dir);
  std::set<std::string> names;
  for (std::size_t i = 0; i < run.sources.size(); ++i) {
    std::string stem = llvm::sys::path::stem(run.sources[i]).str();
    std::string name = stem + ".snow.c";
    for (int n = 2; names.count(name); ++n) name = stem + "." + std::to_string(n) + ".snow.c";
    names.insert(name);
    const std::string out = options.output_dir + "/" + name;
    std::ofstream f(out, std::ios::binary);
    f << texts[i];
    if (!f) {
      log.report_plain(Diagnostic::Severity::Error, "io", "cannot write '" + out + "'");
      return 1;
    }
    result.outputs.push_back(out);
  }
  // The report names the outputs.
  for (std::size_t i = 0; i < run.sources.size(); ++i) {
    const std::string needle = "\"source\": \"" + run.sources[i] + "\", \"output\": \"\"";
    const std::size_t at = report.find(needle);
    if (at != std::string::npos)
      report.replace(at, needle.size(), "\"source\": \"" + run.sources[i] + "\", \"output\": \"" + absolute(result.outputs[i]) + "\"");
  }
  result.report = options.report_path.empty() ? options.output_dir + "/snow-report.json" : options.report_path;
  std::ofstream(result.report, std::ios::binary) << report;
  if (!options.depfile.empty()) {
    std::ofstream d(options.depfile);
    d << result.report << ":";
    for (const std::string &dep : dependencies) d << " \\\n  " << dep;
    d << "\n";
  }
  return 0;
}

int precompile_in_memory(const std::vector<std::pair<std::string, std::string>> &sources,
                         const std::vector<std::string> &flags, PollMode mode, DiagnosticLog &log,
                         std::vector<std::string> &outputs, std::string *report_json_out) {
  Run run;
  for (const auto &[name, text] : sources) {
    const std::string path = absolute(name);
    run.sources.push_back(path);
    run.contents[path] = text;
  }
  run.flags = flags;
  run.mode = mode;
  run.unit_root = absolute(".");
  std::string report;
  std::set<std::string> dependencies;
  const int rc = run_passes(run, log, outputs, report, dependencies);
  if (report_json_out) *report_json_out = report;
  return rc;
}

} // namespace snow::precompile
