// The live migration's line decoders (runtime/src/exec/migration_link.hpp);
// tests/fuzz/fuzz_migration_link.cpp fuzzes the same functions.
#include "exec/migration_link.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

using namespace snow::exec;

namespace {

TEST(MigrationLink, ParsesAMigrateCommand) {
  const auto t = parse_migrate_command("migrate 10.0.0.3 40123 s3cr3t");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "10.0.0.3");
  EXPECT_EQ(t->port, 40123);
  EXPECT_EQ(t->secret, "s3cr3t");
}

TEST(MigrationLink, RefusesMalformedMigrateCommands) {
  for (const char *line : {"", "checkpoint", "migrate", "migrate h 80", "migrate h 0 s", "migrate h 65536 s",
                           "migrate h -1 s", "migrate h 80 s extra", "migrat h 80 s", "migrate h port s"})
    EXPECT_FALSE(parse_migrate_command(line)) << line;
}

TEST(MigrationLink, AcceptsOnlyTheSourceWithTheSecret) {
  EXPECT_EQ(check_source_hello("SNOWMIG 1 abc", "abc"), SourceHello::Accepted);
  EXPECT_EQ(check_source_hello("SNOWMIG 1 abd", "abc"), SourceHello::WrongSecret);
  EXPECT_EQ(check_source_hello("SNOWMIG 1 ab", "abc"), SourceHello::WrongSecret);
  EXPECT_EQ(check_source_hello("SNOWMIG 1 abcd", "abc"), SourceHello::WrongSecret);
  EXPECT_EQ(check_source_hello("SNOWMIG 1 ", ""), SourceHello::WrongSecret);  // no secret, no entry
  EXPECT_EQ(check_source_hello("SNOWMIG 2 abc", "abc"), SourceHello::NotASource);
  EXPECT_EQ(check_source_hello("GET / HTTP/1.1", "abc"), SourceHello::NotASource);
}

TEST(MigrationLink, ComparesSecretsExactly) {
  EXPECT_TRUE(secrets_equal("abc", "abc"));
  EXPECT_FALSE(secrets_equal("abc", "abd"));
  EXPECT_FALSE(secrets_equal("", "abc"));
  EXPECT_FALSE(secrets_equal("abcabc", "abc"));  // the expected secret repeated
  EXPECT_FALSE(secrets_equal("", ""));
}

TEST(MigrationLink, ReadsTheDestinationsVerdict) {
  const RestoreVerdict ok = parse_restore_verdict("restored 12.500");
  EXPECT_TRUE(ok.restored);
  EXPECT_EQ(ok.detail, " 12.500");
  const RestoreVerdict failed = parse_restore_verdict("failed the stream is truncated");
  EXPECT_FALSE(failed.restored);
  EXPECT_EQ(failed.detail, "the stream is truncated");
  const RestoreVerdict other = parse_restore_verdict("accepted");
  EXPECT_FALSE(other.restored);
  EXPECT_EQ(other.detail, "it answered 'accepted'");
}

TEST(MigrationLink, ReadsLinesUpToTheLimitAndNoFurther) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const std::string sent = "accepted\n0123\n01234\nrest";
  ASSERT_EQ(send(fds[1], sent.data(), sent.size(), 0), static_cast<ssize_t>(sent.size()));
  MigrationLink link(fds[0]);
  EXPECT_EQ(link.read_line(1000, 8), "accepted");
  EXPECT_EQ(link.read_line(1000, 4), "0123");
  EXPECT_THROW(link.read_line(1000, 4), std::runtime_error);  // "01234" is overlong
  close(fds[1]);
}

TEST(MigrationLink, AnEndOfStreamWithoutNewlineIsAnError) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(send(fds[1], "commit", 6, 0), 6);
  close(fds[1]);
  MigrationLink link(fds[0]);
  EXPECT_THROW(link.read_line(1000), std::runtime_error);
}

} // namespace
