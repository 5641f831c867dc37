// The daemon reading a real X screen: an xterm under Xvfb (with openbox as window manager, for
// _NET_ACTIVE_WINDOW), read by window, by region, under the pointer and by a hotkey sent with
// xdotool; what was recognised is compared with the known text by CER.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "integration/daemon_harness.h"
#include "support/text_metrics.h"
#include "x11/xvfb_server.h"

namespace liseur::test {
namespace {

using nlohmann::json;

constexpr const char* kShown =
    "Le cœur a ses raisons.\\nÉlève : ça va très bien !\\nThe quick brown fox jumps.\\n";
constexpr const char* kExpected =
    "Le cœur a ses raisons. Élève : ça va très bien ! The quick brown fox jumps.";

struct ScreenRect {
  int x = 0, y = 0, w = 0, h = 0;
};

class DaemonScreen : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(x_.ok()) << x_.error();
    ::setenv("DISPLAY", x_.display().c_str(), 1);
    ::unsetenv("WAYLAND_DISPLAY");
    bool wmStarted = false;
    wm_ = startWindowManager(x_.display(), &wmStarted);
    ASSERT_TRUE(wmStarted) << "openbox did not start";
    xterm_ = startXterm(x_.display(), "liseur-read-me", "40x4+100+100", kShown);
    win_ = findWindowByTitle(x_.display(), "liseur-read-me");
    ASSERT_NE(win_, 0u) << "xterm window not found";
    ASSERT_TRUE(activateWindow(x_.display(), win_)) << "the xterm never became the active window";
    d_ = std::make_unique<DaemonHarness>(std::vector<std::string>{"--audio", "null"});
    ASSERT_TRUE(d_->started()) << d_->startProblem();
  }
  void TearDown() override {
    d_.reset();
    ::unsetenv("DISPLAY");
  }

  // The xterm's client area on the screen (inside openbox's frame).
  ScreenRect clientBox() {
    // xwininfo's absolute position is the client's own, whatever frame the WM put around it.
    auto info = runCommand({"xwininfo", "-id", std::to_string(win_)}, x_.display()).out;
    ScreenRect b;
    auto num = [&](const char* label) {
      auto p = info.find(label);
      return p == std::string::npos ? 0 : std::atoi(info.c_str() + p + std::strlen(label));
    };
    b.x = num("Absolute upper-left X:");
    b.y = num("Absolute upper-left Y:");
    b.w = num("Width:");
    b.h = num("Height:");
    return b;
  }

  std::string spokenTextOf(uint64_t job) {
    std::string text;
    for (const auto& e : d_->eventsUntilFinished(job))
      if (e["event"] == "block-recognised") text += (text.empty() ? "" : " ") + e.value("text", "");
    return text;
  }

  XvfbServer x_;
  ChildProcess wm_, xterm_;
  unsigned long win_ = 0;
  std::unique_ptr<DaemonHarness> d_;
};

TEST_F(DaemonScreen, ReadsTheActiveWindow) {
  json r = d_->request("ocr", {{"source", "window"}});
  ASSERT_TRUE(r["ok"]) << r.dump() << d_->log();
  std::string text = r["text"];
  EXPECT_LE(characterErrorRate(kExpected, text), 0.10) << text;
  EXPECT_EQ(r["document"]["source"], "window");
}

TEST_F(DaemonScreen, ReadsARegion) {
  ScreenRect b = clientBox();
  ASSERT_GT(b.w, 0);
  std::string region = std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) +
                       "," + std::to_string(b.h);
  json r = d_->request("ocr", {{"source", "region"}, {"region", region}});
  ASSERT_TRUE(r["ok"]) << r.dump() << d_->log();
  EXPECT_LE(characterErrorRate(kExpected, r["text"]), 0.10) << r["text"] << " region " << region;
  json bad = d_->request("ocr", {{"source", "region"}, {"region", "5000,5000,10,10"}});
  EXPECT_EQ(bad["error"]["code"], "invalid-argument") << bad.dump();
}

