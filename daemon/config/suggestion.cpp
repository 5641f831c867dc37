#include "config/suggestion.h"

#include <algorithm>
#include <cctype>

namespace liseur::config {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

}  // namespace

std::size_t editDistance(std::string_view a, std::string_view b) {
  // Three rolling rows are enough for the transposition case; keys are short, so this stays
  // cheap even when a file is full of unknown keys.
  const std::size_t n = b.size();
  std::vector<std::size_t> prev2(n + 1), prev(n + 1), cur(n + 1);
  for (std::size_t j = 0; j <= n; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= n; ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[n];
}

std::string nearestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > 256) return {};
  const std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
  std::size_t best = limit + 1;
  std::string found;
  for (const auto& c : candidates) {
    // A length gap larger than the limit can never be within it: skip the work.
    const std::size_t gap =
        c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap > limit) continue;
    const std::size_t d = editDistance(word, c);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return found;
}

}  // namespace liseur::config
