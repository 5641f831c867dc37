#include "control/line_changes.h"

#include <algorithm>
#include <cctype>
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

namespace {

// Where in raw `line` its normalised form (normaliseLine) reaches `length` bytes.
std::size_t rawOffset(const std::string& line, std::size_t length) {
  std::size_t n = 0;  // bytes of the normalised form so far
  bool space = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c < 0x80 && !std::isalnum(c)) {
      space = n > 0;
      continue;
    }
    if (space) ++n;
    space = false;
    ++n;
    if (n >= length) return i + 1;
  }
  return line.size();
}

// `s` without the spaces and ASCII punctuation at its start.
std::string trimmed(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80 &&
         !std::isalnum(static_cast<unsigned char>(s[i])))
    ++i;
  return s.substr(i);
}

}  // namespace

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
    if (!seen) {
      // A paragraph that grew (a terminal's line joined by the next one into running text, a
      // chat message that goes on): only what follows the text seen before is new.
      std::size_t from = 0;
      for (const std::string& old : previous) {
        if (old.size() < 4) continue;
        // The old text's end, give or take a letter read otherwise (an accent is two bytes).
        for (std::size_t len = old.size() - 2; len <= old.size() + 2; ++len) {
          if (len + 2 > norm.size() || norm[len] != ' ') continue;
          if (sameLine(std::string_view(norm).substr(0, len), old))
            from = std::max(from, rawOffset(line, len));
        }
      }
      const std::string rest = trimmed(line.substr(from));
      if (rest.empty()) {
        if (normalisedCurrent) normalisedCurrent->push_back(std::move(norm));
        continue;
      }
      fresh.push_back(from > 0 ? rest : line);
    }
    if (normalisedCurrent) normalisedCurrent->push_back(std::move(norm));
  }
  return fresh;
}

}  // namespace liseur
