// snowd reads the runtime's SNOW_VERBOSE lines as checkpoint and restart phases.
#include "daemon/runtime_notice.hpp"

#include <gtest/gtest.h>

using namespace snow::system;

TEST(RuntimeNotice, RecognisesTheRuntimesLines) {
  auto n = parse_runtime_notice("snow: checkpoint written to '/s/p1-1.snow' at poll-point 12\n");
  EXPECT_EQ(n.kind, RuntimeNotice::CheckpointWritten);
  EXPECT_EQ(n.detail, "/s/p1-1.snow");
  n = parse_runtime_notice(
      "snow: checkpoint at poll-point 3 failed, the program continues: a live pointer\n");
  EXPECT_EQ(n.kind, RuntimeNotice::CheckpointFailed);
  EXPECT_EQ(n.detail, "a live pointer");
  EXPECT_EQ(parse_runtime_notice("snow: restarting from '/f' (written on s390x)\n").kind,
            RuntimeNotice::Restarting);
  EXPECT_EQ(parse_runtime_notice("snow: restarted from '/f' at depth 2\n").kind,
            RuntimeNotice::Restarted);
  n = parse_runtime_notice(
      "snow: restarting from the migration from 10.77.0.10:37788 (written on s390x)\n");
  EXPECT_EQ(n.kind, RuntimeNotice::LiveMigration);
  EXPECT_EQ(parse_runtime_notice("snow: restarted from the migration from [::1]:5 at depth 2\n").kind,
            RuntimeNotice::LiveMigration);
  EXPECT_EQ(parse_runtime_notice("snow: migrated to 10.77.0.11:39323 (8022991 bytes) at poll-point 7\n")
                .kind,
            RuntimeNotice::LiveMigration);
  n = parse_runtime_notice("snow: migration at poll-point 3 failed, the program continues here: "
                           "cannot connect to the destination 10.0.0.1:1: refused\n");
  EXPECT_EQ(n.kind, RuntimeNotice::LiveMigration);
  EXPECT_EQ(n.detail, "cannot connect to the destination 10.0.0.1:1: refused");
  n = parse_runtime_notice("snow: exiting after 42 poll-points\n");
  EXPECT_EQ(n.kind, RuntimeNotice::PollCount);
  EXPECT_EQ(n.count, 42u);
}

TEST(RuntimeNotice, LeavesTheProgramsOwnOutputAlone) {
  EXPECT_EQ(parse_runtime_notice("checksum 10100\n").kind, RuntimeNotice::None);
  EXPECT_EQ(parse_runtime_notice("snow: restarted from nowhere\n").kind, RuntimeNotice::None);
  EXPECT_EQ(parse_runtime_notice("snow: migrated to the moon\n").kind, RuntimeNotice::None);
  EXPECT_EQ(parse_runtime_notice("snowfall: checkpoint written to 'x' at poll-point 1\n").kind,
            RuntimeNotice::None);
}
