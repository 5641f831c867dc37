// Golden tests of the dys plugin, called through its C ABI exactly as the plugin host calls it:
// JSON in (data/*.in.json, written by make_inputs.py), expected out (data/*.out.json; regenerate
// with LISEUR_UPDATE_GOLDEN=1 and review the diff). Render output is compared on the structure
// of the page (words with their syllables and silent letters, line classes, colours, spacing,
// screens, player), not byte for byte; speak output through the daemon's own validation.
#include <gtest/gtest.h>

#include <regex>

#include "document/document.h"
#include "liseur_plugin.h"
#include "plugins/plugin_chain.h"
#include "plugins/plugin_manifest.h"
#include "plugins/support/plugin_under_test.h"
#include "support/test_env.h"

namespace lp = liseur::plugins;
using nlohmann::json;

namespace {

const std::string kDir = std::string(LISEUR_BUILD_PLUGIN_DIR) + "/dys";

// The dys library, loaded and instantiated with its manifest's defaults plus `options`.
class DysPlugin : public liseur::test::PluginUnderTest {
 public:
  explicit DysPlugin(const json& options = json::object()) : PluginUnderTest(kDir, options) {}
};

std::string golden(const std::string& rel) {
  return std::string(LISEUR_DYS_GOLDEN_DIR) + "/" + rel;
}
json input(const std::string& rel) {
  return json::parse(liseur::test::readFile(golden(rel)));
}

void expectGolden(const std::string& rel, const json& actual, const std::string& inputRel) {
  liseur::test::expectGolden(LISEUR_DYS_GOLDEN_DIR, rel, actual, inputRel);
}

// ---------------------------------------------------------------------------------------------
// The structure of a page

std::string attr(const std::string& tag, const std::string& name) {
  std::smatch m;
  if (std::regex_search(tag, m, std::regex(" " + name + "=\"([^\"]*)\""))) return m[1];
  return {};
}

// Each word span as "{syl}{la[silent]}", its syllable colour indices, its line class.
struct PageWords {
  json words = json::array();  // [id, marked, colours, lang]
  json lines = json::array();  // "B-L classes"
  json screens = json::array();
};

PageWords wordsOf(const std::string& html) {
  PageWords p;
  std::regex tag(R"re(<(/?)([a-z0-9]+)([^>]*)>)re");
  std::vector<std::string> stack;  // class of each open span/li (or "" for other tags)
  json word;
  std::string marked, colours;
  bool inButton = false;
  const auto begin = html.find("<main");
  const auto end = html.find("</main>");
  if (begin == std::string::npos || end == std::string::npos) return p;
  std::size_t pos = begin;
  for (auto it = std::sregex_iterator(html.begin() + static_cast<long>(begin),
                                      html.begin() + static_cast<long>(end), tag);
       it != std::sregex_iterator(); ++it) {
    const std::size_t at = static_cast<std::size_t>(it->position()) + begin;
    const std::string text = html.substr(pos, at - pos);
    pos = at + static_cast<std::size_t>(it->length());
    if (!word.is_null() && !inButton) marked += text;
    const bool closing = (*it)[1] == "/";
    const std::string name = (*it)[2];
    const std::string rest = (*it)[3];
    if (name == "button") {
      inButton = !closing;
      continue;
    }
    if (name == "section" && !closing) p.screens.push_back(json::array());
    if ((name == "p" || name == "h2" || name == "ul") && !closing)
      p.screens.back().push_back(std::stoi(attr(rest, "data-block")));
    if (name != "span" && name != "li") continue;
    if (!closing) {
      const std::string cls = attr(rest, "class");
      stack.push_back(cls);
      if (cls.rfind("dys-line", 0) == 0)
        p.lines.push_back(attr(rest, "data-block") + "-" + attr(rest, "data-line") + " " + cls);
      if (cls.rfind("dys-word", 0) == 0) {
        word = json::array({attr(rest, "id")});
        marked.clear();
        colours.clear();
        if (!attr(rest, "lang").empty()) word.push_back(attr(rest, "lang"));
      } else if (cls.rfind("dys-syl", 0) == 0) {
        marked += "{";
        colours += cls.substr(cls.rfind('s') + 1);
      } else if (cls == "dys-silent") {
        marked += "[";
      }
    } else {
      if (stack.empty()) continue;
      const std::string cls = stack.back();
      stack.pop_back();
      if (cls.rfind("dys-syl", 0) == 0) marked += "}";
      if (cls == "dys-silent") marked += "]";
      if (cls.rfind("dys-word", 0) == 0) {
        word.insert(word.begin() + 1, marked);
        word.insert(word.begin() + 2, colours);
        p.words.push_back(word);
        word = nullptr;
      }
    }
  }
  return p;
}

// The value of a CSS property in the rule for `selector`.
std::string cssValue(const std::string& html, const std::string& selector,
                     const std::string& prop) {
  const auto open = html.find("\n" + selector + " {");
  if (open == std::string::npos) return {};
  const auto close = html.find('}', open);
  const std::string rule = html.substr(open, close - open);
  std::smatch m;
  if (std::regex_search(rule, m, std::regex(" " + prop + ": ([^;]+);"))) return m[1];
  return {};
}

int countOf(const std::string& html, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<int>(
      std::distance(std::sregex_iterator(html.begin(), html.end(), re), std::sregex_iterator()));
}

json structureOf(const std::string& html) {
  json s;
  s["doctype"] = html.rfind("<!DOCTYPE html>", 0) == 0;
  s["csp_blocks_network"] = html.find("content=\"default-src 'none';") != std::string::npos;
  // The inline style and script are allowed by hash only (the browser test proves the hashes).
  s["csp_inline_by_hash_only"] =
      html.find("unsafe-inline") == std::string::npos &&
      std::regex_search(html, std::regex("style-src 'sha256-[A-Za-z0-9+/]{43}='; script-src "
                                         "'sha256-[A-Za-z0-9+/]{43}='; media-src data:\""));
  s["external_urls"] =
      std::regex_search(html, std::regex(R"re((https?:|//[a-z]|src="(?!data:)[^"]|url\())re"));
  s["script_elements"] = countOf(html, "<script");
  std::smatch m;
  if (std::regex_search(
          html, m,
          std::regex(R"re(<body class="([^"]*)" data-screens="([a-z]+)" data-focus="(\d)")re"))) {
    s["body_class"] = m[1];
    s["screens_mode"] = m[2];
    s["line_focus"] = std::stoi(m[3]);
  }
  json css;
  for (const char* p :
       {"font-family", "font-size", "line-height", "letter-spacing", "word-spacing"})
    css[p] = cssValue(html, "body", p);
  for (const char* k : {"--fg", "--bg"}) css[k] = cssValue(html, ":root", k);
  for (int i = 0; i < 6; ++i)
    for (const char* c : {"l", "s", "w"}) {
      const std::string sel = std::string(".dys-") + c + std::to_string(i);
      const std::string prop = c == std::string("l")   ? "--lc"
                               : c == std::string("s") ? "--sc"
                                                       : "--wc";
      const std::string v = cssValue(html, sel, prop);
      if (!v.empty()) css[sel] = v;
    }
  s["css"] = css;
  PageWords p = wordsOf(html);
  s["screens"] = p.screens;
  s["lines"] = p.lines;
  s["words"] = p.words;
  json bar = json::array();
  const std::regex button(R"re(<button id="([a-z-]+)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), button);
       it != std::sregex_iterator(); ++it)
    bar.push_back((*it)[1].str());
  s["toolbar_buttons"] = bar;
  s["line_buttons"] = countOf(html, "class=\"dys-say\"");
  s["audio_data_uri"] = html.find("src=\"data:audio/wav;base64,UklGR") != std::string::npos;
  if (std::regex_search(
          html, m,
          std::regex(R"re(<script type="application/json" id="dys-timings">([^<]*)</script>)re")))
    s["timings"] = json::parse(m[1].str()).size();
  return s;
}

std::string unescaped(std::string s) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"},
                                 {"&gt;", ">"},
                                 {"&quot;", "\""},
                                 {"&#39;", "'"},
                                 {"&amp;", "&"}})
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + 1))
      s.replace(at, from.size(), to);
  return s;
}

