// An error the API reports to its peer: a stable code that scripts test, and a
// message a person reads (docs/protocol.md, "Errors").
#pragma once

#include <stdexcept>
#include <string>

namespace snow::system {

class ProtocolError : public std::runtime_error {
public:
  ProtocolError(std::string code, const std::string &message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string &code() const { return code_; }

private:
  std::string code_;
};

} // namespace snow::system
