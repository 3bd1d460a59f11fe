#include "PollPointPragma.h"

#include "clang/Lex/Preprocessor.h"

#include <memory>

namespace snow::precompile {

namespace {

clang::Token made_token(clang::tok::TokenKind kind, clang::SourceLocation at) {
  clang::Token t;
  t.startToken();
  t.setKind(kind);
  t.setLocation(at);
  return t;
}

clang::Token marker_token(const std::string &spelling, clang::SourceLocation at) {
  clang::Token t = made_token(clang::tok::string_literal, at);
  t.setLiteralData(spelling.c_str());
  t.setLength(static_cast<unsigned>(spelling.size()));
  return t;
}

} // namespace

void PollPointPragma::HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer, clang::Token &first) {
  (void)first;
  clang::SourceManager &sm = pp.getSourceManager();
  clang::Token tok;
  pp.Lex(tok);
  const std::string word = tok.is(clang::tok::identifier) ? tok.getIdentifierInfo()->getName().str() : "";
  const clang::SourceLocation word_at = tok.getLocation();
  // The rest of the line, as tokens (the cutoff's condition is among them).
  std::vector<clang::Token> rest;
  clang::SourceLocation end = tok.getEndLoc();
  for (pp.Lex(tok); tok.isNot(clang::tok::eod); pp.Lex(tok)) {
    rest.push_back(tok);
    end = tok.getEndLoc();
  }
  if ((word == "poll" || word == "cutoff") && at_file_scope_ && at_file_scope_(introducer.Loc)) {
    log_.report(Diagnostic::Severity::Error, "pragma-outside-function", sm, word_at,
                "'#pragma snow " + word + "' belongs inside a function body, " +
                    (word == "poll" ? std::string("before the statement where the poll-point goes")
                                    : std::string("first in the function whose calls it cuts off")));
    return;
  }
  if (word == "poll") {
    found_.push_back({introducer.Loc, end, false});
    // Inject `"__snow_poll__";` where the pragma stood.
    static const std::string spelling = std::string("\"") + kUserPollMarker + "\"";
    auto toks = std::make_unique<clang::Token[]>(2);
    toks[0] = marker_token(spelling, introducer.Loc);
    toks[1] = made_token(clang::tok::semi, introducer.Loc);
    pp.EnterTokenStream(std::move(toks), 2, /*DisableMacroExpansion=*/true, /*IsReinject=*/false);
    return;
  }
  if (word == "cutoff") {
    // `cutoff ( condition )`, the parentheses balanced and nothing after them.
    int depth = 0;
    std::size_t close = 0;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i].is(clang::tok::l_paren)) ++depth;
      if (rest[i].is(clang::tok::r_paren) && --depth == 0) {
        close = i;
        break;
      }
    }
    if (rest.empty() || rest.front().isNot(clang::tok::l_paren) || close < 2 || close + 1 != rest.size()) {
      log_.report(Diagnostic::Severity::Error, "bad-cutoff", sm, word_at,
                  "expected '#pragma snow cutoff(<condition>)': one parenthesized condition on the function's "
                  "parameters, and nothing after it");
      return;
    }
    found_.push_back({introducer.Loc, end, true});
    // Inject `if (condition) "__snow_cutoff__";`: the condition keeps its own
    // tokens (and locations), so clang checks it where it stands.
    static const std::string spelling = std::string("\"") + kCutoffMarker + "\"";
    const std::size_t n = rest.size() + 3;
    auto toks = std::make_unique<clang::Token[]>(n);
    toks[0] = made_token(clang::tok::kw_if, introducer.Loc);
    toks[0].setIdentifierInfo(pp.getIdentifierInfo("if"));
    for (std::size_t i = 0; i < rest.size(); ++i) toks[i + 1] = rest[i];
    toks[n - 2] = marker_token(spelling, introducer.Loc);
    toks[n - 1] = made_token(clang::tok::semi, introducer.Loc);
    pp.EnterTokenStream(std::move(toks), static_cast<unsigned>(n), /*DisableMacroExpansion=*/true,
                        /*IsReinject=*/false);
    return;
  }
  log_.report(Diagnostic::Severity::Error, "unknown-pragma", sm, word_at,
              "unknown SnowMigrate pragma; there are '#pragma snow poll' and '#pragma snow cutoff(<condition>)'");
}

} // namespace snow::precompile
