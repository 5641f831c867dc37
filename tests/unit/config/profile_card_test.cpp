// The printable profile card: what it says for the shipped profiles, in French and English, the
// locks, and that nothing from a file can escape into markup or make the page fetch anything.
#include <gtest/gtest.h>

#include <regex>

#include "app/profile_card.h"
#include "config/config_schema.h"
#include "config_test_util.h"

namespace liseur::app {
namespace {

using config::BuildOptions;
using config::BuildResult;
using config::ConfigDirs;
using config::test::ConfigTree;
using config::test::dump;

const std::string kShipped = std::string(LISEUR_SOURCE_DIR) + "/config";

bool has(const std::string& html, const std::string& what) {
  return html.find(what) != std::string::npos;
}

// The card of a shipped profile, with an empty /etc and user directory.
struct ShippedCard {
  explicit ShippedCard(const std::string& profile, const std::string& lang = "fr") {
    ConfigDirs dirs{xdg.path("etc/liseur"), xdg.path("config/liseur"), kShipped};
    BuildOptions options;
    options.profile = profile;
    built = config::buildConfig(dirs, options);
    EXPECT_TRUE(built.ok()) << dump(built.diagnostics);
    if (built.ok()) html = profileCardHtml(*built.config, {lang, {2026, 11, 22}});
  }
  liseur::test::TempXdg xdg;
  BuildResult built;
  std::string html;
};

std::string cardOf(ConfigTree& tree, const std::string& profile, const std::string& lang) {
  BuildOptions options;
  options.profile = profile;
  BuildResult built = config::buildConfig(tree.dirs(), options);
  EXPECT_TRUE(built.ok()) << dump(built.diagnostics);
  return built.ok() ? profileCardHtml(*built.config, {lang, {2026, 3, 5}}) : std::string();
}

// A profile written out in full here (the shipped ones change as they are tuned).
const char* kDysProfile = R"(
[profile]
name = "dys-test"
description = "Primary pupils (dys): slow clear French voice"
[ocr]
language = "fr"
[speech]
voice_fr = "fr"
auto_language = false
rate = 120
word_gap = 3
punctuation = "none"
doubtful_signal = "tone"
[plugins]
chain = ["reading-order", "dys"]
[plugins.options.dys]
spacing = "aere"
[view]
theme = "dys"
font = "OpenDyslexic"
font_size_pt = 18
line_spacing = 2.0
letter_spacing_em = 0.12
word_spacing_em = 0.3
syllables = true
line_colours = ["blue", "red", "green"]
syllable_colours = ["red", "blue"]
line_focus = 3
silent_letters = true
)";

TEST(ProfileCard, ADysProfileInFrenchSaysWhatIsOn) {
  ConfigTree tree;
  tree.userProfile("dys-test", kDysProfile);
  const std::string html = cardOf(tree, "dys-test", "fr");
  ASSERT_FALSE(html.empty());
  EXPECT_TRUE(has(html, "<html lang=\"fr\">"));
  EXPECT_TRUE(has(html, "<h1 id=\"profile-name\">dys-test</h1>"));
  EXPECT_TRUE(has(html,
                  "<p id=\"profile-description\">Primary pupils (dys): slow clear French "
                  "voice</p>"));
  EXPECT_TRUE(has(html, "<tr id=\"rate\"><th>Vitesse</th><td>120 mots par minute</td></tr>"));
  EXPECT_TRUE(has(html, "<tr id=\"voice-fr\"><th>Voix française</th><td>fr</td></tr>"));
  EXPECT_TRUE(has(html, "<td>100 %</td>")) << "volume";
  EXPECT_TRUE(has(html, "Pause entre les mots</th><td>30 ms"));
  EXPECT_TRUE(has(html,
                  "Changement de langue automatique</th><td>non ; texte toujours lu en "
                  "français"));
  EXPECT_TRUE(has(html, "un petit bip avant le mot"));
  EXPECT_TRUE(has(html, "OpenDyslexic, 18 pt"));
  EXPECT_TRUE(has(html, "Interligne</th><td>2,0</td>"));
  EXPECT_TRUE(has(html,
                  "tour à tour <span class=\"colour\" style=\"color:#0050c8\">bleu</span>, "
                  "<span class=\"colour\" style=\"color:#c8102e\">rouge</span>, "
                  "<span class=\"colour\" style=\"color:#007a33\">vert</span>"));
  EXPECT_TRUE(has(html, "3 lignes visibles, le reste est caché"));
  EXPECT_TRUE(has(html, "<li data-plugin=\"dys\"><b>dys</b> : vue dys"));
  EXPECT_TRUE(has(html, "(spacing = &quot;aere&quot;)")) << "the plugin's options";
  EXPECT_TRUE(has(html, "<li data-plugin=\"reading-order\">"));
  EXPECT_TRUE(has(html, "Fiche faite le 5 mars 2026"));
  EXPECT_TRUE(has(html, "aucun : chaque réglage peut être changé")) << "no locks";
  // The sample shows syllables in colour and greys silent letters ("petit": the final t).
  EXPECT_TRUE(has(html, "<div id=\"sample\""));
  EXPECT_TRUE(has(html, "font-family:&#39;OpenDyslexic&#39;, sans-serif"));
  EXPECT_TRUE(has(html, "<span class=\"silent\">t</span>")) << html;
}

TEST(ProfileCard, EachShippedProfileShowsItsOwnRateAndVoice) {
  for (const std::string profile :
       {"default", "blind-expert", "low-vision", "dys-primaire", "dys-college"}) {
    ShippedCard card(profile);
    ASSERT_TRUE(card.built.ok()) << profile;
    const auto& c = *card.built.config;
    EXPECT_TRUE(has(card.html, "<h1 id=\"profile-name\">" + profile + "</h1>")) << profile;
    EXPECT_TRUE(has(card.html, "<tr id=\"rate\"><th>Vitesse</th><td>" +
                                   std::to_string(c.getInt("speech.rate")) + " mots par minute"))
        << profile;
    EXPECT_TRUE(has(card.html, "<th>Voix française</th><td>" +
                                   escapeHtml(c.getString("speech.voice_fr")) + "</td>"))
        << profile;
    EXPECT_EQ(has(card.html, "<div id=\"sample\""), c.getBool("view.enabled")) << profile;
  }
}

TEST(ProfileCard, EveryHotkeyOfTheSchemaIsInTheTableWithItsKeys) {
  ShippedCard card("default");
  const auto& schema = config::ConfigSchema::instance();
  int rows = 0;
  for (const auto& spec : schema.keys()) {
    if (spec.key.rfind("hotkeys.", 0) != 0) continue;
    ++rows;
    const std::string action = spec.key.substr(8);
    EXPECT_TRUE(has(card.html, "<tr data-action=\"" + action + "\">")) << action;
  }
  EXPECT_GE(rows, 13);
  EXPECT_TRUE(has(card.html,
                  "<th>Lire la fenêtre active</th><td><kbd>Ctrl</kbd>+<kbd>Alt</kbd>+"
                  "<kbd>Maj</kbd>+<kbd>W</kbd></td>"));
  EXPECT_TRUE(has(card.html, "<kbd>Espace</kbd>"));
}

TEST(ProfileCard, EnglishLabelsAndAViewThatIsOff) {
  ShippedCard card("blind-expert", "en");
  const std::string& html = card.html;
  EXPECT_TRUE(has(html, "<html lang=\"en\">"));
  EXPECT_TRUE(has(html, "<tr id=\"rate\"><th>Rate</th><td>330 words per minute</td></tr>"));
  EXPECT_TRUE(has(html, "read at a different pitch"));
  EXPECT_TRUE(has(html, "off: speech only"));
  EXPECT_FALSE(has(html, "<div id=\"sample\"")) << "no sample for a profile without a view";
  EXPECT_TRUE(has(html, "<kbd>Shift</kbd>"));
  EXPECT_TRUE(has(html, "Made on 22 November 2026"));
  EXPECT_FALSE(has(html, "mots par minute"));
}

TEST(ProfileCard, LockedKeysSayWhereTheyAreLocked) {
  ConfigTree tree;
  const std::string sys = tree.systemMain("[locks]\nkeys = [\"speech.rate\", \"plugins.chain\"]\n");
  tree.systemProfile("classe",
                     "[profile]\nname = \"classe\"\n[speech]\nrate = 140\n[locks]\n"
                     "keys = [\"hotkeys.faster\", \"view.font\"]\n");
  const std::string html = cardOf(tree, "classe", "fr");
  for (const auto& [key, where] : std::vector<std::pair<std::string, std::string>>{
           {"speech.rate", sys + ":2"},
           {"plugins.chain", sys + ":2"},
           {"hotkeys.faster", tree.dirs().systemProfilesDir() + "/classe.toml:6"},
           {"view.font", tree.dirs().systemProfilesDir() + "/classe.toml:6"}})
    EXPECT_TRUE(has(html, "<tr data-key=\"" + key + "\"><th><code>" + key +
                              "</code></th><td><code>" + where + "</code></td></tr>"))
        << key << " at " << where << "\n"
        << html;
  const std::string mark = "<span class=\"locked\">verrouillé</span>";
  EXPECT_TRUE(has(html, "140 mots par minute" + mark))
      << "a locked key keeps the value of the administrator's layers";
  EXPECT_TRUE(has(html, "<kbd>F</kbd>" + mark));
  EXPECT_TRUE(has(html, "DejaVu Sans, 14 pt" + mark));
  EXPECT_FALSE(has(html, "<kbd>D</kbd>" + mark)) << "slower is not locked";
}

TEST(ProfileCard, TextFromFilesIsEscapedAndCannotReachAStyle) {
  ConfigTree tree;
  tree.userProfile(
      "evil",
      "[profile]\ndescription = \"<script>alert('x')</script> & \\\"q\\\"\"\n"
      "[view]\nfont = \"x'; background:url(http://example.org/a)\"\n"
      "[speech]\nvoice_fr = \"fr\"\n"
      "[plugins]\nchain = [\"dys\"]\n[plugins.options.dys]\nnote = \"</li><img src=x>\"\n");
  const std::string html = cardOf(tree, "evil", "en");
  ASSERT_FALSE(html.empty());
  EXPECT_FALSE(has(html, "<script")) << html;
  EXPECT_FALSE(has(html, "<img")) << html;
  EXPECT_TRUE(has(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
  EXPECT_TRUE(has(html, "font-family:sans-serif;")) << "an odd font name stays out of the style";
  EXPECT_TRUE(has(html, "x&#39;; background:url(http://example.org/a), 14 pt"))
      << "but is shown, escaped, in the table";
  EXPECT_TRUE(has(html, "&lt;/li&gt;&lt;img src=x&gt;"));
}

TEST(ProfileCard, SelfContainedPrintablePageThatFetchesNothing) {
  for (const std::string profile :
       {"default", "blind-expert", "low-vision", "dys-primaire", "dys-college"}) {
    ShippedCard card(profile);
    const std::string& html = card.html;
    EXPECT_TRUE(has(html,
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                    "'none'; style-src 'unsafe-inline'"))
        << profile;
    EXPECT_TRUE(has(html, "@page { size: A4;")) << profile;
    // Nothing that loads: no script, no link, no image, no frame, no url() and no @import.
    std::regex loads(R"((<script|<link|<img|<iframe|<object|<embed|src=|href=|url\(|@import))",
                     std::regex::icase);
    std::smatch m;
    EXPECT_FALSE(std::regex_search(html, m, loads)) << profile << ": " << m.str(0);
    EXPECT_TRUE(has(html, "</html>\n")) << profile;
  }
}

TEST(ProfileCard, EmptyHotkeyAndEmptyChainAreSaidInWords) {
  ConfigTree tree;
  tree.userProfile("bare", "[hotkeys]\nspell = \"\"\n[plugins]\nchain = []\n");
  const std::string html = cardOf(tree, "bare", "fr");
  EXPECT_TRUE(has(html, "<th>Épeler le mot</th><td><span class=\"none\">aucun</span></td>"));
  EXPECT_TRUE(has(html, "aucune : le texte est lu tel qu'il est reconnu"));
  EXPECT_TRUE(has(html, "Fiche faite le 5 mars 2026"));
}

TEST(ProfileCard, LanguageComesFromTheOptionThenTheProfileThenTheLocale) {
  ConfigTree tree;
  tree.userProfile("en-reader", "[ocr]\nlanguage = \"en\"\n");
  BuildOptions options;
  options.profile = "en-reader";
  BuildResult en = config::buildConfig(tree.dirs(), options);
  ASSERT_TRUE(en.ok()) << dump(en.diagnostics);
  BuildResult detect = config::buildConfig(tree.dirs());  // ocr.language = auto
  ASSERT_TRUE(detect.ok()) << dump(detect.diagnostics);
  struct Case {
    const config::Config* config;
    const char* requested;
    const char* locale;
    const char* want;
  } cases[] = {
      {en.config.get(), "fr", "en_GB.UTF-8", "fr"},   {en.config.get(), "", "fr_FR.UTF-8", "en"},
      {detect.config.get(), "", "fr_FR.UTF-8", "fr"}, {detect.config.get(), "", "C.UTF-8", "en"},
      {detect.config.get(), "de", "", "en"},          {detect.config.get(), "en", "fr_BE", "en"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(cardLanguage(*c.config, c.requested, c.locale), c.want)
        << "requested '" << c.requested << "', locale '" << c.locale << "'";
}

TEST(ProfileCard, EscapeHtmlReplacesTheFiveSpecialCharacters) {
  EXPECT_EQ(escapeHtml("a<b>&\"c'd é"), "a&lt;b&gt;&amp;&quot;c&#39;d é");
  EXPECT_EQ(escapeHtml(""), "");
}

}  // namespace
}  // namespace liseur::app
