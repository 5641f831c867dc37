// `liseur adapt` end to end, as a teacher runs it: the real CLI with the real OCR worker,
// plugin host (reading-order, large-print, a crashing test plugin) and speech worker, no daemon.
// Each test runs the program in a fresh XDG tree and checks the page it wrote: self-contained,
// every word of the adapted document in a span in order, the narration a valid WAV whose length
// matches the word timings, and clear errors or warnings for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/mini_pdf.h"
#include "support/test_env.h"
#include "support/text_metrics.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct CliRun {
  int status = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the build tree's liseur with `args`; stdout and stderr are kept apart.
CliRun liseur(const std::vector<std::string>& args, const liseur::test::TempXdg& xdg) {
  std::string cmd = quote(liseur::test::programPath("liseur"));
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " >" + quote(xdg.path("stdout")) + " 2>" + quote(xdg.path("stderr")) + " </dev/null";
  CliRun r;
  int rc = std::system(cmd.c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = liseur::test::readFile(xdg.path("stdout"));
  r.err = liseur::test::readFile(xdg.path("stderr"));
  return r;
}

std::string example(const std::string& name) {
  return std::string(LISEUR_SOURCE_DIR) + "/packaging/examples/" + name;
}

std::string unescapeHtml(std::string s) {
  const std::pair<const char*, const char*> ents[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : ents)
    for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += std::strlen(to))
      s.replace(p, std::strlen(from), to);
  return s;
}

struct Span {
  std::string id, text;
};

// The text between `open` (which must occur) and the next `close`; std::regex recurses per
// character and would overflow the stack on the page's megabyte of base64.
std::string between(const std::string& html, const std::string& open, const std::string& close,
                    std::size_t from = 0) {
  std::size_t a = html.find(open, from);
  if (a == std::string::npos) return {};
  a += open.size();
  std::size_t b = html.find(close, a);
  return b == std::string::npos ? std::string() : html.substr(a, b - a);
}

std::vector<Span> wordSpans(const std::string& html) {
  std::vector<Span> out;
  const std::string open = "<span class=\"lp-word\" id=\"";
  for (std::size_t p = 0; (p = html.find(open, p)) != std::string::npos; ++p) {
    std::size_t idEnd = html.find('"', p + open.size());
    std::size_t textStart = html.find('>', idEnd) + 1;
    std::size_t textEnd = html.find("</span>", textStart);
    out.push_back({html.substr(p + open.size(), idEnd - p - open.size()),
                   unescapeHtml(html.substr(textStart, textEnd - textStart))});
  }
  return out;
}

std::string base64Decode(const std::string& in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;  // '=' padding
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

uint32_t le32(const std::string& s, std::size_t at) {
  return uint8_t(s[at]) | uint8_t(s[at + 1]) << 8 | uint8_t(s[at + 2]) << 16 |
         uint32_t(uint8_t(s[at + 3])) << 24;
}
uint16_t le16(const std::string& s, std::size_t at) {
  return uint16_t(uint8_t(s[at]) | uint8_t(s[at + 1]) << 8);
}

class AdaptTest : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("LISEUR_PLUGIN_PATH"); }
  void TearDown() override { ::unsetenv("LISEUR_PLUGIN_PATH"); }

  void writeProfile(const std::string& name, const std::string& text) {
    fs::create_directories(xdg_.path("config/liseur/profiles"));
    liseur::test::writeFile(xdg_.path("config/liseur/profiles/" + name + ".toml"), text);
  }

  // `liseur adapt` of `pdf` (written as NAME.pdf) with the dys-primaire profile and no narration:
  // its --json report (null after a failure, reported), the page in `html`.
  json adaptPdf(const liseur::test::MiniPdf& pdf, const std::string& name, std::string& html) {
    const std::string file = xdg_.path(name + ".pdf"), out = xdg_.path(name + ".html");
    liseur::test::writeFile(file, pdf.bytes());
    CliRun r = liseur(
        {"adapt", file, "--profile", "dys-primaire", "--no-narration", "-o", out, "--json"}, xdg_);
    EXPECT_EQ(r.status, 0) << r.err;
    json report = json::parse(r.out, nullptr, false);
    if (r.status != 0 || report.is_discarded()) {
      ADD_FAILURE() << "no report: " << r.out.substr(0, 500);
      return nullptr;
    }
    html = liseur::test::readFile(out);
    return report;
  }

  liseur::test::TempXdg xdg_;
};