// The marked form of one word of a page (HTML entities decoded), by its text without marks.
std::map<std::string, std::pair<std::string, std::string>> wordsByText(const std::string& html) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto& w : wordsOf(html).words) {
    std::string plain;
    for (char c : w[1].get<std::string>())
      if (c != '{' && c != '}' && c != '[' && c != ']') plain += c;
    out[unescaped(plain)] = {unescaped(w[1].get<std::string>()), w[2].get<std::string>()};
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// render

class DysRenderGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DysRenderGolden, StructureMatchesExpected) {
  const std::string inRel = "render-" + GetParam() + ".in.json";
  DysPlugin plugin;
  const std::string html = plugin.html(input(inRel));
  ASSERT_FALSE(html.empty()) << inRel;
  expectGolden("render-" + GetParam() + ".out.json", structureOf(html), inRel);
  // What the daemon accepts as a render reply.
  auto checked = lp::renderReplyHtml(plugin.rawReply());
  EXPECT_TRUE(checked) << inRel << ": " << checked.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, DysRenderGolden,
                         ::testing::Values("syllables", "silent-only", "arcs", "lines", "escaping",
                                           "worksheet", "profile-view"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::erase(n, '-');
                           return n;
                         });

TEST(DysRender, HardWordsAreCutAsAtSchoolWithSilentLettersAndAlternatingColours) {
  DysPlugin plugin;
  const auto words = wordsByText(plugin.html(input("render-syllables.in.json")));
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"chocolat", {"{cho}{co}{la[t]}", "010"}},
      {"arbre", {"{ar}{bre}", "01"}},
      {"pomme", {"{pom}{me}", "01"}},
      {"éléphant", {"{é}{lé}{phan[t]}", "010"}},
      {"oiseau", {"{oi}{seau}", "01"}},
      {"maintenant", {"{main}{te}{nan[t]}", "010"}},
      {"grenouille", {"{gre}{nouil}{le}", "010"}},
      {"quatre", {"{qua}{tre}", "01"}},
      {"requin", {"{re}{quin}", "01"}},
      {"quille", {"{quil}{le}", "01"}},
      {"montagne", {"{mon}{ta}{gne}", "010"}},
      {"agneau", {"{a}{gneau}", "01"}},
      {"gagner", {"{ga}{gne[r]}", "01"}},  // the r of an infinitive is silent
      {"fille", {"{fil}{le}", "01"}},
      {"papillon", {"{pa}{pil}{lon}", "010"}},
      {"feuille", {"{feuil}{le}", "01"}},
      {"l'arbre", {"{l'ar}{bre}", "01"}},
      {"peut-être", {"{peu[t]}-{ê}{tre}", "010"}},
      {"jusqu'à", {"{jus}{qu'à}", "01"}},  // the s is heard before the elided qu'
      {"aujourd'hui", {"{au}{jour}{d'hui}", "010"}},
      {"chantent", {"{chan}{te[nt]}", "01"}},
      {"chats", {"{cha[ts]}", "0"}},
      {"table", {"{ta}{ble}", "01"}},
      // English words stay whole, in an English block or inside a French line.
      {"elephant", {"elephant", ""}},
      {"chocolate", {"chocolate", ""}},
      {"football", {"football", ""}},
  };
  for (const auto& [word, marks] : expected) {
    auto it = words.find(word);
    ASSERT_NE(it, words.end()) << word << " is not on the page";
    EXPECT_EQ(it->second, marks) << word;
  }
}

