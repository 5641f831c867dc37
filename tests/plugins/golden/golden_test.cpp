// Golden tests of the shipped plugins, called through their C ABI exactly as the host calls them.
#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

#include "document/document.h"
#include "liseur_plugin.h"
#include "plugins/support/plugin_under_test.h"
#include "support/test_env.h"

using nlohmann::json;

namespace {

// One plugin of the build tree, loaded and instantiated with its manifest's defaults plus
// `options`; a refused create() throws.
class LoadedPlugin : public liseur::test::PluginUnderTest {
 public:
  explicit LoadedPlugin(const std::string& id, const json& options = json::object())
      : PluginUnderTest(std::string(LISEUR_BUILD_PLUGIN_DIR) + "/" + id, options) {
    if (createStatus() != LISEUR_OK) throw std::runtime_error("create failed: " + createError());
  }
};

std::string golden(const std::string& rel) {
  return std::string(LISEUR_GOLDEN_DIR) + "/" + rel;
}
bool updating() {
  return liseur::test::updatingGolden();
}
void expectGolden(const std::string& rel, const json& actual, const std::string& inputRel) {
  liseur::test::expectGolden(LISEUR_GOLDEN_DIR, rel, actual, inputRel);
}

// The text of a document, block by block: "[kind] line | line".
std::string outline(const json& doc) {
  std::string s;
  for (const auto& b : doc["blocks"]) {
    s += "[" + b["kind"].get<std::string>() + "]";
    for (const auto& l : b["lines"]) {
      s += " |";
      for (const auto& w : l["words"]) s += " " + w["text"].get<std::string>();
    }
    s += "\n";
  }
  return s;
}

class ReadingOrderGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ReadingOrderGolden, MatchesExpected) {
  const std::string inRel = "reading-order/" + GetParam() + ".in.json";
  json input = json::parse(liseur::test::readFile(golden(inRel)));
  LoadedPlugin plugin("reading-order");
  json reply = plugin.call("adapt", json{{"document", input}});
  ASSERT_TRUE(reply.contains("document")) << inRel << ": " << reply.dump();
  // What the daemon will accept.
  auto doc = liseur::documentFromJson(reply["document"]);
  ASSERT_TRUE(doc) << inRel << ": " << doc.error().message;
  expectGolden("reading-order/" + GetParam() + ".out.json", reply["document"], inRel);
  // The readable outline too, so a reviewer sees the text at a glance in the diff.
  const std::string outRel = "reading-order/" + GetParam() + ".outline.txt";
  if (updating())
    liseur::test::writeFile(golden(outRel), outline(reply["document"]));
  else
    EXPECT_EQ(outline(reply["document"]), liseur::test::readFile(golden(outRel))) << inRel;
}

INSTANTIATE_TEST_SUITE_P(Cases, ReadingOrderGolden,
                         ::testing::Values("hyphenation", "table", "english-table", "list",
                                           "heading", "noise"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::erase(n, '-');
                           return n;
                         });

TEST(ReadingOrderBoxes, JoinedWordKeepsBothBoxes) {
  json input = json::parse(liseur::test::readFile(golden("reading-order/hyphenation.in.json")));
  LoadedPlugin plugin("reading-order");
  json doc = plugin.call("adapt", json{{"document", input}})["document"];
  const json& first = input["blocks"][0]["lines"][0]["words"][2];   // "impor-"
  const json& second = input["blocks"][0]["lines"][1]["words"][0];  // "tant"
  bool found = false;
  for (const auto& l : doc["blocks"][0]["lines"])
    for (const auto& w : l["words"])
      if (w["text"] == "important") {
        found = true;
        int x0 = std::min(first["box"][0].get<int>(), second["box"][0].get<int>());
        int y0 = std::min(first["box"][1].get<int>(), second["box"][1].get<int>());
        int x1 = std::max(first["box"][0].get<int>() + first["box"][2].get<int>(),
                          second["box"][0].get<int>() + second["box"][2].get<int>());
        int y1 = std::max(first["box"][1].get<int>() + first["box"][3].get<int>(),
                          second["box"][1].get<int>() + second["box"][3].get<int>());
        EXPECT_EQ(w["box"], json::array({x0, y0, x1 - x0, y1 - y0})) << w.dump();
      }
  EXPECT_TRUE(found) << outline(doc);
}

