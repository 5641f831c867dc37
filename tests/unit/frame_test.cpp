#include "core/frame.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace liseur {
namespace {

TEST(FrameReader, RoundTripsSplitAcrossFeeds) {
  std::string bytes = encodeFrame({{"ev", "pcm"}, {"gen", 3}}, std::string("\x01\x02\x00\x03", 4));
  bytes += encodeFrame({{"ev", "end"}});
  FrameReader r;
  std::vector<Frame> got;
  for (char c : bytes) {  // one byte at a time: the worst split
    r.feed(&c, 1);
    while (true) {
      auto f = r.next();
      ASSERT_TRUE(f.ok()) << f.error().message;
      if (!f->has_value()) break;
      got.push_back(std::move(**f));
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].header["gen"], 3);
  EXPECT_EQ(got[0].payload, std::string("\x01\x02\x00\x03", 4));
  EXPECT_EQ(got[1].header["ev"], "end");
  EXPECT_EQ(r.buffered(), 0u);
}

TEST(FrameReader, RejectsOversizedLengths) {
  std::string bad("\xff\xff\xff\x7f\x00\x00\x00\x00", 8);
  FrameReader r;
  r.feed(bad.data(), bad.size());
  auto f = r.next();
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("too large"), std::string::npos) << f.error().message;
}

TEST(FrameReader, RejectsNonObjectHeader) {
  std::string h = "[1,2]";
  std::string bytes = std::string("\x05\x00\x00\x00\x00\x00\x00\x00", 8) + h;
  FrameReader r;
  r.feed(bytes.data(), bytes.size());
  EXPECT_FALSE(r.next().ok());
}

TEST(Frame, BlockingReadWriteOverSocketpair) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_TRUE(writeFrame(sv[0], {{"op", "ping"}}, "abc").ok());
  auto f = readFrame(sv[1]);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->header["op"], "ping");
  EXPECT_EQ(f->payload, "abc");
  ::close(sv[0]);
  auto eof = readFrame(sv[1]);
  ASSERT_FALSE(eof.ok());
  EXPECT_EQ(eof.error().code, ErrorCode::kWorkerCrashed);
  ::close(sv[1]);
}

}  // namespace
}  // namespace liseur