// How many times `needle` is in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(AdaptTest, LowVisionPageIsSelfContainedWithEveryWordAndATimedNarration) {
  const std::string img = example("ecole-fr.png"), out = xdg_.path("ecole.html");
  CliRun r = liseur({"adapt", img, "--profile", "low-vision", "-o", out, "--json"}, xdg_);
  ASSERT_EQ(r.status, 0) << "stderr:\n" << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
  EXPECT_TRUE(report["warnings"].empty()) << report["warnings"].dump(1);
  EXPECT_EQ(report["render_plugin"], "large-print");
  ASSERT_TRUE(fs::exists(out));
  const std::string html = liseur::test::readFile(out);

  // Self-contained: nothing to fetch, the only source is the embedded audio.
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_EQ(html.find("https:"), std::string::npos);
  for (std::size_t p = 0; (p = html.find("src=", p)) != std::string::npos; p += 4)
    EXPECT_EQ(html.compare(p, 10, "src=\"data:"), 0) << html.substr(p, 60);
  EXPECT_NE(html.find("<body class=\"theme-yellow-on-black\""), std::string::npos);
  EXPECT_NE(html.find("font-size: 28pt"), std::string::npos) << "the profile's view.font_size_pt";

  // Every word of the adapted document, in a span, in order.
  std::vector<std::string> expected, ids;
  std::string adaptedText;
  const json& doc = report["document"];
  for (std::size_t b = 0; b < doc["blocks"].size(); ++b) {
    const json& lines = doc["blocks"][b]["lines"];
    for (std::size_t l = 0; l < lines.size(); ++l)
      for (std::size_t w = 0; w < lines[l]["words"].size(); ++w) {
        expected.push_back(lines[l]["words"][w]["text"]);
        ids.push_back("w-" + std::to_string(b) + "-" + std::to_string(l) + "-" + std::to_string(w));
        adaptedText += expected.back() + " ";
      }
  }
  auto spans = wordSpans(html);
  ASSERT_EQ(spans.size(), expected.size()) << html.substr(0, 2000);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(spans[i].text, expected[i]) << "word " << i;
    EXPECT_EQ(spans[i].id, ids[i]) << "word " << i;
  }
  // The page is the worksheet: recognised, then reflowed, close to what is printed on it.
  std::string truth = liseur::test::readFile(example("ecole-fr.txt"));
  double cer = liseur::test::characterErrorRate(truth, adaptedText);
  EXPECT_LT(cer, 0.08) << "adapted text:\n" << adaptedText;

  // The narration: a WAV (16-bit mono at the reported rate) that decodes.
  const std::string b64 = between(html, "src=\"data:audio/wav;base64,", "\"");
  ASSERT_FALSE(b64.empty()) << "no embedded narration";
  const std::string wav = base64Decode(b64);
  ASSERT_GE(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le16(wav, 20), 1) << "PCM";
  EXPECT_EQ(le16(wav, 22), 1) << "mono";
  const uint32_t rate = le32(wav, 24);
  EXPECT_EQ(rate, report["narration"]["sample_rate"].get<uint32_t>());
  EXPECT_EQ(le16(wav, 34), 16) << "bits per sample";
  EXPECT_EQ(wav.substr(36, 4), "data");
  const uint32_t dataBytes = le32(wav, 40);
  ASSERT_EQ(dataBytes, wav.size() - 44);
  EXPECT_EQ(le32(wav, 4), 36 + dataBytes);
  const double audioMs = dataBytes / 2 * 1000.0 / rate;
  EXPECT_EQ(dataBytes / 2, report["narration"]["samples"].get<uint64_t>());
  EXPECT_GT(audioMs, 5000) << "a page of text takes seconds to say";

  // The timings in the page: increasing, each on a span, the last ending with the audio.
  json timings = json::parse(
      between(html, "<script type=\"application/json\" id=\"lp-timings\">", "</script>"), nullptr,
      false);
  ASSERT_TRUE(timings.is_array()) << "no word timings in the page";
  ASSERT_GE(timings.size(), expected.size() * 8 / 10)
      << "most words are timed: " << timings.size() << " of " << expected.size();
  double prev = -1;
  for (const auto& t : timings) {
    const double start = t["start_ms"], end = t["end_ms"];
    EXPECT_GT(start, prev) << t.dump();
    EXPECT_GE(end, start) << t.dump();
    EXPECT_LE(end, audioMs + 1) << t.dump();
    prev = start;
    std::string id = "w-" + std::to_string(t["block"].get<int>()) + "-" +
                     std::to_string(t["line"].get<int>()) + "-" +
                     std::to_string(t["word"].get<int>());
    EXPECT_NE(html.find("id=\"" + id + "\""), std::string::npos) << "no span for " << t.dump();
  }
  EXPECT_NEAR(timings.back()["end_ms"].get<double>(), audioMs, 1.0)
      << "the last word ends with the narration";
  EXPECT_EQ(timings.size(), report["narration"]["words"].size());
}