// The daemon and `liseur adapt` send a page a few blocks at a time: a one-line heading is found
// from the line heights of earlier calls about the same page (same source and size), and only
// that page's.
TEST(ReadingOrderAcrossCalls, OneLineHeadingUsesTheSamePagesEarlierLines) {
  json input = json::parse(liseur::test::readFile(golden("reading-order/heading.in.json")));
  auto alone = [&](int block, const std::string& source) {
    json d = input;
    d["blocks"] = json::array({input["blocks"][block]});
    d["blocks"][0]["index"] = 0;
    d["source"] = source;
    return json{{"document", d}};
  };
  LoadedPlugin plugin("reading-order");
  // Block 0 is the title, block 1 a paragraph of ordinary lines.
  json first = plugin.call("adapt", alone(0, "page-1"))["document"];
  EXPECT_EQ(first["blocks"][0]["kind"], "text") << "nothing to compare with yet\n"
                                                << outline(first);
  (void)plugin.call("adapt", alone(1, "page-1"));
  json title = plugin.call("adapt", alone(0, "page-1"))["document"];
  EXPECT_EQ(title["blocks"][0]["kind"], "heading") << outline(title);
  json other = plugin.call("adapt", alone(0, "page-2"))["document"];
  EXPECT_EQ(other["blocks"][0]["kind"], "text") << "another page starts afresh\n" << outline(other);
}

// The daemon sends every read of a screen with the same source and size, and tells the reads
// apart by `page` ("read-<job>"): what one read taught is not used by the next, so the same
// pixels read twice give the same document whatever was read in between.
TEST(ReadingOrderAcrossCalls, TheDaemonsReadsDoNotShareLineHeights) {
  json input = json::parse(liseur::test::readFile(golden("reading-order/heading.in.json")));
  auto part = [&](int block, const std::string& page) {
    json d = input;
    d["blocks"] = json::array({input["blocks"][block]});
    d["blocks"][0]["index"] = 0;
    d["source"] = "";
    d["page"] = page;
    return json{{"document", d}};
  };
  LoadedPlugin plugin("reading-order");
  const json fresh = plugin.call("adapt", part(0, "read-1"))["document"];
  (void)plugin.call("adapt", part(1, "read-1"));
  json same = plugin.call("adapt", part(0, "read-1"))["document"];
  EXPECT_EQ(same["blocks"][0]["kind"], "heading") << "one read's blocks are one page\n"
                                                  << outline(same);
  json next = plugin.call("adapt", part(0, "read-2"))["document"];
  EXPECT_EQ(next["blocks"], fresh["blocks"]) << "the next read starts afresh\n" << outline(next);
}

// What the dev corpus taught: punctuation, operators, options and shortcuts are text even when
// Tesseract is unsure of them; "|" in English running text is the pronoun "I".
TEST(ReadingOrderNoise, KeepsTextThatLooksLikeSymbols) {
  auto word = [](const std::string& t, int x, double conf) {
    return json{{"text", t}, {"box", {x, 10, 30, 20}}, {"conf", conf}, {"lang", "en"}};
  };
  json line1 = json::array({word("When", 0, 95), word("|", 40, 90), word("reflect", 80, 95),
                            word("who", 120, 95), word("|", 160, 90)});
  json line2 = json::array({word("ls", 0, 95), word("-F,", 40, 30), word("Ctrl+R", 80, 30),
                            word("!=", 120, 90), word("(!),", 160, 90), word("»,", 200, 90),
                            word("txt", 240, 30), word("~", 280, 90), word("-----", 320, 90)});
  json doc{
      {"format", "liseur-document/1"},
      {"width", 400},
      {"height", 100},
      {"source", "t"},
      {"lang", "en"},
      {"blocks",
       json::array({{{"index", 0},
                     {"kind", "text"},
                     {"box", {0, 10, 400, 60}},
                     {"lang", "en"},
                     {"conf", 80},
                     {"lines", json::array({{{"box", {0, 10, 200, 20}}, {"words", line1}},
                                            {{"box", {0, 40, 360, 20}}, {"words", line2}}})}}})}};
  LoadedPlugin plugin("reading-order", {{"join_lines", false}});
  json out = plugin.call("adapt", json{{"document", doc}})["document"];
  EXPECT_EQ(outline(out), "[text] | When I reflect who I | ls -F, Ctrl+R != (!), », txt\n");
}

