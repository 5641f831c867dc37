// Error codes: every code has a distinct kebab-case name that parses back to it (the IPC and
// the CLI print these names; scripts and tests match on them).
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"

namespace liseur {
namespace {

TEST(ErrorCodes, EveryCodeHasADistinctKebabCaseNameThatParsesBack) {
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(ErrorCode::kSpeechDispatcherFailed); ++i) {
    auto code = static_cast<ErrorCode>(i);
    std::string name(errorCodeName(code));
    ASSERT_FALSE(name.empty());
    if (code != ErrorCode::kInternal) {
      EXPECT_NE(name, "internal") << "code " << i << " has no name";
    }
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '-') << name;
    EXPECT_TRUE(seen.insert(name).second) << "name used twice: " << name;
    EXPECT_EQ(errorCodeFromName(name), code) << name;
  }
}

TEST(ErrorCodes, NamesAreStable) {
  EXPECT_EQ(errorCodeName(ErrorCode::kConfigLocked), "config-locked");
  EXPECT_EQ(errorCodeName(ErrorCode::kConfigWriteFailed), "config-write-failed");
  EXPECT_EQ(errorCodeName(ErrorCode::kHotkeyTaken), "hotkey-taken");
  EXPECT_EQ(errorCodeFromName("no-such-code"), ErrorCode::kInternal);
}

}  // namespace
}  // namespace liseur
