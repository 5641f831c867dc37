#include <gtest/gtest.h>

#include "config/config_parser.h"
#include "config/toml_guard.h"

namespace liseur::config {
namespace {

struct GuardCase {
  const char* name;
  std::string text;
  int line;  // 0: accepted
  int column;
};

// Inputs that make toml++ 3.3 reach __builtin_unreachable (marzer/tomlplusplus#190, #295, and
// the one our fuzzer found) must be refused before toml++ sees them; valid TOML with non-ASCII
// text in strings and comments must pass untouched.
TEST(TomlGuard, RefusesWhatToml33CannotParseSafely) {
  const GuardCase cases[] = {
      {"fuzzer find: U+0497 in a bare key",
       "speec\xd2\x97\xd9\x8a"
       "ate = 190\n",
       1, 6},
      {"#295: U+032A alone", "\xcc\xaa", 1, 1},
      {"#190: line-ending backslash then U+00A7", "s = \"\"\"\\\n\xc2\xa7\"\"\"\n", 2, 1},
      {"backslash, spaces, blank line, then U+00E9",
       "s = \"\"\"\\  \n\n  \xc3\xa9t\xc3\xa9\"\"\"\n", 3, 3},
      {"invalid UTF-8 in a comment", "# \xff\n", 1, 3},
      {"overlong encoding", "a = \"\xc0\xaf\"\n", 1, 6},
      {"surrogate", "a = \"\xed\xa0\x80\"\n", 1, 6},
      {"non-ASCII after a value", "a = 1 \xc2\xa0\n", 1, 7},
      {"accents in strings and comments", "# Léa, CE2\n[view]\nfont = \"Écolière\"\n", 0, 0},
      {"escaped quote keeps the string open", "a = \"x\\\"é\"\nb = 'é'\n", 0, 0},
      {"multi-line strings with accents", "a = \"\"\"\né\"\"\"\"\"\nb = '''\né'''\n", 0, 0},
      {"line-ending backslash then ASCII", "a = \"\"\"\\\n  ok é\"\"\"\n", 0, 0},
  };
  for (const auto& c : cases) {
    auto bad = checkTomlInput(c.text);
    if (c.line == 0) {
      EXPECT_FALSE(bad.has_value()) << c.name << ": " << (bad ? bad->message : "");
      ParsedLayer layer = parseLayerText(c.text, "guard.toml", LayerKind::kUserMain);
      for (const auto& d : layer.diagnostics)
        EXPECT_EQ(d.message.find("TOML syntax error"), std::string::npos)
            << c.name << ": " << d.toString();
      continue;
    }
    ASSERT_TRUE(bad.has_value()) << c.name;
    EXPECT_EQ(bad->line, c.line) << c.name << ": " << bad->message;
    EXPECT_EQ(bad->column, c.column) << c.name << ": " << bad->message;
    ParsedLayer layer = parseLayerText(c.text, "guard.toml", LayerKind::kUserMain);
    ASSERT_EQ(layer.diagnostics.size(), 1u) << c.name;
    EXPECT_EQ(layer.diagnostics[0].line, c.line) << c.name;
    EXPECT_EQ(layer.diagnostics[0].message.rfind("TOML syntax error: ", 0), 0u) << c.name;
  }
}

}  // namespace
}  // namespace liseur::config
