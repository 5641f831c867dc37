#include "core/utf8.h"

#include <gtest/gtest.h>
#include <wctype.h>

namespace liseur {
namespace {

TEST(Utf8, EncodesEveryLength) {
  EXPECT_EQ(encodeUtf8(std::u32string{U'a', U'é', U'€', U'𝄞'}), "aé€𝄞");
  std::string out;
  appendUtf8(out, 0x7F);
  appendUtf8(out, 0x80);
  appendUtf8(out, 0x7FF);
  appendUtf8(out, 0x800);
  appendUtf8(out, 0xFFFF);
  appendUtf8(out, 0x10000);
  appendUtf8(out, 0x10FFFF);
  EXPECT_EQ(out, "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF");
}

TEST(Utf8, CombiningMarksAndLocale) {
  EXPECT_TRUE(isCombiningMark(0x0301));  // combining acute accent
  EXPECT_FALSE(isCombiningMark(U'é'));   // precomposed letter
  EXPECT_FALSE(isCombiningMark(U','));
  ASSERT_NE(utf8CtypeLocale(), static_cast<locale_t>(nullptr)) << "C.UTF-8 is missing";
  EXPECT_TRUE(iswalpha_l(L'é', utf8CtypeLocale()));
}

}  // namespace
}  // namespace liseur
