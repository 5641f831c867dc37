// The interval of `liseur watch --every` (control/watch_interval.h): units, range, and errors that
// quote what was written.
#include "control/watch_interval.h"

#include <gtest/gtest.h>

#include <string>

namespace liseur {
namespace {

using std::chrono::milliseconds;

TEST(WatchInterval, UnitsAsPeopleWriteThem) {
  EXPECT_EQ(*parseWatchInterval("1s"), milliseconds(1000));
  EXPECT_EQ(*parseWatchInterval("2.5s"), milliseconds(2500));
  EXPECT_EQ(*parseWatchInterval("500ms"), milliseconds(500));
  EXPECT_EQ(*parseWatchInterval("1m"), milliseconds(60000));
  EXPECT_EQ(*parseWatchInterval("2min"), milliseconds(120000));
  EXPECT_EQ(*parseWatchInterval("3"), milliseconds(3000));  // plain seconds
  EXPECT_EQ(*parseWatchInterval("250ms"), kMinWatchInterval);
  EXPECT_EQ(*parseWatchInterval("60m"), kMaxWatchInterval);
}

TEST(WatchInterval, ErrorsQuoteTheTextAndSayWhy) {
  auto unit = parseWatchInterval("2h");
  ASSERT_FALSE(unit.ok());
  EXPECT_EQ(unit.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unit.error().message, "watch interval '2h': unknown unit 'h' (ms, s or m)");
  auto range = parseWatchInterval("100ms");
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.error().message, "watch interval '100ms': must be between 250 ms and 60 min");
  EXPECT_FALSE(parseWatchInterval("61m").ok());
  EXPECT_FALSE(parseWatchInterval("").ok());
  EXPECT_FALSE(parseWatchInterval("s").ok());
  EXPECT_FALSE(parseWatchInterval("1e400s").ok());
  EXPECT_FALSE(parseWatchInterval("nan").ok());
  EXPECT_FALSE(parseWatchInterval("-1s").ok());
}

// "1s" followed by a NUL byte and more is not "1s" (the unit used to be read as a C string).
TEST(WatchInterval, NothingAfterTheUnit) {
  EXPECT_FALSE(parseWatchInterval(std::string("1s\0x", 4)).ok());
  EXPECT_FALSE(parseWatchInterval(std::string("1s\0", 3)).ok());
  EXPECT_FALSE(parseWatchInterval("1s ").ok());
}

}  // namespace
}  // namespace liseur