// What the pupil types is cut into syllables in the page by the sheet's own splitter, built as
// WebAssembly: its bytes are in the page, allowed by the CSP, only when there is something to
// type and syllables are on (the browser test answers_browser runs it in Chromium).
TEST(DysRender, TypedAnswersGetTheSyllableSplitterOnlyWithSyllablesAndFieldsToType) {
  DysPlugin plugin;
  json req = input("render-syllables.in.json");
  req["document"]["answers"] = json::array(
      {{{"kind", "field"}, {"block", 0}, {"line", 0}, {"after", 0}, {"label", "Pr\u00e9nom"}}});
  std::string html = plugin.html(req);
  // (Found by hand: std::regex recurses per character, too deep for 50 KB of base64.)
  const std::string open =
      "<script type=\"application/octet-stream\" id=\"dys-syl-wasm\" data-colours=\"2\" "
      "data-silent=\"true\">";
  const auto at = html.find(open);
  ASSERT_NE(at, std::string::npos) << "the module is in the page, with the sheet's two colours";
  const auto end = html.find("</script>", at);
  ASSERT_NE(end, std::string::npos);
  const std::string b64 = html.substr(at + open.size(), end - at - open.size());
  EXPECT_EQ(b64.rfind("AGFzbQ", 0), 0u) << "base64 of a WebAssembly module (\\0asm)";
  EXPECT_GT(b64.size(), 1000u);
  EXPECT_EQ(
      b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
      std::string::npos)
      << "base64 only: nothing in it can close the script element";
  const auto csp = html.find("content=\"default-src 'none';");
  ASSERT_NE(csp, std::string::npos);
  const std::string policy = html.substr(csp, html.find('>', csp) - csp);
  EXPECT_NE(policy.find("'wasm-unsafe-eval'"), std::string::npos) << "it may be compiled";
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << "scripts by hash only";
  EXPECT_NE(html.find("id=\"dys-typed\""), std::string::npos);
  // Syllables off: no module, nothing more allowed.
  req["options"] = {{"syllables", false}};
  html = plugin.html(req);
  EXPECT_EQ(html.find("dys-syl-wasm"), std::string::npos);
  EXPECT_EQ(html.find("wasm-unsafe-eval"), std::string::npos);
  // Only boxes to tick: nothing is typed.
  req["options"] = json::object();
  req["document"]["answers"][0]["kind"] = "check";
  html = plugin.html(req);
  EXPECT_EQ(html.find("dys-syl-wasm"), std::string::npos);
}

