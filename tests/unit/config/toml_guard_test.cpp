#include <gtest/gtest.h>

#include "config/config_parser.h"
#include "config/toml_editor.h"
#include "config/toml_guard.h"

namespace liseur::config {
namespace {

// Documents that make toml++ 3.3 reach __builtin_unreachable (marzer/tomlplusplus#190, #295 and
// the two our fuzzer found). Under parseToml they parse (or fail) exactly as TOML says, with
// their own positions; the sanitizer build of the fuzz target proves no undefined behaviour.
TEST(TomlGuard, ValidDocumentsWithUnsafeCodePointsParseToTheirOriginalValues) {
  struct Case {
    const char* name;
    std::string text;
    std::string key;
    std::string value;
  } cases[] = {
      {"#190: line-ending backslash then U+00A7", "s = \"\"\"\\\n\xc2\xa7\"\"\"\n", "s",
       "\xc2\xa7"},
      {"line-ending backslash, blank line, accents",
       "s = \"\"\"\\  \n\n  \xc3\xa9t\xc3\xa9\"\"\"\n", "s", "\xc3\xa9t\xc3\xa9"},
      {"accented key and value", "\"cl\xc3\xa9\" = \"\xc3\xa9l\xc3\xa8ve\"\n", "cl\xc3\xa9",
       "\xc3\xa9l\xc3\xa8ve"},
      {"CJK and Arabic presentation forms", "a = \"\xe3\x80\x81\xef\xbb\xbc\"\n", "a",
       "\xe3\x80\x81\xef\xbb\xbc"},
  };
  for (const auto& c : cases) {
    toml::table t;
    try {
      t = parseToml(c.text, "guard.toml");
    } catch (const toml::parse_error& e) {
      ADD_FAILURE() << c.name << ": " << e.description();
      continue;
    }
    ASSERT_NE(t.get(c.key), nullptr) << c.name;
    EXPECT_EQ(t.get(c.key)->value_or(std::string()), c.value) << c.name;
  }
}

TEST(TomlGuard, InvalidDocumentsWithUnsafeCodePointsAreSyntaxErrorsAtTheirPlace) {
  struct Case {
    const char* name;
    std::string text;
    int line;
    int column;
  } cases[] = {
      {"fuzzer: U+0497 in a bare key",
       "speec\xd2\x97\xd9\x8a"
       "ate = 190\n",
       1, 6},
      {"#295: U+032A alone", "\xcc\xaa", 1, 1},
      {"fuzzer: + before a string holding U+00A8", "s =+\"\xc2\xa8\"\"\"\"\n", 1, 4},
      {"NBSP after a value", "a = 1 \xc2\xa0\n", 1, 7},
      {"invalid UTF-8 in a comment", "# \xff\n", 1, 3},
      {"overlong encoding", "a = \"\xc0\xaf\"\n", 1, 6},
      {"reserved private-use code point", "a = \"\xf3\xb0\x80\x80\"\n", 1, 6},
  };
  for (const auto& c : cases) {
    ParsedLayer layer = parseLayerText(c.text, "guard.toml", LayerKind::kUserMain);
    ASSERT_EQ(layer.diagnostics.size(), 1u) << c.name;
    const Diagnostic& d = layer.diagnostics[0];
    EXPECT_EQ(d.message.rfind("TOML syntax error: ", 0), 0u) << c.name << ": " << d.toString();
    EXPECT_EQ(d.line, c.line) << c.name << ": " << d.toString();
    EXPECT_EQ(d.column, c.column) << c.name << ": " << d.toString();
    EXPECT_EQ(d.message.find("\xf3\xb0"), std::string::npos)
        << c.name << ": a swapped code point leaked into the message";
  }
}

TEST(TomlGuard, EditorKeepsAccentedTextAfterALineEndingBackslash) {
  const std::string text =
      "[profile]\ndescription = \"\"\"\\\n  \xc3\x89l\xc3\xa8ve\"\"\"\n[speech]\nrate = 120\n";
  Result<std::string> out = setTomlValue(text, "speech.rate", Value(std::int64_t{130}));
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(
      *out,
      "[profile]\ndescription = \"\"\"\\\n  \xc3\x89l\xc3\xa8ve\"\"\"\n[speech]\nrate = 130\n");
  ParsedLayer layer = parseLayerText(*out, "p.toml", LayerKind::kProfile);
  ASSERT_TRUE(layer.diagnostics.empty());
  EXPECT_EQ(std::get<std::string>(layer.settings.at("profile.description").value),
            "\xc3\x89l\xc3\xa8ve");
}

TEST(TomlGuard, ADottedNameOfTensOfThousandsOfPartsIsRefusedBeforeToml) {
  // toml++ recurses once per part of a dotted name: 35,000 parts (70 KB) overflowed its stack
  // and took liseurd down at every start. Refused at the 65th part, with its place.
  std::string header = "[a";
  for (int i = 1; i < 35000; ++i) header += ".a";
  const std::string deep = "# a hostile profile\n" + header + "]\nx = 1\n";
  auto bad = checkTomlInput(deep);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->line, 2);
  EXPECT_EQ(bad->column, 129);  // the 64th dot
  EXPECT_NE(bad->message.find("more than 64 parts"), std::string::npos) << bad->message;
  EXPECT_THROW(parseToml(deep, "deep.toml"), toml::parse_error);
  // The same as a dotted key, spaces around the dots.
  std::string key = "a";
  for (int i = 1; i < 100; ++i) key += " . a";
  EXPECT_TRUE(checkTomlInput(key + " = 1\n"));
  // 64 parts, numbers, dates and dots inside strings and comments are fine.
  std::string ok = "a";
  for (int i = 1; i < 64; ++i) ok += ".a";
  const std::string fine = ok + " = 1\n" + "pi = 3.14\nwhen = 1979-05-27T07:32:00.999Z\n" +
                           "s = \"" + std::string(500, '.') + "\"\n# " + std::string(500, '.') +
                           "\nm = \'\'\'\n" + std::string(500, '.') + "\n\'\'\'\n";
  EXPECT_FALSE(checkTomlInput(fine)) << checkTomlInput(fine)->message;
  EXPECT_NO_THROW(parseToml(fine));
}

}  // namespace
}  // namespace liseur::config
