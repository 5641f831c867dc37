#include "ipc/ipc_protocol.h"

#include <gtest/gtest.h>

namespace liseur {
namespace {

using nlohmann::json;

TEST(IpcProtocol, ParsesAWellFormedRequest) {
  IpcRequestLine r;
  std::string line = R"({"id":7,"cmd":"read","args":{"file":"/tmp/a.png","wait":true},"x":1})";
  Status st = parseRequestLine(line, r);
  ASSERT_TRUE(st.ok()) << line << " -> " << st.error().message;
  EXPECT_TRUE(r.has_id);
  EXPECT_EQ(r.id, 7);
  EXPECT_EQ(r.cmd, "read");
  EXPECT_EQ(r.args["file"], "/tmp/a.png");
}

TEST(IpcProtocol, ArgsDefaultToAnEmptyObject) {
  for (std::string line :
       {R"({"id":1,"cmd":"status"})", R"({"id":1,"cmd":"status","args":null})"}) {
    IpcRequestLine r;
    ASSERT_TRUE(parseRequestLine(line, r).ok()) << line;
    EXPECT_TRUE(r.args.is_object() && r.args.empty()) << line << " -> " << r.args;
  }
}

TEST(IpcProtocol, IdsAreIntegersInInt64Range) {
  struct Case {
    std::string id;
    bool ok;
  };
  for (const auto& c : std::vector<Case>{{"0", true},
                                         {"-3", true},
                                         {"9223372036854775807", true},
                                         {"9223372036854775808", false},
                                         {"1e3", false},
                                         {"true", false},
                                         {"null", false},
                                         {"[1]", false}}) {
    IpcRequestLine r;
    std::string line = R"({"id":)" + c.id + R"(,"cmd":"x"})";
    Status st = parseRequestLine(line, r);
    EXPECT_EQ(st.ok(), c.ok) << line << " -> " << (st.ok() ? "ok" : st.error().message);
    EXPECT_EQ(r.has_id, c.ok) << line;
  }
}

TEST(IpcProtocol, ErrorsNeverQuoteTheLine) {
  // The line may carry screen text; messages name the problem, not the content.
  for (std::string line :
       {R"({"id":1,"cmd":"echo","args":{"t":"SECRET"})", R"({"id":1,"cmd":"SECRET text"})",
        R"(["SECRET"])", R"({"id":"SECRET","cmd":"x"})", "SECRET"}) {
    IpcRequestLine r;
    Status st = parseRequestLine(line, r);
    ASSERT_FALSE(st.ok()) << line;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << line;
    EXPECT_EQ(st.error().message.find("SECRET"), std::string::npos)
        << line << " -> " << st.error().message;
  }
}

TEST(IpcProtocol, SyntaxErrorsGiveTheirOffset) {
  IpcRequestLine r;
  std::string line = R"({"id":1,"cmd":"x",})";
  Status st = parseRequestLine(line, r);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("at byte offset 18"), std::string::npos)
      << line << " -> " << st.error().message;
}

TEST(IpcProtocol, Utf8Validation) {
  struct Case {
    std::string s;
    bool ok;
    std::size_t offset;
  };
  for (const auto& c : std::vector<Case>{
           {"", true, 0},
           {"école", true, 0},
           {"\xf0\x9f\x98\x80 emoji", true, 0},
           {"\xef\xbf\xbd", true, 0},
           {"ab\xff", false, 2},
           {"a\xc0\x80", false, 1},         // overlong NUL
           {"a\xe0\x80\xaf", false, 1},     // overlong '/'
           {"\xed\xa0\x80", false, 0},      // UTF-16 surrogate
           {"\xf4\x90\x80\x80", false, 0},  // above U+10FFFF
           {"ok\xc3", false, 2},            // truncated
           {"\x80", false, 0},              // stray continuation
       }) {
    std::size_t off = 999;
    EXPECT_EQ(isValidUtf8(c.s, &off), c.ok) << json::binary({c.s.begin(), c.s.end()});
    if (!c.ok) {
      EXPECT_EQ(off, c.offset) << json::binary({c.s.begin(), c.s.end()});
    }
  }
}

TEST(IpcProtocol, EncodingReplacesInvalidUtf8InsteadOfThrowing) {
  json m = {{"text", std::string("caf\xe9")}};
  std::string line;
  ASSERT_NO_THROW(line = encodeIpcLine(m));
  EXPECT_EQ(line, "{\"text\":\"caf\xef\xbf\xbd\"}\n");
}

TEST(IpcProtocol, RepliesAndEvents) {
  EXPECT_EQ(makeOkReply(3, {{"job", 4}, {"ok", false}}),
            json({{"id", 3}, {"ok", true}, {"job", 4}}));
  int64_t id = 5;
  EXPECT_EQ(
      makeErrorReply(&id, makeError(ErrorCode::kFileNotFound, "no such file: /x")),
      json::parse(
          R"({"id":5,"ok":false,"error":{"code":"file-not-found","message":"no such file: /x"}})"));
  EXPECT_EQ(makeErrorReply(nullptr, makeError(ErrorCode::kBusy, "m"))["id"], nullptr);
  EXPECT_EQ(makeEvent("word", {{"job", 3}, {"t_ms", 12.5}}),
            json({{"event", "word"}, {"job", 3}, {"t_ms", 12.5}}));
}

}  // namespace
}  // namespace liseur
