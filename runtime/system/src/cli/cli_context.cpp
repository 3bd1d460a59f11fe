#include "cli_context.hpp"

#include "common/state_dir.hpp"
#include "common/token.hpp"

#include <fstream>
#include <stdexcept>

namespace snow::system {

void CliContext::connect(BlockingClient &client) const {
  unsigned short p = port;
  std::string address = "127.0.0.1";
  if (p == 0) {
    const std::string endpoint = endpoint_path(state_dir);
    std::ifstream in(endpoint);
    const Json doc = in ? Json::parse(in, nullptr, false) : Json();
    if (!doc.is_object() || !doc.contains("port"))
      throw std::runtime_error("no scheduler is running for '" + state_dir + "' (no " + endpoint +
                               "); start one with `snow cluster up` or give --port");
    p = doc["port"].get<unsigned short>();
    // A scheduler listening on one address (a cluster network's bridge) is reached there.
    const std::string listen = doc.value("listen", "127.0.0.1");
    if (listen != "0.0.0.0" && listen != "::")
      address = listen;
  }
  client.connect(address, p);
  const std::string token =
      read_token_file(token_file.empty() ? token_path(state_dir) : token_file);
  client.request("hello", {{"token", token}, {"role", "client"}});
}

} // namespace snow::system