TEST_F(DaemonScreen, AHotkeyReadsTheWindowAloud) {
  runCommand({"xdotool", "key", "--clearmodifiers", "ctrl+alt+shift+w"}, x_.display());
  std::vector<json> seen;
  json started = d_->waitEvent("job-started", &seen, std::chrono::milliseconds(20000));
  ASSERT_FALSE(started.is_null()) << d_->log();
  EXPECT_EQ(started["source"], "window");
  std::string text = spokenTextOf(started["job"]);
  EXPECT_LE(characterErrorRate(kExpected, text), 0.10) << text;
}

TEST_F(DaemonScreen, ReadsTheLineUnderThePointer) {
  // The pointer on the English line: only that block is read, not the whole screen.
  // Four rows; the English line is the third.
  ScreenRect b = clientBox();
  ASSERT_GT(b.w, 0);
  runCommand({"xdotool", "mousemove", std::to_string(b.x + 60), std::to_string(b.y + b.h * 5 / 8)},
             x_.display());
  json r = d_->request("ocr", {{"source", "pointer"}});
  ASSERT_TRUE(r["ok"]) << r.dump() << d_->log();
  std::string text = r["text"];
  EXPECT_NE(text.find("fox"), std::string::npos) << text;
  EXPECT_EQ(text.find("raisons"), std::string::npos)
      << "only the block under the pointer: " << text;
}