TEST(DysRender, SilentLettersAreGreyedOnlyWhenAsked) {
  DysPlugin plugin;
  json req = input("render-syllables.in.json");
  req["options"] = {{"syllables", false}, {"silent_letters", true}};
  auto words = wordsByText(plugin.html(req));
  EXPECT_EQ(words["chocolat"].first, "chocola[t]");
  EXPECT_EQ(words["chantent"].first, "chante[nt]");
  EXPECT_EQ(words["table"].first, "table") << "the e of ta-ble is a written syllable";
  req["options"]["silent_letters"] = false;
  words = wordsByText(plugin.html(req));
  EXPECT_EQ(words["chocolat"].first, "chocolat");
  const std::string html = plugin.html(req);
  EXPECT_EQ(html.find("dys-silent\""), std::string::npos);
}

TEST(DysRender, SilentEndingsOfEverydayWords) {
  DysPlugin plugin;
  json words = json::array();
  for (const char* w : {"chez", "nez", "papier", "premiers", "colorier", "mer", "fier", "hiver",
                        "super", "univers", "tiers", "ils", "bus", "vent", "jouent"})
    words.push_back({{"text", w}, {"lang", "fr"}});
  json doc = {{"format", "liseur-document/1"},
              {"lang", "fr"},
              {"blocks", {{{"kind", "text"}, {"lines", {{{"words", words}}}}}}}};
  auto marked = wordsByText(plugin.html(
      {{"document", doc}, {"options", {{"syllables", false}, {"silent_letters", true}}}}));
  const std::map<std::string, std::string> expected = {{"chez", "che[z]"},
                                                       {"nez", "ne[z]"},
                                                       {"papier", "papie[r]"},
                                                       {"premiers", "premie[rs]"},
                                                       {"colorier", "colorie[r]"},
                                                       {"mer", "mer"},
                                                       {"fier", "fier"},
                                                       {"hiver", "hiver"},
                                                       {"super", "super"},
                                                       {"univers", "univer[s]"},
                                                       {"tiers", "tier[s]"},
                                                       {"ils", "il[s]"},
                                                       {"bus", "bus"},
                                                       {"vent", "ven[t]"},
                                                       {"jouent", "jou[ent]"}};
  for (const auto& [word, form] : expected) EXPECT_EQ(marked[word].first, form) << word;
}

