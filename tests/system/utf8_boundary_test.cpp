// snowd cuts a process's output only between whole UTF-8 characters.
#include "daemon/utf8_boundary.hpp"

#include <gtest/gtest.h>

using snow::system::complete_utf8_prefix;

TEST(Utf8Boundary, HoldsBackAnIncompleteTrailingCharacter) {
  EXPECT_EQ(complete_utf8_prefix("most frequent \xC3"), 14u);         // ß cut after 1 of 2 bytes
  EXPECT_EQ(complete_utf8_prefix("x\xE2\x82"), 1u);                   // € cut after 2 of 3
  EXPECT_EQ(complete_utf8_prefix("x\xF0\x9F\x98"), 1u);               // an emoji cut after 3 of 4
}

TEST(Utf8Boundary, SendsCompleteTextWhole) {
  EXPECT_EQ(complete_utf8_prefix(""), 0u);
  EXPECT_EQ(complete_utf8_prefix("plain ascii\n"), 12u);
  EXPECT_EQ(complete_utf8_prefix("\xC3\x9F"), 2u);                    // ß
  EXPECT_EQ(complete_utf8_prefix("x\xE2\x82\xAC"), 4u);               // €
  EXPECT_EQ(complete_utf8_prefix("x\xF0\x9F\x98\x80"), 5u);           // 😀
}

TEST(Utf8Boundary, LeavesBytesThatAreNotUtf8ToTheJsonLayer) {
  // Stray continuation bytes or a Latin-1 byte are not held back for ever.
  EXPECT_EQ(complete_utf8_prefix("\x80\x80\x80\x80\x80"), 5u);
  EXPECT_EQ(complete_utf8_prefix("caf\xE9!"), 5u);
}
