#include "document/document.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "core/sentence_end.h"

namespace liseur {

using nlohmann::json;

std::string Line::text() const {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w.text;
  }
  return out;
}

std::string Block::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l.text();
  }
  return out;
}

std::string Document::text() const {
  std::string out;
  for (const auto& b : blocks) {
    std::string t = b.text();
    if (t.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += t;
  }
  return out;
}

namespace {

constexpr std::pair<BlockKind, std::string_view> kKinds[] = {
    {BlockKind::kText, "text"},   {BlockKind::kHeading, "heading"}, {BlockKind::kList, "list"},
    {BlockKind::kTable, "table"}, {BlockKind::kCaption, "caption"}, {BlockKind::kOther, "other"},
};

Result<BlockKind> blockKindFromName(std::string_view n) {
  for (auto [k, name] : kKinds)
    if (name == n) return k;
  return makeError(ErrorCode::kInvalidArgument, "unknown block kind '" + std::string(n) + "'");
}

Error badMember(const std::string& path, const std::string& expected) {
  return makeError(ErrorCode::kInvalidArgument, "document: " + path + ": expected " + expected);
}

// Small typed getters that report the JSON path on error.
template <typename T>
bool get(const json& j, const char* key, T& out, const std::string& path, Error& err,
         bool required = true) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) err = badMember(path + "." + key, "a value (missing)");
    return !required;
  }
  // A number out of an integer's range would convert with undefined behaviour (a float) or wrap
  // (an integer): refused like a value of the wrong type.
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (it->is_number()) {
      const double d = it->template get<double>();
      if (!(d >= static_cast<double>(std::numeric_limits<T>::min()) &&
            d <= static_cast<double>(std::numeric_limits<T>::max()))) {
        err = badMember(path + "." + key, "a number in range");
        return false;
      }
    }
  }
  // Likewise a float: a value beyond its range would become infinity, which JSON cannot write
  // back (it prints null), so the document would not survive being handed to the next plugin.
  if constexpr (std::is_floating_point_v<T>) {
    if (it->is_number()) {
      const double d = it->template get<double>();
      if (!(std::isfinite(d) &&
            std::fabs(d) <= static_cast<double>(std::numeric_limits<T>::max()))) {
        err = badMember(path + "." + key, "a number in range");
        return false;
      }
    }
  }
  try {
    out = it->template get<T>();
    return true;
  } catch (const json::exception&) {
    err = badMember(path + "." + key, std::is_same_v<T, std::string> ? "a string" : "a number");
    return false;
  }
}

bool boxAt(const json& j, const char* key, Box& out, const std::string& path, Error& err) {
  auto it = j.find(key);
  if (it == j.end()) return true;  // boxes are optional (synthetic text)
  auto b = boxFromJson(*it);
  if (!b) {
    err = badMember(path + "." + key, "[x, y, w, h] of integers");
    return false;
  }
  out = *b;
  return true;
}

}  // namespace

std::string_view blockKindName(BlockKind kind) {
  for (auto [k, name] : kKinds)
    if (k == kind) return name;
  return "other";
}

json toJson(const Box& b) {
  return json::array({b.x, b.y, b.w, b.h});
}

json toJson(const Word& w) {
  return json{{"text", w.text}, {"box", toJson(w.box)}, {"conf", w.confidence}, {"lang", w.lang}};
}

json toJson(const Line& l) {
  json words = json::array();
  for (const auto& w : l.words) words.push_back(toJson(w));
  return json{{"box", toJson(l.box)}, {"words", std::move(words)}};
}

json toJson(const Block& b) {
  json lines = json::array();
  for (const auto& l : b.lines) lines.push_back(toJson(l));
  return json{{"index", b.index}, {"kind", blockKindName(b.kind)}, {"box", toJson(b.box)},
              {"lang", b.lang},   {"conf", b.confidence},          {"lines", std::move(lines)}};
}