TEST(DysRender, LineColoursCycleBlueRedGreenAndRestartInEachBlock) {
  DysPlugin plugin;
  const std::string html = plugin.html(input("render-lines.in.json"));
  PageWords p = wordsOf(html);
  std::vector<std::string> classes;
  for (const auto& l : p.lines) classes.push_back(l.get<std::string>());
  EXPECT_EQ(classes, (std::vector<std::string>{
                         "0-0 dys-line dys-l0", "0-1 dys-line dys-l1", "0-2 dys-line dys-l2",
                         "0-3 dys-line dys-l0", "0-4 dys-line dys-l1", "0-5 dys-line dys-l2",
                         "0-6 dys-line dys-l0", "1-0 dys-line dys-l0", "1-1 dys-line dys-l1"}));
  EXPECT_EQ(cssValue(html, ".dys-l0", "--lc"), "#0050c8");  // blue
  EXPECT_EQ(cssValue(html, ".dys-l1", "--lc"), "#c8102e");  // red
  EXPECT_EQ(cssValue(html, ".dys-l2", "--lc"), "#007a33");  // green
  EXPECT_EQ(cssValue(html, ".dys-l3", "--lc"), "");
}

TEST(DysRender, OcrTextCannotInjectMarkupOrScript) {
  DysPlugin plugin;
  const std::string html = plugin.html(input("render-escaping.in.json"));
  EXPECT_EQ(structureOf(html)["script_elements"], 2) << "the timings and the player only";
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("</main></body>"), std::string::npos);
  EXPECT_EQ(html.find("onmouseover"), std::string::npos) << "a bad lang is dropped, not escaped";
  EXPECT_EQ(html.find("evil.example"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("&lt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;"), std::string::npos);
  EXPECT_NE(html.find("&amp;"), std::string::npos);
}

TEST(DysRender, SpacingPresetsRaiseTheValuesToTheirMinimums) {
  DysPlugin plugin;
  json req = input("render-lines.in.json");
  req["options"] = {{"font_size_pt", 12},
                    {"line_spacing", 1.0},
                    {"letter_spacing_em", 0.0},
                    {"word_spacing_em", 0.0},
                    {"spacing", "custom"}};
  std::string html = plugin.html(req);
  EXPECT_EQ(cssValue(html, "body", "font-size"), "12pt");
  EXPECT_EQ(cssValue(html, "body", "line-height"), "1");
  EXPECT_EQ(cssValue(html, "body", "letter-spacing"), "0em");
  req["options"]["spacing"] = "wcag";  // WCAG 2.1 SC 1.4.12
  html = plugin.html(req);
  EXPECT_EQ(cssValue(html, "body", "font-size"), "12pt");
  EXPECT_EQ(cssValue(html, "body", "line-height"), "1.5");
  EXPECT_EQ(cssValue(html, "body", "letter-spacing"), "0.12em");
  EXPECT_EQ(cssValue(html, "body", "word-spacing"), "0.16em");
  EXPECT_EQ(cssValue(html, ".dys-block", "margin"), "0 0 2em") << "paragraph spacing 2x";
  req["options"]["spacing"] = "aere";
  html = plugin.html(req);
  EXPECT_EQ(cssValue(html, "body", "font-size"), "16pt");
  EXPECT_EQ(cssValue(html, "body", "line-height"), "2");
  EXPECT_EQ(cssValue(html, "body", "letter-spacing"), "0.12em");
  EXPECT_EQ(cssValue(html, "body", "word-spacing"), "0.32em");
  req["options"]["word_spacing_em"] = 0.5;  // larger values are kept
  req["options"]["font_size_pt"] = 24;
  html = plugin.html(req);
  EXPECT_EQ(cssValue(html, "body", "font-size"), "24pt");
  EXPECT_EQ(cssValue(html, "body", "word-spacing"), "0.5em");
}

