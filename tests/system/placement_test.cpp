// Placement: the least loaded host whose platform has a build.
#include "protocol/protocol_error.hpp"
#include "scheduler/placement.hpp"

#include <gtest/gtest.h>

using namespace snow::system;

namespace {

Json host(const std::string &name, const std::string &platform, int cpus) {
  return {{"name", name},
          {"platform", platform},
          {"byte_order", "little"},
          {"word_size", 8},
          {"cpus", cpus}};
}

const std::map<std::string, std::string> everywhere = {
    {"x86_64", "/a"}, {"s390x", "/b"}, {"ppc", "/c"}, {"i686", "/d"}};

std::string refusal(HostRegistry &hosts, const std::map<std::string, std::string> &exes,
                    const std::string &on) {
  try {
    place_process(hosts, exes, on);
  } catch (const ProtocolError &e) {
    return e.code();
  }
  return "placed";
}

TEST(Placement, PicksTheHostWithFewestProcessesPerCpu) {
  HostRegistry hosts;
  hosts.add(host("a", "x86_64", 1), nullptr).processes = 1;
  hosts.add(host("b", "s390x", 4), nullptr).processes = 2;
  hosts.add(host("c", "ppc", 1), nullptr).processes = 1;
  EXPECT_EQ(place_process(hosts, everywhere, "").name, "b");
  hosts.find("b")->processes = 8;
  EXPECT_EQ(place_process(hosts, everywhere, "").name, "a");
}

TEST(Placement, OnlyConsidersPlatformsWithABuild) {
  HostRegistry hosts;
  hosts.add(host("a", "x86_64", 1), nullptr).processes = 5;
  hosts.add(host("b", "s390x", 1), nullptr);
  EXPECT_EQ(place_process(hosts, {{"x86_64", "/a"}}, "").name, "a");
  EXPECT_EQ(refusal(hosts, {{"armhf", "/e"}}, ""), "no-build-for-platform");
}

TEST(Placement, HonoursTheRequestedHost) {
  HostRegistry hosts;
  hosts.add(host("a", "x86_64", 1), nullptr).processes = 5;
  hosts.add(host("b", "s390x", 1), nullptr);
  EXPECT_EQ(place_process(hosts, everywhere, "a").name, "a");
  EXPECT_EQ(refusal(hosts, everywhere, "zz"), "no-such-host");
  EXPECT_EQ(refusal(hosts, {{"x86_64", "/a"}}, "b"), "no-build-for-platform");
}

TEST(Placement, NoHostsIsItsOwnError) {
  HostRegistry hosts;
  EXPECT_EQ(refusal(hosts, everywhere, ""), "no-hosts");
}

TEST(HostRegistry, RefusesADuplicateNameAndABadDescription) {
  HostRegistry hosts;
  hosts.add(host("a", "x86_64", 1), nullptr);
  EXPECT_THROW(hosts.add(host("a", "ppc", 1), nullptr), ProtocolError);
  Json bad = host("b", "ppc", 1);
  bad["byte_order"] = "middle";
  EXPECT_THROW(hosts.add(bad, nullptr), ProtocolError);
  EXPECT_THROW(hosts.add(host("c", "ppc", 0), nullptr), ProtocolError);
}

} // namespace
