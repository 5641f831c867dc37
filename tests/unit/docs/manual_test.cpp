// The generators of daemon/app/manual.h on a small command table of their own: what is shown,
// what is hidden, escaping, and the words of `liseur __complete`.
#include "app/manual.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace liseur::app {
namespace {

struct Toy {
  CLI::App app{"toy: does things, for tests"};
  std::string lang, file, name, secret;
  bool flag = false;
  Toy() {
    app.add_flag("--quiet", flag, "Say less");
    app.add_option("--secret", secret, "Not shown")->group("");
    auto* run = app.add_subcommand("run", "Run something \\ with a backslash, -dash and \xC3\xA9");
    run->add_option("FILE", file, "The file")->required()->check(completes(Complete::kFiles));
    run->add_option("--lang", lang, "Language")->check(CLI::IsMember({"fr", "en"}));
    run->add_option("--profile", name, ".starts with a dot")
        ->check(completes(Complete::kProfiles, {"none"}));
    app.add_subcommand("hidden", "Not shown")->group("");
  }
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Manual, PageShowsTheTableAndHidesTheHidden) {
  Toy t;
  std::string page = manPage(t.app, "toy", 1, {".SH DESCRIPTION\nHand.\n", ".SH SEE ALSO\nx\n"});
  EXPECT_TRUE(has(page, ".TH \"TOY\" \"1\"")) << page;
  EXPECT_TRUE(has(page, "toy \\- does things, for tests")) << page;
  EXPECT_TRUE(has(page, "\\fB\\-\\-quiet\\fR")) << page;
  EXPECT_TRUE(has(page, ".SS \"run\"")) << page;
  EXPECT_TRUE(has(page, "\\fB\\-\\-lang\\fR \\fBfr\\fR|\\fBen\\fR")) << page;
  EXPECT_TRUE(has(page, "\\fB\\-\\-profile\\fR \\fIPROFILE\\fR")) << page;
  EXPECT_TRUE(has(page, "\\fIFILE\\fR")) << page;
  EXPECT_TRUE(has(page, "backslash")) << page;
  EXPECT_TRUE(has(page, "\\e with")) << page;
  EXPECT_TRUE(has(page, "\\-dash and \\[u00E9]")) << page;
  EXPECT_TRUE(has(page, "\n\\&.starts with a dot")) << page;
  EXPECT_TRUE(has(page, ".SH DESCRIPTION\nHand.\n")) << page;
  EXPECT_FALSE(has(page, "secret")) << page;
  EXPECT_FALSE(has(page, "hidden")) << page;
}

TEST(Manual, CompletionScriptsOfferTheTable) {
  Toy t;
  std::string bash = bashCompletion(t.app, "toy");
  EXPECT_TRUE(has(bash, "subs='run'")) << bash;
  EXPECT_TRUE(has(bash, "'toy run --lang') _toy_words 'fr en' ;;")) << bash;
  EXPECT_TRUE(has(bash, "'toy run @0') _toy_files ;;")) << bash;
  EXPECT_TRUE(has(bash, "_toy_words 'none'; _toy_dynamic profiles")) << bash;
  EXPECT_TRUE(has(bash, "complete -F _toy toy")) << bash;
  EXPECT_FALSE(has(bash, "secret")) << bash;
  EXPECT_FALSE(has(bash, "hidden")) << bash;
  std::string zsh = zshCompletion(t.app, "toy");
  EXPECT_TRUE(has(zsh, "#compdef toy")) << zsh;
  EXPECT_TRUE(has(zsh, "'--lang=[Language]:text:(fr en)'")) << zsh;
  EXPECT_TRUE(has(zsh, "'run:Run something")) << zsh;
  std::string fish = fishCompletion(t.app, "toy");
  EXPECT_TRUE(has(fish, "-l lang -x -a 'fr en' -d 'Language'")) << fish;
  EXPECT_FALSE(has(fish, "secret")) << fish;
}

TEST(Manual, ConfigPageListsEveryKey) {
  std::string page = configManPage({"", ""});
  for (const char* key : {"speech.rate", "hotkeys.stop", "plugins.options.*", "daemon.profile"})
    EXPECT_TRUE(has(page, std::string("\\fB") + key)) << key;
  EXPECT_TRUE(has(page, "An integer from 80 to 450. Default: 175.")) << page;
}

TEST(Manual, CompletionWordsComeFromTheSchema) {
  auto v = completionWords("values", "speech.punctuation");
  EXPECT_EQ(v, (std::vector<std::string>{"none", "some", "all"}));
  EXPECT_EQ(completionWords("values", "view.highlight_word"),
            (std::vector<std::string>{"true", "false"}));
  auto keys = completionWords("keys", "");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "speech.rate"), keys.end());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "daemon.profile"), keys.end());  // main only
  EXPECT_TRUE(completionWords("values", "no.such.key").empty());
  EXPECT_TRUE(completionWords("nonsense", "").empty());
}

}  // namespace
}  // namespace liseur::app
