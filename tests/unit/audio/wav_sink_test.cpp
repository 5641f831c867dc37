#include "audio/wav_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "support/test_env.h"

namespace liseur {
namespace {

uint32_t le32(const std::string& b, std::size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<uint8_t>(b[at + static_cast<std::size_t>(i)]);
  return v;
}
uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) |
                               (static_cast<uint8_t>(b[at + 1]) << 8));
}

std::vector<int16_t> tone(std::size_t n, int rate) {
  std::vector<int16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<int16_t>(12000 * std::sin(2 * M_PI * 440.0 * static_cast<double>(i) / rate));
  }
  v[0] = -32768;  // extremes survive the trip
  v[n - 1] = 32767;
  return v;
}

std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return out;
}

TEST(WavSink, WritesAPcmFileThatReadsBackIdentically) {
  test::TempXdg xdg;
  const std::string path = xdg.path("out.wav");
  constexpr int kRate = 22050;
  auto in = tone(100'003, kRate);  // more than the 64 KiB write buffer, odd length
  WavSink sink(path);
  ASSERT_TRUE(sink.open(kRate, {}).ok());
  std::size_t at = 0;
  for (std::size_t chunk : {1u, 999u, 40000u, 50000u}) {
    EXPECT_EQ(sink.write(in.data() + at, chunk), chunk) << "chunk of " << chunk;
    at += chunk;
  }
  EXPECT_EQ(sink.write(in.data() + at, in.size() - at), in.size() - at);
  EXPECT_EQ(sink.playedSamples(), in.size());
  EXPECT_EQ(sink.queuedSamples(), 0u);
  EXPECT_EQ(sink.describe(), "wav: " + path);
  auto st = sink.close();
  ASSERT_TRUE(st.ok()) << st.error().message;

  std::string b = test::readFile(path);
  const uint32_t dataBytes = static_cast<uint32_t>(in.size() * 2);
  ASSERT_EQ(b.size(), 44 + dataBytes) << path;
  EXPECT_EQ(b.substr(0, 4), "RIFF");
  EXPECT_EQ(le32(b, 4), 36 + dataBytes) << "RIFF chunk size";
  EXPECT_EQ(b.substr(8, 4), "WAVE");
  EXPECT_EQ(b.substr(12, 4), "fmt ");
  EXPECT_EQ(le32(b, 16), 16u) << "fmt chunk size";
  EXPECT_EQ(le16(b, 20), 1) << "format tag (PCM)";
  EXPECT_EQ(le16(b, 22), 1) << "channels";
  EXPECT_EQ(le32(b, 24), static_cast<uint32_t>(kRate)) << "sample rate";
  EXPECT_EQ(le32(b, 28), static_cast<uint32_t>(kRate * 2)) << "byte rate";
  EXPECT_EQ(le16(b, 32), 2) << "block align";
  EXPECT_EQ(le16(b, 34), 16) << "bits per sample";
  EXPECT_EQ(b.substr(36, 4), "data");
  EXPECT_EQ(le32(b, 40), dataBytes) << "data chunk size";
  for (std::size_t i = 0; i < in.size(); ++i) {
    int16_t s = static_cast<int16_t>(le16(b, 44 + 2 * i));
    ASSERT_EQ(s, in[i]) << "sample " << i;
  }
  // An independent reader agrees (sox is a test dependency).
  EXPECT_EQ(run("soxi -s '" + path + "' 2>&1"), std::to_string(in.size()) + "\n");
  EXPECT_EQ(run("soxi -r '" + path + "' 2>&1"), std::to_string(kRate) + "\n");
}

TEST(WavSink, ReopenTruncatesAndStartsAgain) {
  test::TempXdg xdg;
  const std::string path = xdg.path("again.wav");
  WavSink sink(path);
  auto in = tone(5000, 16000);
  ASSERT_TRUE(sink.open(16000, {}).ok());
  sink.write(in.data(), in.size());
  ASSERT_TRUE(sink.close().ok());
  ASSERT_TRUE(sink.open(8000, {}).ok());
  sink.write(in.data(), 10);
  EXPECT_EQ(sink.playedSamples(), 10u);
  ASSERT_TRUE(sink.close().ok());
  std::string b = test::readFile(path);
  EXPECT_EQ(b.size(), 44u + 20u);
  EXPECT_EQ(le32(b, 24), 8000u);
  EXPECT_EQ(le32(b, 40), 20u);
}

TEST(WavSink, UnwritablePathFailsNamingThePath) {
  test::TempXdg xdg;
  for (const std::string& path : {xdg.path("no-such-dir/out.wav"), xdg.root()}) {
    WavSink sink(path);
    auto st = sink.open(22050, {});
    ASSERT_FALSE(st.ok()) << path;
    EXPECT_EQ(st.error().code, ErrorCode::kWavWriteFailed) << path << ": " << st.error().message;
    EXPECT_NE(st.error().message.find(path), std::string::npos) << st.error().message;
    int16_t s = 1;
    EXPECT_EQ(sink.write(&s, 1), 0u) << "writing to a sink that failed to open: " << path;
  }
}

TEST(WavSink, WriteErrorIsReportedOnceAndByCloseNamingThePath) {
  // A full disk, as a file size limit: past it every write fails (EFBIG; SIGXFSZ ignored).
  test::TempXdg xdg;
  const std::string path = xdg.path("full.wav");
  rlimit before{};
  ::getrlimit(RLIMIT_FSIZE, &before);
  rlimit small{64 * 1024, before.rlim_max};
  auto old = ::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::vector<Error> failures;
  WavSink sink(path);
  auto st = sink.open(
      22050, {.on_space = {}, .on_failure = [&](const Error& e) { failures.push_back(e); }});
  std::vector<int16_t> in(100'000, 7);  // 200 KB: beyond the limit and the stdio buffer
  const std::size_t a = st.ok() ? sink.write(in.data(), in.size()) : 0;
  const std::size_t b = st.ok() ? sink.write(in.data(), in.size()) : 0;
  auto closed = sink.close();
  ::setrlimit(RLIMIT_FSIZE, &before);
  ::signal(SIGXFSZ, old);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(a, in.size()) << "a file sink never makes its owner wait";
  EXPECT_EQ(b, in.size());
  ASSERT_EQ(failures.size(), 1u) << "on_failure once for a failing " << path;
  EXPECT_EQ(failures[0].code, ErrorCode::kWavWriteFailed);
  EXPECT_NE(failures[0].message.find(path), std::string::npos) << failures[0].message;
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kWavWriteFailed);
  EXPECT_NE(closed.error().message.find(path), std::string::npos) << closed.error().message;
}

TEST(WavSink, AFifoOrADeviceIsRefusedAtOnceAndTheFileIsTheOwnersOnly) {
  // `liseur say bonjour --to-wav FIFO` blocked the daemon's main thread in fopen() until
  // something read the FIFO: every client, stop and the hotkeys were dead meanwhile.
  test::TempXdg xdg;
  const std::string fifo = xdg.path("speech.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, std::string("/dev/null")}) {
    WavSink sink(path);
    auto st = sink.open(22050, {});
    ASSERT_FALSE(st.ok()) << path;
    EXPECT_EQ(st.error().code, ErrorCode::kWavWriteFailed);
    EXPECT_NE(st.error().message.find(path), std::string::npos) << st.error().message;
  }
  // A FIFO with a reader is refused too (not a regular file), without blocking.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  WavSink sink(fifo);
  auto st = sink.open(22050, {});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("not a regular file"), std::string::npos) << st.error().message;
  ::close(reader);
  // A regular file: created readable by its owner only.
  const std::string path = xdg.path("speech.wav");
  WavSink good(path);
  ASSERT_TRUE(good.open(22050, {}).ok());
  ASSERT_TRUE(good.close().ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

// A descriptor the client passed (`liseur --to-wav`, SCM_RIGHTS) is checked as a path is: a FIFO
// or a descriptor opened for reading only is refused naming the file; a regular file is emptied
// and written, and a second open() starts it again rather than appending.
TEST(WavSink, APassedDescriptorIsCheckedEmptiedAndWritten) {
  test::TempXdg xdg;
  const std::string fifo = xdg.path("passed.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto own = [](int fd) {
    return std::shared_ptr<int>(new int(fd), [](int* p) {
      ::close(*p);
      delete p;
    });
  };
  {
    WavSink sink(fifo, own(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)));
    auto st = sink.open(22050, {});
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kWavWriteFailed);
    EXPECT_NE(st.error().message.find("not a regular file"), std::string::npos)
        << st.error().message;
    EXPECT_NE(st.error().message.find(fifo), std::string::npos) << st.error().message;
  }
  ::close(reader);
  const std::string path = xdg.path("passed.wav");
  {
    std::ofstream(path) << "old content that must go";
    WavSink ro(path, own(::open(path.c_str(), O_RDONLY)));
    auto st = ro.open(22050, {});
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message.find("reading only"), std::string::npos) << st.error().message;
  }
  auto fd = own(::open(path.c_str(), O_WRONLY | O_APPEND));
  WavSink sink(path, fd);
  const std::vector<int16_t> samples(100, 7);
  ASSERT_TRUE(sink.open(22050, {}).ok());
  EXPECT_EQ(sink.write(samples.data(), samples.size()), samples.size());
  ASSERT_TRUE(sink.open(22050, {}).ok());  // again: starts over
  EXPECT_EQ(sink.write(samples.data(), samples.size()), samples.size());
  ASSERT_TRUE(sink.close().ok());
  EXPECT_EQ(std::filesystem::file_size(path), 44u + 200u);
}

}  // namespace
}  // namespace liseur