// A French word at (x, y), w x h; a line of words (its box around them); a one-block French page
// of such lines (the block's box is left to the plugin, which recomputes it).
json frWord(const std::string& t, int x, int y, int w, int h) {
  return json{{"text", t}, {"box", {x, y, w, h}}, {"conf", 90}, {"lang", "fr"}};
}
json lineOf(json words) {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = 0, y1 = 0;
  for (const auto& w : words) {
    x0 = std::min(x0, w["box"][0].get<int>());
    y0 = std::min(y0, w["box"][1].get<int>());
    x1 = std::max(x1, w["box"][0].get<int>() + w["box"][2].get<int>());
    y1 = std::max(y1, w["box"][1].get<int>() + w["box"][3].get<int>());
  }
  return json{{"box", {x0, y0, x1 - x0, y1 - y0}}, {"words", words}};
}
json frPage(json lines) {
  return json{{"format", "liseur-document/1"},
              {"width", 1200},
              {"height", 600},
              {"source", "t"},
              {"lang", "fr"},
              {"blocks", json::array({{{"index", 0},
                                       {"kind", "text"},
                                       {"box", {150, 270, 400, 300}},
                                       {"lang", "fr"},
                                       {"conf", 90},
                                       {"lines", lines}}})}};
}

// The words of a "Relie" exercise's left column with the dots beside them (read as "e", "."):
// not a two-column table ("chaud : haut, e : e." was read); a table whose cells are words is.
TEST(ReadingOrderTables, AColumnOfDotsIsNotATableColumn) {
  auto word = frWord;
  auto line = lineOf;
  auto doc = frPage;
  LoadedPlugin plugin("reading-order", {{"join_lines", false}, {"headings", false}});
  json dots = doc(json::array(
      {line(json::array({word("chaud", 150, 280, 110, 23), word("e", 515, 286, 12, 12)})),
       line(json::array({word("haut", 150, 360, 90, 23), word("e", 515, 366, 12, 12)})),
       line(json::array({word("jour", 150, 440, 80, 23), word(".", 515, 446, 10, 10)}))}));
  EXPECT_EQ(outline(plugin.call("adapt", json{{"document", dots}})["document"]),
            "[text] | chaud e | haut e | jour .\n");
  json table = doc(json::array(
      {line(json::array({word("Nom", 150, 280, 80, 23), word("Classe", 515, 280, 120, 23)})),
       line(json::array({word("Léa", 150, 360, 70, 23), word("CM2", 515, 360, 80, 23)}))}));
  EXPECT_EQ(outline(plugin.call("adapt", json{{"document", table}})["document"]),
            "[table] | Nom : Léa, Classe : CM2.\n");
}

// A form's first line ("Prénom : ...... Date : ......", the blanks left as gaps) over a sentence
// with a blank is not a table: the lines are read as they are, not "Prénom : : Complète :...".
TEST(ReadingOrderTables, AFormsLabelsAreNotTableHeads) {
  LoadedPlugin plugin("reading-order", {{"join_lines", false}, {"headings", false}});
  json form = frPage(json::array(
      {lineOf(json::array({frWord("Prénom", 150, 280, 100, 23), frWord(":", 262, 285, 4, 14),
                           frWord("Date", 610, 280, 60, 23), frWord(":", 682, 285, 4, 14)})),
       lineOf(json::array({frWord("Complète", 150, 340, 130, 23), frWord(":", 290, 345, 4, 14),
                           frWord("garde", 300, 340, 80, 23), frWord("la", 700, 340, 30, 23),
                           frWord("maison.", 740, 340, 110, 23)}))}));
  EXPECT_EQ(outline(plugin.call("adapt", json{{"document", form}})["document"]),
            "[text] | Prénom : Date : | Complète : garde la maison.\n");
}

// A first line taller than the others because its letters reach above and below ("grand") is a
// heading only when it reads as a title (a capital or a number first).
TEST(ReadingOrderHeadings, ATallLineInLowerCaseIsNotAHeading) {
  auto doc = [](const std::string& first) {
    json lines = json::array();
    int y = 280;
    for (const auto& [t, h] : std::vector<std::pair<std::string, int>>{
             {first, 29}, {"chaud", 23}, {"haut", 23}, {"jour", 23}}) {
      lines.push_back(lineOf(json::array({frWord(t, 150, y, 100, h)})));
      y += 80;
    }
    return frPage(lines);
  };
  LoadedPlugin plugin("reading-order", {{"join_lines", false}, {"tables", false}});
  EXPECT_EQ(outline(plugin.call("adapt", json{{"document", doc("grand")}})["document"]),
            "[text] | grand | chaud | haut | jour\n");
  EXPECT_EQ(outline(plugin.call("adapt", json{{"document", doc("Grand")}})["document"]),
            "[heading] | Grand\n[text] | chaud | haut | jour\n");
}