TEST(DysRender, ExerciseScreensKeepAHeadingWithWhatFollows) {
  DysPlugin plugin;
  json req = input("render-worksheet.in.json");
  EXPECT_EQ(structureOf(plugin.html(req))["screens"], json::parse("[[0,1,2],[3],[4]]"));
  req["options"]["screens"] = "block";
  EXPECT_EQ(structureOf(plugin.html(req))["screens"], json::parse("[[0,1],[2],[3],[4]]"));
  req["options"]["screens"] = "all";
  EXPECT_EQ(structureOf(plugin.html(req))["screens"], json::parse("[[0,1,2,3,4]]"));
}

// Every option of the manifest, given a wrong value in a render call, is refused with a message
// naming it (the plugin's own checks agree with its manifest).
TEST(DysOptions, EveryManifestOptionRefusesABadValueByName) {
  auto m = lp::readManifest(kDir + "/manifest.json");
  ASSERT_TRUE(m) << m.error().message;
  DysPlugin plugin;
  const json base = input("render-lines.in.json");
  ASSERT_FALSE(m->options.empty());
  for (const auto& o : m->options) {
    std::vector<json> bad;
    if (o.type == "bool") bad = {"yes", 1};
    if (o.type == "int") bad = {o.max ? json(*o.max + 1) : json(-1), 2.5, "3"};
    if (o.type == "number") bad = {o.max ? json(*o.max + 1) : json(-1), "big"};
    if (o.type == "string") bad = {o.choices.empty() ? json(42) : json("nope"), nullptr};
    if (o.type == "string-list")
      bad = {"blue", json::array({"blue", "sky-blue"}), json::array({7})};
    ASSERT_FALSE(bad.empty()) << o.name << " has type " << o.type;
    for (const json& v : bad) {
      json req = base;
      req["options"] = {{o.name, v}};
      liseur_status st = LISEUR_OK;
      json r = plugin.call("render", req, &st);
      EXPECT_EQ(st, LISEUR_ERR_INVALID_OPTIONS) << o.name << " = " << v.dump();
      EXPECT_NE(r.value("error", "").find("\"" + o.name), std::string::npos)
          << o.name << " = " << v.dump() << ": " << r.dump();
    }
  }
}

TEST(DysOptions, MessagesSayWhatWasExpected) {
  DysPlugin plugin;
  json req = input("render-lines.in.json");
  liseur_status st = LISEUR_OK;
  req["options"] = {{"line_focus", 2}};
  EXPECT_EQ(plugin.call("render", req, &st)["error"],
            "option \"line_focus\": expected one of 0, 1, 3, 5 (found 2)");
  req["options"] = {{"line_colours", {"blue", "bleu"}}};
  const std::string e = plugin.call("render", req, &st)["error"];
  EXPECT_NE(e.find("option \"line_colours[1]\": expected a colour: black, white"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("(found \"bleu\")"), std::string::npos) << e;
  req["options"] = {{"font_size_pt", 100}};
  EXPECT_EQ(plugin.call("render", req, &st)["error"],
            "option \"font_size_pt\": expected a number from 8 to 72 (found 100)");
  req["options"] = {{"enabled", "whatever"}, {"unknown_key", 1}};
  EXPECT_TRUE(plugin.call("render", req).contains("html")) << "keys of other plugins are ignored";
}

TEST(DysOptions, CreateRefusesWhatTheManifestCannotExpress) {
  DysPlugin plugin(json{{"line_focus", 4}});  // in the manifest's 0..5, not one of 0, 1, 3, 5
  EXPECT_EQ(plugin.createStatus(), LISEUR_ERR_INVALID_OPTIONS);
  EXPECT_NE(plugin.createError().find("line_focus"), std::string::npos) << plugin.createError();
}

TEST(DysNarration, BadNarrationIsRefusedNamingTheMember) {
  DysPlugin plugin;
  const json base = input("render-worksheet.in.json");
  struct Case {
    std::function<void(json&)> spoil;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](json& n) { n["wav_base64"] = "UklGR\"><script>alert(1)</script>AAAA"; },
       "narration.wav_base64: byte 5 is not in the base64 alphabet"},
      {[](json& n) { n["wav_base64"] = "UklGRiQAAABXQVZF<script>x"; },
       "narration.wav_base64: expected padded base64"},
      {[](json& n) { n["wav_base64"] = "AAAAAAAAAAAAAAAAAAAA"; }, "not a WAV file"},
      {[](json& n) { n["wav_base64"] = 12; }, "narration.wav_base64: expected base64 text"},
      {[](json& n) { n["words"][3]["block"] = 9; },
       "narration.words[3].block: 9 is outside the document (5 blocks)"},
      {[](json& n) { n["words"][1]["word"] = 7; }, "narration.words[1].word: 7 is outside line 0"},
      {[](json& n) { n["words"][2]["start_ms"] = 0; }, "words must be in spoken order"},
      {[](json& n) { n["words"][0]["end_ms"] = -5; }, "narration.words[0].end_ms"},
      {[](json& n) { n["words"] = "all"; }, "narration.words: expected an array"},
  };
  for (const auto& c : cases) {
    json req = base;
    c.spoil(req["narration"]);
    liseur_status st = LISEUR_OK;
    json r = plugin.call("render", req, &st);
    EXPECT_EQ(st, LISEUR_ERR_INVALID_INPUT) << c.message;
    EXPECT_NE(r.value("error", "").find(c.message), std::string::npos)
        << "expected: " << c.message << "\nfound: " << r.dump();
  }
}