// The dys view: the dys plugin speaks (short chunks) and renders; the page embeds the whole
// narration (the stand-in WAV given to the plugin was replaced) with a timing per spoken word.
TEST_F(AdaptTest, DysPrimaireWorksheetHasTheDysViewAndItsNarration) {
  const std::string out = xdg_.path("dys.html");
  CliRun r = liseur(
      {"adapt", example("ecole-fr.png"), "--profile", "dys-primaire", "-o", out, "--json"}, xdg_);
  ASSERT_EQ(r.status, 0) << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
  EXPECT_TRUE(report["warnings"].empty()) << report["warnings"].dump(1);
  EXPECT_EQ(report["render_plugin"], "dys");
  EXPECT_EQ(report["speak_plugin"], "dys");
  const std::string html = liseur::test::readFile(out);
  const std::string b64 = between(html, "src=\"data:audio/wav;base64,", "\"");
  const std::string wav = base64Decode(b64);
  ASSERT_GE(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(wav.size() - 44, report["narration"]["samples"].get<std::size_t>() * 2)
      << "the page holds the real narration, not the stand-in";
  EXPECT_EQ(html.find("http:"), std::string::npos);
  EXPECT_GT(report["narration"]["words"].size(), 60u);
}

// A worksheet as teachers send it: a PDF of two typed pages. Its text layer is the text (the exact
// words, no recognition), both pages make one page in order, and the answer places of both
// pages (a field, a dotted blank, ruled lines after a question) are found.
TEST_F(AdaptTest, TwoPagePdfMakesOnePageWithTheAnswerPlacesOfBoth) {
  using liseur::test::MiniPdf;
  MiniPdf pdf;
  pdf.textPage({{72, 80, 20, "Les saisons"},
                {72, 130, 12, "Nom : ...................."},
                {72, 170, 12, "Lis le texte puis réponds aux questions."},
                {72, 200, 12, "En hiver, les arbres perdent leurs feuilles et il fait froid."}});
  pdf.textPage({{72, 80, 12, "1. Quelle saison préfères-tu ? Pourquoi ?"},
                {72, 200, 12, "2. Complète : au printemps, les fleurs ................ ."}},
               {{72, 110, 520, 110}, {72, 140, 520, 140}, {72, 170, 520, 170}});
  const std::string file = xdg_.path("fiche.pdf"), out = xdg_.path("fiche.html");
  liseur::test::writeFile(file, pdf.bytes());
  CliRun r = liseur({"adapt", file, "--profile", "dys-primaire", "-o", out, "--json"}, xdg_);
  ASSERT_EQ(r.status, 0) << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
  const json& doc = report["document"];
  std::string text;
  for (const auto& b : doc["blocks"])
    for (const auto& l : b["lines"])
      for (const auto& w : l["words"]) text += w["text"].get<std::string>() + " ";
  // Both pages, in order, the typed words as they are.
  const auto hiver = text.find("En hiver, les arbres perdent leurs feuilles");
  const auto saison = text.find("Quelle saison préfères-tu ?");
  ASSERT_NE(hiver, std::string::npos) << text;
  ASSERT_NE(saison, std::string::npos) << text;
  EXPECT_LT(hiver, saison) << text;
  EXPECT_GT(doc["height"].get<int>(), 2 * 3000) << "two A4 pages at 300 dpi, one under the other";
  std::map<std::string, int> kinds;
  for (const auto& a : doc["answers"]) kinds[a["kind"].get<std::string>()]++;
  EXPECT_GE(kinds["field"], 1) << doc["answers"].dump(1);
  EXPECT_GE(kinds["blank"], 1) << doc["answers"].dump(1);
  EXPECT_GE(kinds["lines"], 1) << doc["answers"].dump(1);
  const std::string html = liseur::test::readFile(out);
  EXPECT_NE(html.find("<input"), std::string::npos) << "the fields are in the page";
}

// "Relie" (issue 14): a matching exercise of a teacher's PDF; each word of the left column is a
// choice among the right column's words, clickable in the dys view.
TEST_F(AdaptTest, AMatchingExerciseBecomesAChoiceForEachLeftItem) {
  using liseur::test::MiniPdf;
  MiniPdf pdf;
  pdf.textPage({{72, 80, 14, "1. Relie chaque mot à son contraire."},
                {90, 130, 14, "grand"},
                {260, 130, 14, "•"},
                {380, 130, 14, "•"},
                {430, 130, 14, "petit"},
                {90, 170, 14, "chaud"},
                {260, 170, 14, "•"},
                {380, 170, 14, "•"},
                {430, 170, 14, "froid"},
                {90, 210, 14, "haut"},
                {260, 210, 14, "•"},
                {380, 210, 14, "•"},
                {430, 210, 14, "bas"},
                {72, 280, 14, "2. Écris une phrase avec le mot « froid »."}});
  std::string html;
  const json report = adaptPdf(pdf, "relie", html);
  ASSERT_FALSE(report.is_null());
  std::vector<json> choices;
  for (const auto& a : report["document"]["answers"])
    if (a["kind"] == "choice") choices.push_back(a);
  std::string lines;  // the recognised lines, for a failure's message
  for (const auto& b : report["recognised"]["blocks"])
    for (const auto& l : b["lines"]) {
      for (const auto& w : l["words"])
        lines += w["text"].get<std::string>() + "@" + w["box"][0].dump() + " ";
      lines += "\n";
    }
  ASSERT_EQ(choices.size(), 3u) << lines << report["document"]["answers"].dump();
  const json options = json::array({"petit", "froid", "bas"});
  const char* labels[] = {"grand", "chaud", "haut"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(choices[i]["options"], options) << choices[i].dump();
    EXPECT_EQ(choices[i]["label"], labels[i]) << choices[i].dump();
  }
  EXPECT_EQ(occurrences(html, "class=\"dys-choice\""), 9u) << "three choices of three";
}

// "Complète le tableau" (issue 14): a teacher's PDF with a ruled table; its empty cells become
// fields named by their column, in the row of their words, in the dys view.
TEST_F(AdaptTest, TheEmptyCellsOfARuledTableBecomeFieldsNamedByTheirColumn) {
  using liseur::test::MiniPdf;
  std::vector<MiniPdf::Rule> grid;
  for (double y : {150.0, 180.0, 210.0, 240.0}) grid.push_back({72, y, 460, y});
  for (double x : {72.0, 200.0, 330.0, 460.0}) grid.push_back({x, 150, x, 240});
  MiniPdf pdf;
  pdf.textPage({{72, 120, 14, "1. Écris la nature et le genre de chaque mot."},
                {80, 170, 12, "Mot"},
                {208, 170, 12, "Nature"},
                {338, 170, 12, "Genre"},
                {80, 200, 12, "chat"},
                {80, 230, 12, "maison"},
                {72, 300, 14, "2. Recopie le mot « maison »."}},
               grid);
  std::string html;
  const json report = adaptPdf(pdf, "tableau", html);
  ASSERT_FALSE(report.is_null());
  std::vector<json> cells;
  for (const auto& a : report["recognised"]["answers"])
    if (a["kind"] == "cell") cells.push_back(a);
  ASSERT_EQ(cells.size(), 4u) << report["recognised"]["answers"].dump(1);
  const char* labels[] = {"Nature", "Genre", "Nature", "Genre"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cells[i]["label"], labels[i]) << cells[i].dump();
    EXPECT_EQ(cells[i]["row"], 1 + i / 2) << cells[i].dump();
  }
  // No answer lines made of the table's own lines; the other question still has its place.
  int lines = 0;
  for (const auto& a : report["recognised"]["answers"]) lines += a["kind"] == "lines" ? 1 : 0;
  EXPECT_EQ(lines, 1) << report["recognised"]["answers"].dump(1);
  EXPECT_EQ(occurrences(html, "dys-answer-cell\""), 4u);
  EXPECT_NE(html.find("<span class=\"dys-cell-head\">Nature"), std::string::npos);
}

