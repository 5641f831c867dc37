#include "support/text_metrics.h"

#include <algorithm>
#include <vector>

namespace liseur::test {
namespace {

std::u32string decodeUtf8(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (int k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::u32string normaliseSpaces(const std::u32string& s) {
  std::u32string out;
  bool space = false;
  for (char32_t c : s) {
    bool ws = c == U' ' || c == U'\n' || c == U'\t' || c == U'\r' || c == 0xa0 || c == 0x202f ||
              c == 0x2009;
    if (ws) {
      space = !out.empty();
    } else {
      if (space) out.push_back(U' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

double characterErrorRate(const std::string& reference, const std::string& hypothesis) {
  const std::u32string a = normaliseSpaces(decodeUtf8(reference));
  const std::u32string b = normaliseSpaces(decodeUtf8(hypothesis));
  if (a.empty()) return b.empty() ? 0.0 : 1.0;
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return static_cast<double>(prev[b.size()]) / static_cast<double>(a.size());
}

}  // namespace liseur::test
