// The real liseur-ocr-worker (Tesseract, eng+fra) started with spawnWorker as the daemon does,
// driven through frames: readiness, recognition quality on the fixtures (CER against the .txt
// next to each image), streaming order, cancel, and a clear error for every bad input with the
// worker staying alive.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "ocr/ocr_test_util.h"
#include "ocr/ocr_worker.h"
#include "support/mini_pdf.h"
#include "support/test_env.h"

namespace liseur::test {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr double kMaxCer = 0.05;

std::string expectedText(const std::string& image) {
  return readFile(image.substr(0, image.size() - 4) + ".txt");
}

std::string describe(const WorkerProcess::JobResult& r) {
  std::string s = "events:";
  for (const auto& e : r.events) s += " " + e.value("ev", "?");
  return s + "; terminal " + r.terminal.dump();
}

Json ocrRequest(long long gen, const std::string& path) {
  return Json{{"op", "ocr"}, {"gen", gen}, {"path", path}, {"lang", "eng+fra"}, {"mode", "auto"}};
}

class OcrWorkerProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    worker_ = std::make_unique<WorkerProcess>();
    ASSERT_TRUE(worker_->started()) << worker_->startError();
  }

  // Recognises `path` and checks the protocol shape of a successful job: layout first, then
  // blocks with consecutive indices, done last.
  WorkerProcess::JobResult recognise(long long gen, const std::string& path) {
    auto r = worker_->run(ocrRequest(gen, path));
    if (!r) {
      ADD_FAILURE() << path << ": " << r.error().message;
      return {};
    }
    EXPECT_EQ(r->terminal.value("ev", ""), "done") << path << ": " << describe(*r);
    if (r->terminal.value("ev", "") != "done") return *r;
    // The layout first; a source of pages starts with how many pages it has, its first page's
    // event, then the layout.
    std::size_t at = 0;
    if (r->events.front().value("ev", "") == "pages") {
      EXPECT_GE(r->events.front().value("pages", 0), 1) << describe(*r);
      at = 1;
    }
    const std::string first = r->events[at].value("ev", "");
    EXPECT_TRUE(first == "layout" || (first == "page" && r->events.size() > at + 1 &&
                                      r->events[at + 1].value("ev", "") == "layout"))
        << path << ": " << describe(*r);
    for (std::size_t i = 0; i < r->blocks.size(); ++i)
      EXPECT_EQ(r->blocks[i].value("index", -1), static_cast<int>(i))
          << path << ": " << describe(*r);
    EXPECT_EQ(r->terminal.value("blocks", -1), static_cast<int>(r->blocks.size())) << path;
    for (const char* k : {"decode", "preprocess", "layout", "recognise"})
      EXPECT_TRUE(r->terminal["ms"].contains(k)) << path << ": no ms." << k << " in done";
    return *r;
  }

  void expectReadsLike(const std::string& path, double max_cer = kMaxCer) {
    auto r = recognise(1, path);
    const std::string want = expectedText(path), got = r.text();
    const double cer = characterErrorRate(want, got);
    EXPECT_LE(cer, max_cer) << path << ": CER " << cer * 100 << " %\n--- expected:\n"
                            << want << "\n--- recognised:\n"
                            << got;
  }

  std::unique_ptr<WorkerProcess> worker_;
  TempXdg tmp_;
};

TEST_F(OcrWorkerProcess, AnnouncesReadyWithItsLanguages) {
  EXPECT_EQ(worker_->ready.value("langs", Json()), (Json{"eng", "fra"})) << worker_->ready.dump();
  EXPECT_EQ(worker_->ready.value("tesseract", "").substr(0, 2), "5.") << worker_->ready.dump();
  EXPECT_EQ(worker_->closeAndWait(), 0) << "exit status after EOF";
}

TEST_F(OcrWorkerProcess, ReadsTheEnglishDialog) {
  expectReadsLike(dataPath("ocr/dialog-en.png"));
}

TEST_F(OcrWorkerProcess, ReadsTheFrenchTextWithItsAccents) {
  const std::string path = dataPath("ocr/cigale-fr.png");
  expectReadsLike(path);
  auto r = recognise(2, path);
  int french = 0;
  for (const auto& b : r.blocks) french += b.value("lang", "") == "fr";
  EXPECT_GT(french, 0) << path << ": no block recognised as French: " << describe(r);
}