// The width and height in a JPEG's start-of-frame marker.
std::pair<int, int> jpegSize(const std::string& d) {
  for (std::size_t i = 2; i + 9 < d.size();) {
    if (uint8_t(d[i]) != 0xFF) {
      ++i;
      continue;
    }
    const uint8_t marker = uint8_t(d[i + 1]);
    const std::size_t len = std::size_t(uint8_t(d[i + 2])) << 8 | uint8_t(d[i + 3]);
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2)
      return {int(uint8_t(d[i + 7])) << 8 | uint8_t(d[i + 8]),
              int(uint8_t(d[i + 5])) << 8 | uint8_t(d[i + 6])};
    i += 2 + len;
  }
  return {0, 0};
}

// A PDF of a typed page, a scanned page and a typed page, read by one OCR worker and by two
// sharing the pages out: the same document, block for block and box for box, in page order, and
// nothing but the report on the terminal (no library noise from the workers).
TEST_F(AdaptTest, PagesReadByTwoWorkersMakeTheSameDocumentAsByOne) {
  using liseur::test::MiniPdf;
  const std::string jpeg =
      liseur::test::readFile(std::string(LISEUR_SOURCE_DIR) + "/tests/data/ocr/engine/page-fr.jpg");
  const auto [w, h] = jpegSize(jpeg);
  ASSERT_GT(w, 0);
  MiniPdf pdf;
  pdf.textPage({{72, 90, 18, "Fiche de lecture"}, {72, 140, 12, "Lis le texte de la page 2."}});
  pdf.imagePage(jpeg, w, h, 595, 595.0 * h / w);
  pdf.textPage({{72, 90, 12, "Questions : que fait le personnage ?"}});
  const std::string file = xdg_.path("fiche.pdf");
  liseur::test::writeFile(file, pdf.bytes());
  json docs[2];
  for (int n : {1, 2}) {
    SCOPED_TRACE(n);
    CliRun r = liseur({"adapt", file, "-o", xdg_.path("fiche.html"), "--json", "--no-narration",
                       "--ocr-workers", std::to_string(n)},
                      xdg_);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "") << "only the report: no library noise";
    json report = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
    EXPECT_EQ(report["timings"]["ocr_workers"], n);
    docs[n - 1] = report["recognised"];
  }
  ASSERT_EQ(docs[0]["blocks"].size(), docs[1]["blocks"].size());
  EXPECT_EQ(docs[0], docs[1]);
  std::string text;
  for (const auto& b : docs[1]["blocks"])
    for (const auto& l : b["lines"])
      for (const auto& wd : l["words"]) text += wd["text"].get<std::string>() + " ";
  const auto fiche = text.find("Fiche de lecture"), questions = text.find("Questions");
  ASSERT_NE(fiche, std::string::npos) << text;
  ASSERT_NE(questions, std::string::npos) << text;
  EXPECT_LT(fiche, questions) << text;
  EXPECT_GT(questions - fiche, 100u) << "the scanned page's text between them: " << text;
}

