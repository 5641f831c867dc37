#include "speech/text/lexicon.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/paths.h"
#include "speech/text/text_edit.h"

namespace liseur::speech {
namespace {

using text::decodeAt;
using text::decodeBefore;
using text::isDigit;
using text::isWordChar;
using text::kInvalidCodePoint;

constexpr std::size_t kMaxFromBytes = 64;
constexpr std::size_t kMaxToBytes = 256;
constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

char asciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool validUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = 0;
    if (decodeAt(s, i, n) == kInvalidCodePoint) return false;
    i += n;
  }
  return true;
}

char32_t firstCp(std::string_view s) {
  std::size_t n = 0;
  return s.empty() ? kInvalidCodePoint : decodeAt(s, 0, n);
}

char32_t lastCp(std::string_view s) {
  std::size_t n = 0;
  return decodeBefore(s, s.size(), n);
}

bool sameKey(const LexiconEntry& a, const LexiconEntry& b) {
  if (a.ignore_case != b.ignore_case || a.after_number != b.after_number ||
      a.before_number != b.before_number || a.from.size() != b.from.size())
    return false;
  if (!a.ignore_case) return a.from == b.from;
  for (std::size_t i = 0; i < a.from.size(); ++i)
    if (asciiLower(a.from[i]) != asciiLower(b.from[i])) return false;
  return true;
}

// A number ends just before `pos`, touching it or after one space.
bool numberBefore(std::string_view text, std::size_t pos) {
  std::size_t n = 0;
  char32_t c = decodeBefore(text, pos, n);
  if (isDigit(c)) return true;
  if (c == U' ' || c == 0x00A0 || c == 0x202F) {
    std::size_t m = 0;
    return isDigit(decodeBefore(text, pos - n, m));
  }
  return false;
}

// A number starts at `pos`, touching it or after one space.
bool numberAfter(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return false;
  std::size_t n = 0;
  char32_t c = decodeAt(text, pos, n);
  if (isDigit(c)) return true;
  if (c == U' ' || c == 0x00A0 || c == 0x202F) {
    std::size_t m = 0;
    return pos + n < text.size() && isDigit(decodeAt(text, pos + n, m));
  }
  return false;
}

}  // namespace

Result<Lexicon> Lexicon::parse(std::string_view text, const std::string& file) {
  Lexicon lex;
  int lineNo = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(start, nl - start);
    ++lineNo;
    start = nl + 1;
    const auto fail = [&](const std::string& what) {
      return Result<Lexicon>::fail(
          ErrorCode::kConfigInvalid,
          fmt::format("{}:{}: {}; found '{}'", file, lineNo, what,
                      validUtf8(raw) ? std::string(trim(raw)) : std::string("(invalid UTF-8)")));
    };
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') {
      if (nl == text.size()) break;
      continue;
    }
    if (!validUtf8(line)) return fail("the line is not valid UTF-8");
    // FROM ends at the first '=' with white space on both sides.
    std::size_t eq = std::string_view::npos;
    for (std::size_t i = 1; i + 1 < line.size(); ++i) {
      if (line[i] == '=' && (line[i - 1] == ' ' || line[i - 1] == '\t') &&
          (line[i + 1] == ' ' || line[i + 1] == '\t')) {
        eq = i;
        break;
      }
    }
    if (eq == std::string_view::npos)
      return fail("expected an entry 'FROM = TO' (with spaces around '=') or a # comment");
    LexiconEntry e;
    e.file = file;
    e.line = lineNo;
    std::string_view from = trim(line.substr(0, eq));
    std::string_view to = trim(line.substr(eq + 1));
    if (!to.empty() && to.back() == ']') {
      std::size_t open = to.rfind('[');
      if (open == std::string_view::npos) return fail("']' at the end without '[' before it");
      std::string_view flags = to.substr(open + 1, to.size() - open - 2);
      to = trim(to.substr(0, open));
      while (!flags.empty()) {
        std::size_t comma = flags.find(',');
        std::string_view flag = trim(flags.substr(0, comma));
        if (flag == "nocase") {
          e.ignore_case = true;
        } else if (flag == "after-number") {
          e.after_number = true;
        } else if (flag == "before-number") {
          e.before_number = true;
        } else {
          return fail(fmt::format(
              "unknown flag '{}' (known flags: nocase, after-number, before-number)", flag));
        }
        if (comma == std::string_view::npos) break;
        flags.remove_prefix(comma + 1);
      }
    }
    if (from.empty()) return fail("empty FROM before '='");
    if (to.empty()) return fail(fmt::format("empty TO after '=' for '{}'", from));
    if (from.size() > kMaxFromBytes)
      return fail(fmt::format("FROM is longer than {} bytes", kMaxFromBytes));
    if (to.size() > kMaxToBytes)
      return fail(fmt::format("TO is longer than {} bytes", kMaxToBytes));
    e.from = std::string(from);
    e.to = std::string(to);
    for (const LexiconEntry& other : lex.entries_) {
      if (sameKey(other, e))
        return fail(fmt::format("'{}' is already defined on line {}", e.from, other.line));
    }
    if (lex.entries_.size() >= 0xFFFF) return fail("more than 65535 entries");
    lex.entries_.push_back(std::move(e));
    if (nl == text.size()) break;
  }
  lex.sortEntries();
  return lex;
}