TEST(DysDocument, ADocumentOfAnotherFormatOrShapeIsRefused) {
  DysPlugin plugin;
  liseur_status st = LISEUR_OK;
  json r = plugin.call("speak",
                       json{{"document", {{"format", "other/9"}, {"blocks", json::array()}}}}, &st);
  EXPECT_EQ(st, LISEUR_ERR_UNSUPPORTED) << r.dump();
  json doc = input("speak-worksheet.in.json");
  doc["blocks"][1]["lines"][1].erase("words");
  r = plugin.call("render", json{{"document", doc}}, &st);
  EXPECT_EQ(st, LISEUR_ERR_INVALID_INPUT);
  EXPECT_EQ(r["error"], "document.blocks[1].lines[1].words: expected a value (missing)");
  doc = input("speak-worksheet.in.json");
  doc["blocks"][0]["lines"][0]["words"][1]["text"] = 3;
  r = plugin.call("speak", json{{"document", doc}}, &st);
  EXPECT_EQ(r["error"], "document.blocks[0].lines[0].words[1].text: expected text");
}

// ---------------------------------------------------------------------------------------------
// speak

bool isClosingMarks(const std::string& w) {
  if (w == "\xC2\xBB" || w == "\xE2\x80\x9D" || w == "\xE2\x80\xA6") return true;  // » ” …
  return !w.empty() && w.find_first_not_of(".,;:!?)]\"'") == std::string::npos;
}