// Several images, in the order given: one page, the sheets one after the other.
TEST_F(AdaptTest, SeveralImagesMakeOnePageInTheirOrder) {
  const std::string out = xdg_.path("deux.html");
  CliRun r = liseur({"adapt", example("ui-en.png"), example("ecole-fr.png"), "--profile",
                     "low-vision", "-o", out, "--json", "--no-narration"},
                    xdg_);
  ASSERT_EQ(r.status, 0) << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
  std::string text;
  int lastY = -1;
  bool ordered = true;
  for (const auto& b : report["document"]["blocks"]) {
    for (const auto& l : b["lines"])
      for (const auto& w : l["words"]) text += w["text"].get<std::string>() + " ";
    ordered &= b["box"][1].get<int>() + b["box"][3].get<int>() > lastY;
    lastY = std::max(lastY, b["box"][1].get<int>());
  }
  const std::string ui = liseur::test::readFile(example("ui-en.txt"));
  const std::string firstWord = ui.substr(0, ui.find_first_of(" \n"));
  const auto a = text.find(firstWord), b = text.find("Chaperon");
  ASSERT_NE(a, std::string::npos) << firstWord << " in " << text;
  ASSERT_NE(b, std::string::npos) << text;
  EXPECT_LT(a, b) << text;
  EXPECT_TRUE(ordered) << "blocks go down the page";
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(AdaptTest, MissingFileIsNamed) {
  const std::string missing = xdg_.path("no-such-worksheet.png");
  CliRun r = liseur({"adapt", missing, "--profile", "low-vision", "-o", xdg_.path("x.html")}, xdg_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("file-not-found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(xdg_.path("x.html")));
}

TEST_F(AdaptTest, ImageThatIsNotAnImageIsNamed) {
  const std::string bad = xdg_.path("notes.png");
  liseur::test::writeFile(bad, "these are not pixels\n");
  CliRun r = liseur({"adapt", bad, "--profile", "low-vision", "-o", xdg_.path("x.html")}, xdg_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("image-"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(xdg_.path("x.html")));
}

TEST_F(AdaptTest, UnknownProfileListsTheProfiles) {
  CliRun r = liseur(
      {"adapt", example("ecole-fr.png"), "--profile", "low-vison", "-o", xdg_.path("x.html")},
      xdg_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("low-vison"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("low-vision"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dys-primaire"), std::string::npos) << r.err;
}

TEST_F(AdaptTest, BrokenProfileNamesFileLineAndKey) {
  writeProfile("broken", "[profile]\nname = \"broken\"\n\n[speech]\nrate = \"fast\"\n");
  CliRun r = liseur(
      {"adapt", example("ecole-fr.png"), "--profile", "broken", "-o", xdg_.path("x.html")}, xdg_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("config-invalid"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.toml:5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("speech.rate"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(xdg_.path("x.html")));
}

TEST_F(AdaptTest, CrashingPluginIsSkippedWithAWarningAndThePageIsWritten) {
  ::setenv("LISEUR_PLUGIN_PATH", LISEUR_TEST_PLUGIN_DIR, 1);
  writeProfile("crashy",
               "[profile]\nname = \"crashy\"\n\n[plugins]\n"
               "chain = [\"test-crash\", \"reading-order\", \"large-print\"]\n\n"
               "[view]\ntheme = \"white-on-black\"\n");
  const std::string out = xdg_.path("crashy.html");
  CliRun r = liseur({"adapt", example("ecole-fr.png"), "--profile", "crashy", "-o", out,
                     "--no-narration", "--json"},
                    xdg_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: plugin-failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("test-crash"), std::string::npos) << r.err;
  json report = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << r.out.substr(0, 500);
  ASSERT_FALSE(report["warnings"].empty());
  for (const auto& w : report["warnings"])
    EXPECT_NE(w["message"].get<std::string>().find("test-crash"), std::string::npos) << w.dump();
  // reading-order still ran after the crash: the hyphen-free sentence lines it makes.
  const std::string html = liseur::test::readFile(out);
  EXPECT_NE(html.find("theme-white-on-black"), std::string::npos);
  EXPECT_GT(wordSpans(html).size(), 40u);
  EXPECT_EQ(html.find("lp-audio"), std::string::npos) << "--no-narration";
}

TEST_F(AdaptTest, UninstalledPluginIsAWarningNotAFailure) {
  writeProfile("missing-plugin",
               "[profile]\nname = \"missing-plugin\"\n\n[plugins]\n"
               "chain = [\"no-such-plugin\", \"reading-order\"]\n");
  const std::string out = xdg_.path("m.html");
  CliRun r = liseur({"adapt", example("ecole-fr.png"), "--profile", "missing-plugin", "-o", out,
                     "--no-narration"},
                    xdg_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: plugin-unavailable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-such-plugin"), std::string::npos) << r.err;
  // No render plugin in the chain: large-print makes the page.
  EXPECT_NE(r.out.find("view by large-print"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
}

}  // namespace