json toJson(const Document& d) {
  json blocks = json::array();
  for (const auto& b : d.blocks) blocks.push_back(toJson(b));
  json j{{"format", kDocumentFormat}, {"width", d.width}, {"height", d.height},
         {"source", d.source},        {"lang", d.lang},   {"blocks", std::move(blocks)}};
  if (!d.page.empty()) j["page"] = d.page;
  if (!d.answers.empty()) {
    json answers = json::array();
    for (const auto& a : d.answers) answers.push_back(toJson(a));
    j["answers"] = std::move(answers);
  }
  return j;
}

json toJson(const Utterance& u) {
  json words = json::array();
  for (const auto& w : u.words)
    words.push_back({{"offset", w.offset},
                     {"length", w.length},
                     {"block", w.block},
                     {"line", w.line},
                     {"word", w.word}});
  return json{{"text", u.text}, {"lang", u.lang}, {"block", u.block}, {"words", std::move(words)}};
}

Result<Box> boxFromJson(const json& j) {
  if (!j.is_array() || j.size() != 4)
    return makeError(ErrorCode::kInvalidArgument, "box: expected [x, y, w, h]");
  Box b;
  int* f[] = {&b.x, &b.y, &b.w, &b.h};
  for (int i = 0; i < 4; ++i) {
    if (!j[i].is_number_integer())
      return makeError(ErrorCode::kInvalidArgument, "box: expected integers");
    *f[i] = j[i].get<int>();
  }
  if (b.w < 0 || b.h < 0) return makeError(ErrorCode::kInvalidArgument, "box: negative size");
  return b;
}

Result<Block> blockFromJson(const json& j) {
  const std::string path = "block";
  if (!j.is_object()) return badMember(path, "an object");
  Block b;
  Error err;
  std::string kind = "text";
  if (!get(j, "index", b.index, path, err, false) || !get(j, "kind", kind, path, err, false) ||
      !get(j, "lang", b.lang, path, err, false) ||
      !get(j, "conf", b.confidence, path, err, false) || !boxAt(j, "box", b.box, path, err))
    return err;
  auto k = blockKindFromName(kind);
  if (!k) return badMember(path + ".kind", "one of text, heading, list, table, caption, other");
  b.kind = *k;
  auto lines = j.find("lines");
  if (lines == j.end() || !lines->is_array()) return badMember(path + ".lines", "an array");
  for (std::size_t li = 0; li < lines->size(); ++li) {
    const json& lj = (*lines)[li];
    std::string lpath = path + ".lines[" + std::to_string(li) + "]";
    if (!lj.is_object()) return badMember(lpath, "an object");
    Line line;
    if (!boxAt(lj, "box", line.box, lpath, err)) return err;
    auto words = lj.find("words");
    if (words == lj.end() || !words->is_array()) return badMember(lpath + ".words", "an array");
    for (std::size_t wi = 0; wi < words->size(); ++wi) {
      const json& wj = (*words)[wi];
      std::string wpath = lpath + ".words[" + std::to_string(wi) + "]";
      if (!wj.is_object()) return badMember(wpath, "an object");
      Word w;
      if (!get(wj, "text", w.text, wpath, err) ||
          !get(wj, "conf", w.confidence, wpath, err, false) ||
          !get(wj, "lang", w.lang, wpath, err, false) || !boxAt(wj, "box", w.box, wpath, err))
        return err;
      line.words.push_back(std::move(w));
    }
    b.lines.push_back(std::move(line));
  }
  return b;
}

