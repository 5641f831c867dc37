#include "control/line_changes.h"

#include <algorithm>
#include <numeric>

namespace liseur {

std::string normaliseLine(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  bool space = false;
  for (char ch : line) {
    auto c = static_cast<unsigned char>(ch);
    bool sep = c < 0x80 && !std::isalnum(c);
    if (sep) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c < 0x80 ? static_cast<char>(std::tolower(c)) : ch);
  }
  return out;
}

std::size_t boundedEditDistance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() < b.size()) std::swap(a, b);
  if (a.size() - b.size() > limit) return limit + 1;
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
      best = std::min(best, row[j]);
    }
    // Every path to the end goes through this row: once its minimum is over the limit, so is
    // the distance.
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

bool sameLine(std::string_view a, std::string_view b) {
  if (a == b) return true;
  std::size_t longer = std::max(a.size(), b.size());
  // Short lines must match exactly: two edits turn "ab" into anything of two letters.
  std::size_t limit = longer < 4 ? 0 : std::max<std::size_t>(1, longer * 15 / 100);
  return boundedEditDistance(a, b, limit) <= limit;
}

std::vector<std::string> newLines(const std::vector<std::string>& previous,
                                  const std::vector<std::string>& current,
                                  std::vector<std::string>* normalisedCurrent) {
  std::vector<std::string> fresh;
  if (normalisedCurrent) normalisedCurrent->clear();
  for (const std::string& line : current) {
    std::string norm = normaliseLine(line);
    if (std::count_if(norm.begin(), norm.end(), [](char c) { return c != ' '; }) < 2) continue;
    bool seen = std::any_of(previous.begin(), previous.end(),
                            [&](const std::string& old) { return sameLine(norm, old); });
    if (!seen) fresh.push_back(line);
    if (normalisedCurrent) normalisedCurrent->push_back(std::move(norm));
  }
  return fresh;
}

}  // namespace liseur