TEST_F(OcrWorkerProcess, ReadsTheDarkThemeScreenshot) {
  expectReadsLike(dataPath("ocr/dark-en.png"));
}

TEST_F(OcrWorkerProcess, ReadsTheBundledExamples) {
  expectReadsLike(std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ecole-fr.png");
  expectReadsLike(std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ui-en.png");
}

// The multi-block page: a title then three paragraphs far apart. They arrive as at least four
// blocks (so the first can be spoken before the last is recognised), in reading order (each
// block starts below the previous one, or on the same row to its right), their text in page
// order, every block event before done and nothing after it.
TEST_F(OcrWorkerProcess, StreamsTheBlocksOfAPageInReadingOrder) {
  const std::string path = dataPath("ocr/multiblock-en.png");
  auto r = recognise(4, path);
  EXPECT_GE(r.blocks.size(), 4u) << path << ": " << describe(r) << "\n" << r.text();
  for (std::size_t i = 1; i < r.blocks.size(); ++i) {
    // Boxes are [x, y, w, h] (document.h JSON form).
    const Json &a = r.blocks[i - 1]["box"], &b = r.blocks[i]["box"];
    const int ax = a[0], ay = a[1], aw = a[2], ah = a[3], bx = b[0], by = b[1];
    const bool below = by >= ay + ah / 2;
    const bool same_row_right = by < ay + ah && bx >= ax + aw;
    EXPECT_TRUE(below || same_row_right)
        << path << ": block " << i << " " << b.dump() << " does not follow block " << i - 1 << " "
        << a.dump() << " in reading order";
  }
  const std::string want = expectedText(path), got = r.text();
  const double cer = characterErrorRate(want, got);
  EXPECT_LE(cer, kMaxCer) << path << ": CER " << cer * 100 << " %\n--- expected:\n"
                          << want << "\n--- recognised:\n"
                          << got;
  // Nothing trails the done event: the next frame is the answer to a ping.
  ASSERT_TRUE(worker_->send(Json{{"op", "ping"}}).ok());
  auto pong = worker_->next();
  ASSERT_TRUE(pong.ok()) << pong.error().message;
  EXPECT_EQ(pong->header, (Json{{"ev", "pong"}})) << pong->header.dump();
}

TEST_F(OcrWorkerProcess, ReadsEveryPageOfAMultiPageTiffAndSaysHowMany) {
  // A scanner's two-page TIFF was read as its first page, without a word about the second.
  const std::string path = tmp_.path("two-pages.tif");
  PIX* first = pixRead((std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ui-en.png").c_str());
  PIX* second =
      pixRead((std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ecole-fr.png").c_str());
  ASSERT_TRUE(first && second);
  ASSERT_EQ(pixWriteTiff(path.c_str(), first, IFF_TIFF_ZIP, "w"), 0);
  ASSERT_EQ(pixWriteTiff(path.c_str(), second, IFF_TIFF_ZIP, "a"), 0);
  pixDestroy(&first);
  pixDestroy(&second);
  auto r = recognise(6, path);
  EXPECT_EQ(r.terminal.value("pages", 0), 2) << describe(r);
  EXPECT_EQ(r.terminal.value("pages_read", 0), 2) << describe(r);
  const std::string text = r.text();
  const auto update = text.find("Software Update"), chaperon = text.find("chaperon rouge");
  ASSERT_NE(update, std::string::npos) << text;
  ASSERT_NE(chaperon, std::string::npos) << "the second page was not read:\n" << text;
  EXPECT_LT(update, chaperon) << "the pages out of order:\n" << text;
  // A one-page file says nothing of pages.
  auto one = recognise(7, dataPath("ocr/dialog-en.png"));
  EXPECT_FALSE(one.terminal.contains("pages")) << describe(one);

  // Only the second page (`liseur adapt` shares pages between two workers): placed from y 0.
  Json req = ocrRequest(8, path);
  req["pages"] = {{"first", 1}, {"count", 1}};
  auto second_only = worker_->run(req);
  ASSERT_TRUE(second_only.ok()) << second_only.error().message;
  EXPECT_EQ(second_only->terminal.value("ev", ""), "done") << describe(*second_only);
  EXPECT_EQ(second_only->terminal.value("pages_read", 0), 1) << describe(*second_only);
  const std::string text2 = second_only->text();
  EXPECT_NE(text2.find("chaperon rouge"), std::string::npos) << text2;
  EXPECT_EQ(text2.find("Software Update"), std::string::npos) << text2;
  ASSERT_GE(second_only->events.size(), 2u) << describe(*second_only);
  EXPECT_EQ(second_only->events[0].value("ev", ""), "pages") << describe(*second_only);
  EXPECT_EQ(second_only->events[0].value("pages", 0), 2) << describe(*second_only);
  const Json& page = second_only->events[1];
  EXPECT_EQ(page.value("ev", ""), "page") << describe(*second_only);
  EXPECT_EQ(page.value("page", -1), 1);
  EXPECT_EQ(page.value("y", -1), 0);
  for (const Json& b : second_only->blocks) EXPECT_LT(b["box"][1].get<int>(), page["height"]);

  // A page the file does not have, or a selection that is not one, is named.
  for (Json bad :
       {Json{{"first", 2}, {"count", 1}}, Json{{"first", 0}, {"count", 0}}, Json("all")}) {
    Json r2 = ocrRequest(9, path);
    r2["pages"] = bad;
    auto e = worker_->run(r2);
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->terminal.value("code", ""), "invalid-argument") << describe(*e);
    EXPECT_NE(e->terminal.value("message", "").find("pages"), std::string::npos) << describe(*e);
  }
}

TEST_F(OcrWorkerProcess, CancelMidJobEndsWithCancelledThenServesTheNextJob) {
  const std::string page = dataPath("ocr/multiblock-en.png");
  int layout_blocks = -1;
  auto r = worker_->run(ocrRequest(10, page), {}, [&](const Json& ev) {
    // Cancel as soon as the layout is known: the blocks are still to be recognised.
    if (ev.value("ev", "") == "layout") {
      layout_blocks = ev.value("blocks", -1);
      ASSERT_TRUE(worker_->send(Json{{"op", "cancel"}, {"gen", 10}}).ok());
    }
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GE(layout_blocks, 4) << page;
  EXPECT_EQ(r->terminal, (Json{{"ev", "cancelled"}, {"gen", 10}})) << describe(*r);
  EXPECT_LT(r->blocks.size(), 4u) << describe(*r);
  expectReadsLike(dataPath("ocr/dialog-en.png"));
}

TEST_F(OcrWorkerProcess, ReadsPixelsFromTheFramePayload) {
  const std::string path = dataPath("ocr/dialog-en.png");
  Pix* src = pixRead(path.c_str());
  ASSERT_NE(src, nullptr) << path;
  Pix* rgb = pixConvertTo32(src);
  pixDestroy(&src);
  const int w = pixGetWidth(rgb), h = pixGetHeight(rgb), stride = w * 4 + 32;
  std::string bgra(static_cast<std::size_t>(stride) * h, '\0');
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      l_int32 r, g, b;
      l_uint32 v;
      pixGetPixel(rgb, x, y, &v);
      extractRGBValues(v, &r, &g, &b);
      char* p = &bgra[static_cast<std::size_t>(y) * stride + x * 4];
      p[0] = static_cast<char>(b), p[1] = static_cast<char>(g), p[2] = static_cast<char>(r);
    }
  }
  pixDestroy(&rgb);
  Json req{{"op", "ocr"},
           {"gen", 3},
           {"pixels", {{"width", w}, {"height", h}, {"stride", stride}, {"format", "bgra"}}}};
  auto r = worker_->run(req, bgra);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->terminal.value("ev", ""), "done") << describe(*r);
  const double cer = characterErrorRate(expectedText(path), r->text());
  EXPECT_LE(cer, kMaxCer) << "pixels of " << path << ": CER " << cer * 100 << " %\n" << r->text();
}

// Tesseract runs single-threaded (OMP_THREAD_LIMIT=1 through the worker's re-exec): between
// recognitions the worker has exactly its two threads, main and frame reader (the second
// reader's models load on a thread that ends, and its reading thread lives for one read only;
// an OpenMP pool would stay).
TEST_F(OcrWorkerProcess, RunsTesseractSingleThreaded) {
  const std::string task = "/proc/" + std::to_string(worker_->pid()) + "/task";
  auto threads = [&] {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(task)) ++n;
    return n;
  };
  for (int read = 1; read <= 2; ++read) {
    recognise(read, dataPath("ocr/multiblock-en.png"));
    std::size_t n = threads();
    for (int i = 0; i < 200 && n != 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      n = threads();
    }
    EXPECT_EQ(n, 2u) << task << " after read " << read;
  }
  const std::string environ = readFile("/proc/" + std::to_string(worker_->pid()) + "/environ");
  EXPECT_NE(environ.find(std::string("OMP_THREAD_LIMIT=1\0", 19)), std::string::npos);
}

TEST(OcrWorkerProcessStart, MissingModelIsReportedInsteadOfReady) {
  auto w = spawnWorker(programPath(ocr::kWorkerProgram), {}, {"LISEUR_OCR_LANGS=eng+xyz"}, {});
  ASSERT_TRUE(w.ok()) << w.error().message;
  auto f = readFrame(w->fd);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->header.value("ev", ""), "error") << f->header.dump();
  EXPECT_EQ(f->header.value("code", ""), "ocr-language-missing") << f->header.dump();
  EXPECT_NE(f->header.value("message", "").find("tesseract-ocr-xyz"), std::string::npos)
      << f->header.dump();
  ::close(w->fd);
  int status = 0;
  ASSERT_EQ(::waitpid(w->pid, &status, 0), w->pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "status " << status;
}

// ---------------------------------------------------------------------------------------------
// Bad input: each gets its error code, and the same worker then reads the dialog.

struct BadInput {
  const char* name;
  const char* code;     // expected error code
  const char* mention;  // a piece of the message (the size, the kind of file...)
};

std::ostream& operator<<(std::ostream& os, const BadInput& b) {
  return os << b.name;
}

class OcrWorkerBadInput : public OcrWorkerProcess, public ::testing::WithParamInterface<BadInput> {
 protected:
  // Creates the input called `name` in the temp dir and returns its path.
  std::string make(const std::string& name) {
    const std::string path = tmp_.path(name);
    const std::string dialog = readFile(dataPath("ocr/dialog-en.png"));
    if (name == "missing.png") return path;
    if (name == "directory.png") {
      fs::create_directory(path);
    } else if (name == "fifo.png") {
      EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
    } else if (name == "symlink-to-dev-zero.png") {
      fs::create_symlink("/dev/zero", path);
    } else if (name == "empty.png") {
      writeFile(path, "");
    } else if (name == "random.png") {
      std::mt19937 rng(7);
      std::string junk(10000, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      junk[0] = 'x';
      writeFile(path, junk);
    } else if (name == "truncated.png") {
      writeFile(path, dialog.substr(0, dialog.size() / 2));
    } else if (name == "truncated.jpg") {
      const std::string cmd = std::string("/usr/bin/python3 ") + LISEUR_SOURCE_DIR +
                              "/tests/ocr/make_format_samples.py " + tmp_.path("s");
      EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
      const std::string jpg = readFile(tmp_.path("s/rgb.jpg"));
      writeFile(path, jpg.substr(0, jpg.size() * 6 / 10));
    } else if (name == "header-100000x100000.png") {
      writeFile(path, makePngHeaderOnly(100000, 100000));
    } else if (name == "real-20000x20000.png") {
      writeFile(path, makePng(20000, 20000, 1));
    } else if (name == "1x40000.png") {
      writeFile(path, makePng(1, 40000, 8, [](long long, std::string& row) { row[0] = '\x80'; }));
    } else if (name == "sparse-300MiB.png") {
      writeFile(path, "");
      EXPECT_EQ(::truncate(path.c_str(), 300ll << 20), 0);
    } else {
      ADD_FAILURE() << "unknown bad input " << name;
    }
    return path;
  }
};

TEST_P(OcrWorkerBadInput, GetsItsErrorAndTheWorkerGoesOn) {
  const BadInput& in = GetParam();
  const std::string path = make(in.name);
  auto r = worker_->run(ocrRequest(20, path));
  ASSERT_TRUE(r.ok()) << in.name << ": " << r.error().message;
  EXPECT_EQ(r->events.size(), 1u) << in.name << ": " << describe(*r);
  EXPECT_EQ(r->terminal.value("ev", ""), "error") << in.name << ": " << describe(*r);
  EXPECT_EQ(r->terminal.value("code", ""), in.code) << in.name << ": " << describe(*r);
  EXPECT_NE(r->terminal.value("message", "").find(in.mention), std::string::npos)
      << in.name << ": message lacks \"" << in.mention << "\": " << r->terminal.dump();
  expectReadsLike(dataPath("ocr/dialog-en.png"));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, OcrWorkerBadInput,
    ::testing::Values(BadInput{"missing.png", "file-not-found", "missing.png"},
                      BadInput{"directory.png", "not-a-regular-file", "directory"},
                      BadInput{"fifo.png", "not-a-regular-file", "FIFO"},
                      BadInput{"symlink-to-dev-zero.png", "not-a-regular-file", "symbolic link"},
                      BadInput{"empty.png", "file-empty", "empty.png"},
                      BadInput{"sparse-300MiB.png", "file-too-large", "300.0 MiB"},
                      BadInput{"random.png", "image-unknown-format", "random.png"},
                      BadInput{"truncated.png", "image-corrupt", "PNG"},
                      BadInput{"truncated.jpg", "image-corrupt", "JPEG"},
                      BadInput{"header-100000x100000.png", "image-too-large", "100000x100000"},
                      BadInput{"real-20000x20000.png", "image-too-large", "20000x20000"},
                      BadInput{"1x40000.png", "image-too-large", "1x40000"}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return n;
    });

// Images with nothing to read end with done and no blocks (or at most noise-free emptiness).
TEST_F(OcrWorkerProcess, UniformImagesGiveAnEmptyDocument) {
  struct Case {
    const char* name;
    int w, h;
    char value;
  };
  for (const Case& c : {Case{"black.png", 800, 600, '\x00'}, Case{"white.png", 800, 600, '\xff'},
                        Case{"thin.png", 1, 16000, '\x80'}}) {
    const std::string path = tmp_.path(c.name);
    writeFile(path, makePng(c.w, c.h, 8, [&](long long, std::string& row) {
                std::fill(row.begin(), row.end(), c.value);
              }));
    auto r = recognise(30, path);
    EXPECT_EQ(r.blocks.size(), 0u) << c.name << " " << c.w << "x" << c.h << ": " << r.text();
  }
}

// The address-space limit suggested in ocr_worker.h is enough for two readers (their models,
// arenas and threads) reading screens, and a header bomb is still refused under it.
TEST(OcrWorkerProcessLimits, WorksUnderTheSuggestedAddressSpaceLimit) {
  WorkerLimits limits;
  limits.address_space_mb = ocr::kSuggestedAddressSpaceMb;
  WorkerProcess worker({"LISEUR_OCR_THREADS=2"}, limits);
  ASSERT_TRUE(worker.started()) << worker.startError();
  TempXdg tmp;
  writeFile(tmp.path("bomb.png"), makePng(20000, 20000, 1));
  auto bomb = worker.run(ocrRequest(1, tmp.path("bomb.png")));
  ASSERT_TRUE(bomb.ok()) << bomb.error().message;
  EXPECT_EQ(bomb->terminal.value("code", ""), "image-too-large") << bomb->terminal.dump();
  const std::string dialog = dataPath("ocr/dialog-en.png");
  auto r = worker.run(ocrRequest(2, dialog));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terminal.value("ev", ""), "done") << describe(*r);
  EXPECT_LE(characterErrorRate(expectedText(dialog), r->text()), kMaxCer) << r->text();
  // By now the second reader's models are loaded (or loading): screens of several blocks.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int gen = 3; gen <= 4; ++gen) {
    const std::string screen = dataPath("ocr/multiblock-en.png");
    auto s = worker.run(ocrRequest(gen, screen));
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(s->terminal.value("ev", ""), "done") << describe(*s);
    EXPECT_LE(characterErrorRate(expectedText(screen), s->text()), kMaxCer) << s->text();
  }
}

// A teacher's PDF of two pages: the first typed (its text layer is read as it is, no OCR), the
// second a scan (drawn and recognised). The pages come one under the other: a page event before
// each, every box of page 2 below page 1, done saying 2 pages read.
TEST_F(OcrWorkerProcess, ReadsAPdfByItsTextLayerAndItsScannedPages) {
  const std::string png = std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/ecole-fr.png";
  PIX* src = pixRead(png.c_str());
  ASSERT_NE(src, nullptr);
  PIX* rgb = pixConvertTo32(src);
  l_uint8* jpeg = nullptr;
  size_t jpegSize = 0;
  ASSERT_EQ(pixWriteMemJpeg(&jpeg, &jpegSize, rgb, 90, 0), 0);
  const int w = pixGetWidth(src), h = pixGetHeight(src);
  MiniPdf pdf;
  pdf.textPage({{72, 90, 18, "Fiche de lecture"},
                {72, 140, 12, "Lis le texte de la page suivante, puis réponds."},
                {72, 200, 12, "Nom : ............ Classe : ............"}});
  pdf.imagePage(std::string(reinterpret_cast<char*>(jpeg), jpegSize), w, h, 595, 595.0 * h / w);
  lept_free(jpeg);
  pixDestroy(&rgb);
  pixDestroy(&src);
  const std::string path = tmp_.path("fiche.pdf");
  writeFile(path, pdf.bytes());

  Json req = ocrRequest(7, path);
  req["marks"] = true;
  auto r = worker_->run(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->terminal.value("ev", ""), "done") << describe(*r);
  EXPECT_EQ(r->terminal.value("pages", 0), 2) << r->terminal.dump();
  EXPECT_EQ(r->terminal.value("pages_read", 0), 2) << r->terminal.dump();

  std::vector<Json> pageEvents;
  int marks = 0;
  for (const auto& e : r->events) {
    if (e.value("ev", "") == "page") pageEvents.push_back(e);
    marks += e.value("ev", "") == "marks";
  }
  ASSERT_EQ(pageEvents.size(), 2u) << describe(*r);
  EXPECT_EQ(marks, 2) << "one marks event per page";
  EXPECT_TRUE(pageEvents[0].value("text_layer", false)) << pageEvents[0].dump();
  EXPECT_FALSE(pageEvents[1].value("text_layer", true)) << pageEvents[1].dump();
  const int page1Height = pageEvents[0].value("height", 0);
  EXPECT_EQ(pageEvents[1].value("y", 0), page1Height);

  // Page 1: the typed words exactly; page 2: the scan read like the image itself.
  std::string first, second;
  for (const auto& b : r->blocks) {
    const int y = b["box"][1];
    std::string text;
    for (const auto& l : b["lines"]) {
      for (const auto& word : l["words"]) text += word["text"].get<std::string>() + " ";
      text += "\n";
    }
    (y < page1Height ? first : second) += text;
  }
  EXPECT_NE(first.find("Fiche de lecture"), std::string::npos) << first;
  EXPECT_NE(first.find("réponds."), std::string::npos) << first;
  EXPECT_LE(characterErrorRate(expectedText(png), second), 0.08) << second;
}

TEST_F(OcrWorkerProcess, ADamagedPdfIsNamedAndTheWorkerGoesOn) {
  const std::string path = tmp_.path("abimee.pdf");
  writeFile(path, "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n");
  auto r = worker_->run(ocrRequest(8, path));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terminal.value("ev", ""), "error") << describe(*r);
  EXPECT_EQ(r->terminal.value("code", ""), "image-corrupt") << r->terminal.dump();
  EXPECT_NE(r->terminal.value("message", "").find(path), std::string::npos) << r->terminal.dump();
  expectReadsLike(dataPath("ocr/dialog-en.png"));
}

// Under a tight address-space limit, an image within the pixel limit can still be too big to
// decode: a 16384x2400 RGBA PNG needs about 600 MiB. It is refused as image-too-large (not
// "corrupt"), and the same worker then reads the dialog.
TEST(OcrWorkerProcessLimits, ImageTooBigForTheMemoryLimitIsRefusedAndTheWorkerGoesOn) {
  WorkerLimits limits;
  limits.address_space_mb = 320;
  WorkerProcess worker({}, limits);
  ASSERT_TRUE(worker.started()) << worker.startError();
  TempXdg tmp;
  const std::string big = tmp.path("wide-rgba.png");
  writeFile(big, makePng(16384, 2400, 8, nullptr, 6));
  auto r = worker.run(ocrRequest(1, big));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terminal.value("code", ""), "image-too-large") << describe(*r);
  EXPECT_NE(r->terminal.value("message", "").find("not enough memory"), std::string::npos)
      << r->terminal.dump();
  const std::string dialog = dataPath("ocr/dialog-en.png");
  auto d = worker.run(ocrRequest(2, dialog));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->terminal.value("ev", ""), "done") << describe(*d);
  EXPECT_LE(characterErrorRate(expectedText(dialog), d->text()), kMaxCer) << d->text();
}

}  // namespace
}  // namespace liseur::test