// The pointer on the first line of a paragraph of two sentences: the worker sends it a sentence
// at a time (issue 17: speech starts after the first), and the sentence below the pointer is
// read too — it is part of the paragraph under it.
TEST_F(DaemonScreen, ThePointersParagraphIsReadWholeASentenceAtATime) {
  ChildProcess para =
      startXterm(x_.display(), "liseur-paragraph", "44x4+100+260",
                 "Is the library open on Monday? Yes, it\\nopens at eight every morning.\\n"
                 "Please bring the books back so that\\nothers can read them too.");
  const unsigned long id = findWindowByTitle(x_.display(), "liseur-paragraph");
  ASSERT_NE(id, 0u);
  ASSERT_TRUE(activateWindow(x_.display(), id));
  auto info = runCommand({"xwininfo", "-id", std::to_string(id)}, x_.display()).out;
  auto num = [&](const char* label) {
    auto p = info.find(label);
    return p == std::string::npos ? 0 : std::atoi(info.c_str() + p + std::strlen(label));
  };
  const int x = num("Absolute upper-left X:"), y = num("Absolute upper-left Y:"), w = num("Width:"),
            h = num("Height:");
  ASSERT_GT(h, 0) << info;
  // Once xterm has drawn the whole text (a read of its window says so), the pointer goes on it.
  const std::string region = std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(w) +
                             "," + std::to_string(h);
  std::string shown;
  for (int i = 0; i < 20 && shown.find("too") == std::string::npos; ++i) {
    if (i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    json rr = d_->request("ocr", {{"source", "region"}, {"region", region}});
    shown = rr.value("text", "");
  }
  ASSERT_NE(shown.find("too"), std::string::npos) << shown;
  runCommand({"xdotool", "mousemove", std::to_string(x + 80), std::to_string(y + h / 8)},
             x_.display());
  json r = d_->request("ocr", {{"source", "pointer"}});
  ASSERT_TRUE(r["ok"]) << r.dump() << d_->log();
  const std::string text = r["text"];
  EXPECT_NE(text.find("library"), std::string::npos) << text;
  EXPECT_NE(text.find("read them too"), std::string::npos) << "the paragraph whole: " << text;
  EXPECT_EQ(text.find("raisons"), std::string::npos) << "not the other window: " << text;
  // Three sentences, three parts: the full stops of the terminal font are read.
  EXPECT_GE(r["document"]["blocks"].size(), 3u) << "in parts: " << r.dump();
  EXPECT_EQ(text.rfind("Is the library", 0), 0u) << "from its first line: " << text;
  // Read again, unchanged: from the daemon's memory of it, the parts below the pointer too.
  const int hits = d_->request("status")["workers"]["ocr"]["cache"].value("hits", 0);
  json again = d_->request("ocr", {{"source", "pointer"}});
  ASSERT_TRUE(again["ok"]) << again.dump();
  EXPECT_EQ(d_->request("status")["workers"]["ocr"]["cache"].value("hits", 0), hits + 1)
      << "read from memory, not recognised again";
  EXPECT_EQ(again.value("text", ""), text);
  EXPECT_EQ(again["document"]["blocks"].size(), r["document"]["blocks"].size());
}

TEST_F(DaemonScreen, ThePointerMovesToTheReviewedWord) {
  json r = d_->request("ocr", {{"source", "window"}});
  ASSERT_TRUE(r["ok"]) << r.dump();
  json w = d_->request("review", {{"action", "first"}});
  w = d_->request("review", {{"action", "next-word"}});
  ASSERT_TRUE(w.contains("box")) << w.dump();
  json p = d_->request("pointer", {{"action", "move"}});
  ASSERT_TRUE(p["ok"]) << p.dump();
  auto loc = runCommand({"xdotool", "getmouselocation", "--shell"}, x_.display());
  int x = -1, y = -1;
  std::sscanf(loc.out.c_str(), "X=%d\nY=%d", &x, &y);
  const json& box = p["box"];
  EXPECT_GE(x, box[0].get<int>()) << loc.out << " box " << box.dump();
  EXPECT_LE(x, box[0].get<int>() + box[2].get<int>()) << loc.out << " box " << box.dump();
  EXPECT_GE(y, box[1].get<int>()) << loc.out << " box " << box.dump();
  EXPECT_LE(y, box[1].get<int>() + box[3].get<int>()) << loc.out << " box " << box.dump();
}

// Reading an unchanged window again is not recognised again (issue 17): the daemon keeps what it
// recognised by the pixels' content, and speaks the same words from it.
TEST_F(DaemonScreen, AnUnchangedWindowReadAgainIsNotRecognisedAgain) {
  auto readOnce = [&](const std::string& region) {
    json r = d_->request("read", {{"source", "region"}, {"region", region}});
    EXPECT_TRUE(r["ok"]) << r.dump();
    json finished;
    std::string text;
    for (const auto& e : d_->eventsUntilFinished(r["job"])) {
      if (e["event"] == "ocr-finished") finished = e;
      if (e["event"] == "block-recognised") text += (text.empty() ? "" : " ") + e.value("text", "");
    }
    return std::make_pair(finished, text);
  };
  ScreenRect b = clientBox();
  ASSERT_GT(b.w, 0);
  std::string region = std::to_string(b.x) + "," + std::to_string(b.y) + "," + std::to_string(b.w) +
                       "," + std::to_string(b.h);
  auto [first, firstText] = readOnce(region);
  EXPECT_FALSE(first.value("cached", false)) << first.dump();
  EXPECT_LE(characterErrorRate(kExpected, firstText), 0.10) << firstText;
  auto [again, againText] = readOnce(region);
  EXPECT_TRUE(again.value("cached", false)) << again.dump();
  EXPECT_EQ(againText, firstText);
  // One pixel more is another image: recognised.
  std::string wider = std::to_string(b.x) + "," + std::to_string(b.y) + "," +
                      std::to_string(b.w + 1) + "," + std::to_string(b.h);
  auto [other, otherText] = readOnce(wider);
  EXPECT_FALSE(other.value("cached", false)) << other.dump();
  json st = d_->request("status");
  EXPECT_EQ(st["workers"]["ocr"]["cache"]["hits"], 1) << st.dump();
  EXPECT_EQ(st["workers"]["ocr"]["cache"]["entries"], 2) << st.dump();
  // A reload (a profile change) forgets it all.
  ASSERT_TRUE(d_->request("reload")["ok"]);
  auto [afterReload, t] = readOnce(region);
  EXPECT_FALSE(afterReload.value("cached", false)) << afterReload.dump();
}

}  // namespace
}  // namespace liseur::test
