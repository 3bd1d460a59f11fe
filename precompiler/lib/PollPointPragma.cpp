#include "PollPointPragma.h"

#include "clang/Lex/Preprocessor.h"

#include <memory>

namespace snow::precompile {

void PollPointPragma::HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer, clang::Token &first) {
  clang::Token tok;
  pp.Lex(tok);
  const bool is_poll = tok.is(clang::tok::identifier) && tok.getIdentifierInfo()->getName() == "poll";
  const clang::SourceLocation word = tok.getLocation();
  clang::SourceLocation end = tok.getEndLoc();
  while (tok.isNot(clang::tok::eod)) {
    end = tok.getEndLoc();
    pp.Lex(tok);
  }
  if (!is_poll) {
    log_.report(Diagnostic::Severity::Error, "unknown-pragma", pp.getSourceManager(), word,
                "unknown SnowMigrate pragma; the only one is '#pragma snow poll'");
    return;
  }
  found_.push_back({introducer.Loc, end});
  // Inject `"__snow_poll__";` where the pragma stood.
  auto toks = std::make_unique<clang::Token[]>(2);
  toks[0].startToken();
  toks[0].setKind(clang::tok::string_literal);
  static const std::string spelling = std::string("\"") + kUserPollMarker + "\"";
  toks[0].setLiteralData(spelling.c_str());
  toks[0].setLength(static_cast<unsigned>(spelling.size()));
  toks[0].setLocation(introducer.Loc);
  toks[1].startToken();
  toks[1].setKind(clang::tok::semi);
  toks[1].setLocation(introducer.Loc);
  pp.EnterTokenStream(std::move(toks), 2, /*DisableMacroExpansion=*/true, /*IsReinject=*/false);
  (void)first;
}

} // namespace snow::precompile