// Utterances checked as the daemon checks them, then the chunking promises.
void checkChunks(const json& docJson, const json& reply, int limit, const std::string& what) {
  auto doc = liseur::documentFromJson(docJson);
  ASSERT_TRUE(doc) << doc.error().message;
  auto utts = lp::speakReplyUtterances(reply.dump(), *doc);
  ASSERT_TRUE(utts) << what << ": " << utts.error().message;
  std::vector<std::tuple<int, int, int>> spoken;
  for (const auto& u : *utts) {
    EXPECT_FALSE(u.words.empty()) << what << ": \"" << u.text << "\"";
    EXPECT_LE(static_cast<int>(u.words.size()), limit) << what << ": \"" << u.text << "\"";
    for (std::size_t i = 0; i < u.words.size(); ++i) {
      const auto& r = u.words[i];
      const auto& word = doc->blocks[r.block].lines[r.line].words[r.word].text;
      EXPECT_EQ(u.text.substr(r.offset, r.length), word) << what << ": \"" << u.text << "\"";
      // A chunk never runs on past a sentence end or a comma (closing marks such as a lone "»"
      // are said with what they close).
      const char last = word.empty() ? ' ' : word.back();
      bool goesOn = false;
      for (std::size_t k = i + 1; k < u.words.size(); ++k)
        goesOn = goesOn || !isClosingMarks(u.text.substr(u.words[k].offset, u.words[k].length));
      if (goesOn) {
        EXPECT_TRUE(std::string(".,;:!?").find(last) == std::string::npos)
            << what << ": \"" << u.text << "\" goes on after \"" << word << "\"";
      }
      spoken.emplace_back(r.block, r.line, r.word);
    }
  }
  std::vector<std::tuple<int, int, int>> all;
  for (std::size_t b = 0; b < doc->blocks.size(); ++b)
    for (std::size_t l = 0; l < doc->blocks[b].lines.size(); ++l)
      for (std::size_t w = 0; w < doc->blocks[b].lines[l].words.size(); ++w)
        if (!doc->blocks[b].lines[l].words[w].text.empty())
          all.emplace_back(static_cast<int>(b), static_cast<int>(l), static_cast<int>(w));
  EXPECT_EQ(spoken, all) << what << ": every word once, in document order";
}

class DysSpeakGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DysSpeakGolden, ChunksMatchExpected) {
  const std::string inRel = "speak-" + GetParam() + ".in.json";
  const json doc = input(inRel);
  DysPlugin plugin;
  json reply = plugin.call("speak", json{{"document", doc}});
  checkChunks(doc, reply, 8, inRel);
  // The texts, one a line, so that a reviewer reads the chunking at a glance.
  json texts = json::array();
  for (const auto& u : reply["utterances"])
    texts.push_back(u["lang"].get<std::string>() + ": " + u["text"].get<std::string>());
  expectGolden("speak-" + GetParam() + ".out.json", json{{"texts", texts}, {"reply", reply}},
               inRel);
}

INSTANTIATE_TEST_SUITE_P(Cases, DysSpeakGolden, ::testing::Values("speech", "worksheet"));

TEST(DysSpeak, EveryChunkLimitIsKeptAndNoWordIsLostOrRepeated) {
  const json doc = input("speak-speech.in.json");
  for (int limit : {2, 3, 4, 5, 6, 8, 12, 30}) {
    for (bool lines : {true, false}) {
      DysPlugin plugin(json{{"chunk_words", limit}, {"cut_at_lines", lines}});
      json reply = plugin.call("speak", json{{"document", doc}});
      checkChunks(doc, reply, limit,
                  "chunk_words " + std::to_string(limit) + (lines ? "" : ", cut_at_lines false"));
    }
  }
}

TEST(DysSpeak, ALongRunIsSplitEvenlyBeforeALinkingWord) {
  json doc = input("speak-speech.in.json");
  DysPlugin plugin;
  json reply = plugin.call("speak", json{{"document", doc}});
  std::vector<std::string> texts;
  for (const auto& u : reply["utterances"]) texts.push_back(u["text"]);
  // 17 words without punctuation: three parts of at most 8, cut before "qui" and "avec".
  EXPECT_NE(std::find(texts.begin(), texts.end(), "Le petit garçon regarde les oiseaux"),
            texts.end());
  EXPECT_NE(
      std::find(texts.begin(), texts.end(), "qui volent au-dessus de la grande maison blanche"),
      texts.end());
  EXPECT_NE(std::find(texts.begin(), texts.end(), "avec son chien"), texts.end());
}

TEST(DysSpeak, AnEnglishBlockIsSpokenInEnglish) {
  json doc = input("speak-speech.in.json");
  DysPlugin plugin;
  json reply = plugin.call("speak", json{{"document", doc}});
  int english = 0;
  for (const auto& u : reply["utterances"])
    if (u["block"] == 2) {
      EXPECT_EQ(u["lang"], "en") << u.dump();
      ++english;
    }
  EXPECT_GE(english, 2);
}

}  // namespace