Result<Document> documentFromJson(const json& j) {
  if (!j.is_object()) return badMember("$", "an object");
  Document d;
  Error err;
  std::string format;
  if (!get(j, "format", format, "$", err)) return err;
  if (format != kDocumentFormat)
    return badMember("$.format",
                     std::string("\"") + kDocumentFormat + "\" (found \"" + format + "\")");
  if (!get(j, "width", d.width, "$", err, false) || !get(j, "height", d.height, "$", err, false) ||
      !get(j, "source", d.source, "$", err, false) || !get(j, "lang", d.lang, "$", err, false) ||
      !get(j, "page", d.page, "$", err, false))
    return err;
  auto blocks = j.find("blocks");
  if (blocks == j.end() || !blocks->is_array()) return badMember("$.blocks", "an array");
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    auto b = blockFromJson((*blocks)[i]);
    if (!b) {
      Error e = b.error();
      e.message.replace(e.message.find("block"), 5, "$.blocks[" + std::to_string(i) + "]");
      return e;
    }
    d.blocks.push_back(std::move(b).value());
  }
  if (auto answers = j.find("answers"); answers != j.end()) {
    if (!answers->is_array()) return badMember("$.answers", "an array");
    for (std::size_t i = 0; i < answers->size(); ++i) {
      const std::string path = "$.answers[" + std::to_string(i) + "]";
      auto a = answerPlaceFromJson((*answers)[i]);
      if (!a) return badMember(path, "an answer place (" + a.error().message + ")");
      const AnswerPlace& p = *a;
      if (p.block < 0 || p.block >= int(d.blocks.size()) || p.line < 0 ||
          p.line >= int(d.blocks[p.block].lines.size()))
        return badMember(path, "block and line of this document");
      const int words = int(d.blocks[p.block].lines[p.line].words.size());
      if (p.after < -1 || p.after >= words)
        return badMember(path + ".after", "a word of its line or -1");
      for (int c : p.covers)
        if (c < 0 || c >= words) return badMember(path + ".covers", "words of its line");
      d.answers.push_back(std::move(a).value());
    }
  }
  return d;
}

Result<Utterance> utteranceFromJson(const json& j) {
  if (!j.is_object()) return badMember("utterance", "an object");
  Utterance u;
  Error err;
  if (!get(j, "text", u.text, "utterance", err) ||
      !get(j, "lang", u.lang, "utterance", err, false) ||
      !get(j, "block", u.block, "utterance", err, false))
    return err;
  if (auto ws = j.find("words"); ws != j.end()) {
    if (!ws->is_array()) return badMember("utterance.words", "an array");
    for (const auto& wj : *ws) {
      WordRef r;
      if (!get(wj, "offset", r.offset, "utterance.words[]", err) ||
          !get(wj, "length", r.length, "utterance.words[]", err) ||
          !get(wj, "block", r.block, "utterance.words[]", err, false) ||
          !get(wj, "line", r.line, "utterance.words[]", err, false) ||
          !get(wj, "word", r.word, "utterance.words[]", err, false))
        return err;
      if (r.offset < 0 || r.length < 0 ||
          static_cast<std::size_t>(r.offset) + r.length > u.text.size())
        return badMember("utterance.words[]", "offset and length inside the text");
      u.words.push_back(r);
    }
  }
  return u;
}

namespace {

// An utterance ends with its sentence, or at a colon or semicolon (a list or a clause follows).
bool endsUtterance(const std::string& w) {
  const char32_t mark = finalMark(w);
  return mark == U':' || mark == U';' || wordEndsSentence(w);
}

}  // namespace

std::vector<Utterance> defaultUtterances(const Block& block, std::size_t maxBytes) {
  std::vector<Utterance> out;
  Utterance cur;
  auto flush = [&] {
    if (!cur.text.empty()) out.push_back(std::move(cur));
    cur = Utterance{};
  };
  for (std::size_t li = 0; li < block.lines.size(); ++li) {
    const Line& line = block.lines[li];
    for (std::size_t wi = 0; wi < line.words.size(); ++wi) {
      const Word& w = line.words[wi];
      if (w.text.empty()) continue;
      if (!cur.text.empty() && cur.text.size() + 1 + w.text.size() > maxBytes) flush();
      if (cur.text.empty()) {
        cur.lang = block.lang;
        cur.block = block.index;
      } else {
        cur.text += ' ';
      }
      cur.words.push_back(WordRef{static_cast<int>(cur.text.size()),
                                  static_cast<int>(w.text.size()), block.index,
                                  static_cast<int>(li), static_cast<int>(wi)});
      cur.text += w.text;
      if (endsUtterance(w.text)) flush();
    }
  }
  flush();
  return out;
}

}  // namespace liseur