TEST(ReadingOrderOptions, EverythingOffKeepsTheText) {
  json input = json::parse(liseur::test::readFile(golden("reading-order/hyphenation.in.json")));
  LoadedPlugin plugin("reading-order", {{"join_hyphens", false},
                                        {"join_lines", false},
                                        {"headings", false},
                                        {"lists", false},
                                        {"tables", false},
                                        {"drop_noise", false}});
  json doc = plugin.call("adapt", json{{"document", input}})["document"];
  EXPECT_EQ(outline(doc), outline(input));
}

TEST(ReadingOrderErrors, NotADocumentIsRefusedWithAMessage) {
  LoadedPlugin plugin("reading-order");
  liseur_status st = LISEUR_OK;
  json r = plugin.call("adapt",
                       json{{"document", {{"format", "other/9"}, {"blocks", json::array()}}}}, &st);
  EXPECT_EQ(st, LISEUR_ERR_UNSUPPORTED) << r.dump();
  r = plugin.call("adapt", json{{"document", {{"format", "liseur-document/1"}, {"blocks", 3}}}},
                  &st);
  EXPECT_EQ(st, LISEUR_ERR_INVALID_INPUT) << r.dump();
  EXPECT_FALSE(r["error"].get<std::string>().empty());
}

// The structure of a large-print page: what a reader and the player rely on.
json structureOf(const std::string& html) {
  json s;
  std::smatch m;
  s["doctype"] = html.rfind("<!DOCTYPE html>", 0) == 0;
  s["csp_blocks_network"] = html.find("default-src 'none'") != std::string::npos;
  // Nothing is fetched: no URL other than the embedded data: audio.
  s["external_urls"] =
      std::regex_search(html, std::regex(R"re((https?:|//[a-z]|src="(?!data:)[^"]))re"));
  if (std::regex_search(html, m, std::regex(R"re(<body class="([^"]+)")re")))
    s["body_class"] = m[1];
  if (std::regex_search(html, m, std::regex(R"re(--fg: (#[0-9a-f]{6}); --bg: (#[0-9a-f]{6}))re"))) {
    s["fg"] = m[1];
    s["bg"] = m[2];
  }
  if (std::regex_search(html, m, std::regex(R"re(font-size: ([0-9.]+)pt)re")))
    s["font_size_pt"] = m[1];
  json words = json::array();
  std::regex span(
      R"re(<span class="lp-word" id="(w-\d+-\d+-\d+)"[^>]*data-index="(\d+)">([^<]*)</span>)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), span); it != std::sregex_iterator();
       ++it)
    words.push_back({(*it)[1].str(), std::stoi((*it)[2].str()), (*it)[3].str()});
  s["words"] = words;
  json blocks = json::array();
  std::regex blk(R"re(<(h2|p|ul) class="lp-block)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), blk); it != std::sregex_iterator();
       ++it)
    blocks.push_back((*it)[1].str());
  s["blocks"] = blocks;
  s["player"] = html.find("id=\"lp-play\"") != std::string::npos;
  s["audio_data_uri"] = html.find("src=\"data:audio/wav;base64,UklGR") != std::string::npos;
  if (std::regex_search(
          html, m,
          std::regex(R"re(<script type="application/json" id="lp-timings">([^<]*)</script>)re")))
    s["timings"] = json::parse(m[1].str()).size();
  return s;
}

class LargePrintGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LargePrintGolden, StructureMatchesExpected) {
  const std::string inRel = "large-print/" + GetParam() + ".in.json";
  json request = json::parse(liseur::test::readFile(golden(inRel)));
  LoadedPlugin plugin("large-print");
  json reply = plugin.call("render", request);
  ASSERT_TRUE(reply.contains("html") && reply["html"].is_string())
      << inRel << ": " << reply.dump().substr(0, 300);
  expectGolden("large-print/" + GetParam() + ".structure.json", structureOf(reply["html"]), inRel);
}

INSTANTIATE_TEST_SUITE_P(Cases, LargePrintGolden, ::testing::Values("plain", "narrated"));

TEST(LargePrintOptions, UnknownThemeIsAnOptionsError) {
  LoadedPlugin plugin("large-print");
  json request = json::parse(liseur::test::readFile(golden("large-print/plain.in.json")));
  request["options"]["theme"] = "pink";
  liseur_status st = LISEUR_OK;
  json r = plugin.call("render", request, &st);
  EXPECT_EQ(st, LISEUR_ERR_INVALID_OPTIONS) << r.dump();
  EXPECT_NE(r["error"].get<std::string>().find("theme"), std::string::npos) << r.dump();
}

}  // namespace