Result<Lexicon> Lexicon::load(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::kFileNotFound : ErrorCode::kFileUnreadable;
    return Result<Lexicon>::fail(code, fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode))
    return Result<Lexicon>::fail(ErrorCode::kNotRegularFile, path + ": not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes)
    return Result<Lexicon>::fail(ErrorCode::kFileTooLarge,
                                 fmt::format("{}: {} bytes, a lexicon is at most {} bytes", path,
                                             st.st_size, kMaxFileBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<Lexicon>::fail(ErrorCode::kFileUnreadable, path + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Result<Lexicon>::fail(ErrorCode::kFileUnreadable, path + ": read error");
  return parse(ss.str(), path);
}

void Lexicon::sortEntries() {
  std::stable_sort(
      entries_.begin(), entries_.end(),
      [](const LexiconEntry& a, const LexiconEntry& b) { return a.from.size() > b.from.size(); });
  for (auto& bucket : by_first_byte_) bucket.clear();
  for (std::size_t i = 0; i < entries_.size() && i < 0xFFFF; ++i) {
    const auto first = static_cast<unsigned char>(entries_[i].from[0]);
    by_first_byte_[first].push_back(static_cast<std::uint16_t>(i));
    if (entries_[i].ignore_case) {
      const auto lower = static_cast<unsigned char>(asciiLower(static_cast<char>(first)));
      const auto upper =
          static_cast<unsigned char>(lower >= 'a' && lower <= 'z' ? lower - 'a' + 'A' : lower);
      for (unsigned char other : {lower, upper})
        if (other != first) by_first_byte_[other].push_back(static_cast<std::uint16_t>(i));
    }
  }
}

void Lexicon::overrideWith(const Lexicon& user) {
  for (const LexiconEntry& u : user.entries_) {
    auto same = std::find_if(entries_.begin(), entries_.end(),
                             [&](const LexiconEntry& e) { return sameKey(e, u); });
    if (same != entries_.end()) {
      *same = u;
    } else {
      // User entries go first so that, for equal lengths, the user's wins.
      entries_.insert(entries_.begin(), u);
    }
  }
  sortEntries();
}

LexiconMatch Lexicon::matchAt(std::string_view text, std::size_t pos) const {
  if (pos >= text.size()) return {};
  // Indices in a bucket increase, so entries are still tried longest first.
  const auto& bucket = by_first_byte_[static_cast<unsigned char>(text[pos])];
  if (bucket.empty()) return {};
  std::size_t prevLen = 0;
  const char32_t prev = decodeBefore(text, pos, prevLen);
  for (const std::uint16_t index : bucket) {
    const LexiconEntry& e = entries_[index];
    const std::size_t n = e.from.size();
    if (pos + n > text.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) {
      same = e.ignore_case ? asciiLower(text[pos + i]) == asciiLower(e.from[i])
                           : text[pos + i] == e.from[i];
    }
    if (!same) continue;
    const char32_t f0 = firstCp(e.from);
    const char32_t fl = lastCp(e.from);
    if (e.after_number) {
      if (!numberBefore(text, pos)) continue;
    } else if (isWordChar(f0) && isWordChar(prev)) {
      continue;
    }
    std::size_t nextLen = 0;
    const char32_t next =
        pos + n < text.size() ? decodeAt(text, pos + n, nextLen) : kInvalidCodePoint;
    if ((isWordChar(fl) || fl == U'.') && isWordChar(next) &&
        !((e.after_number || e.before_number) && isDigit(next)))
      continue;
    // "l'école": an apostrophe after a letter continues the word.
    if (isWordChar(fl) && (next == U'\'' || next == 0x2019)) continue;
    if (e.before_number && !numberAfter(text, pos + n)) continue;
    return LexiconMatch{&e, n};
  }
  return {};
}

Result<Lexicon> loadLexiconForLanguage(const std::string& lang, const std::string& shippedDir,
                                       const std::string& userDir) {
  const bool plain =
      !lang.empty() && lang.size() <= 16 && std::all_of(lang.begin(), lang.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
      });
  if (!plain)
    return Result<Lexicon>::fail(
        ErrorCode::kInvalidArgument,
        fmt::format("lexicon language '{}': expected a language code such as \"fr\"", lang));
  const std::string name = "lexicon-" + lang + ".txt";
  Lexicon lex;
  for (const std::string& dir : {shippedDir, userDir}) {
    if (dir.empty()) continue;
    Result<Lexicon> part = Lexicon::load(dir + "/" + name);
    if (!part.ok()) {
      if (part.error().code == ErrorCode::kFileNotFound) continue;
      return part.error();
    }
    lex.overrideWith(*part);
  }
  return lex;
}

Result<Lexicon> loadLexiconForLanguage(const std::string& lang) {
  return loadLexiconForLanguage(lang, dataDir() + "/voices", userConfigDir());
}

}  // namespace liseur::speech
