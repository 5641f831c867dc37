// large-print: a render plugin giving a large, high-contrast view of the document in ONE
// self-contained HTML file (inline CSS and JS, fonts by family name, the narration as a data:
// URI). A Content-Security-Policy with default-src 'none' makes the browser refuse any fetch, so
// the file provably works offline and leaks nothing.
//
// Request: {"document": DOC, "options": {...per-call overrides of the manifest's options...},
//           "narration": {"wav_base64": "...", "words": [{"start_ms": 0, "end_ms": 420,
//                         "block": 0, "line": 0, "word": 0}, ...]}}   (narration optional)
// Reply:   {"html": "<!DOCTYPE html>..."}
//
// Each word is <span class="lp-word" id="w-B-L-W" data-block data-line data-word data-index>,
// data-index counting words in document order. Narration words point at spans by block/line/word
// (as Utterance word refs do) and are highlighted in the order given, from the audio clock.
// With the document's "answers", each place is a field ([data-answer], after its word or at the
// end of its line) and the page carries the plugin SDK's answer script (liseur_answers.hpp, the
// dys view's too): kept in the browser, read back, exported, cleared; #lp-bar holds its buttons.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "liseur_answers.hpp"
#include "liseur_html.hpp"
#include "liseur_plugin.hpp"

namespace {

using liseur::sdk::PluginError;
using liseur::sdk::html::cssFontName;
using liseur::sdk::html::escape;
using nlohmann::json;
namespace answers = liseur::sdk::answers;

struct Theme {
  const char* fg;
  const char* bg;
};

const std::map<std::string, Theme, std::less<>> kThemes = {
    {"black-on-white", {"#000000", "#ffffff"}},
    {"white-on-black", {"#ffffff", "#000000"}},
    {"yellow-on-black", {"#ffff00", "#000000"}},
};

// CSS numbers: three significant digits are plenty for sizes and spacings.
std::string num(double v) {
  return liseur::sdk::html::number(v, 3);
}

// Checks a base64 string (the WAV) before it goes into an attribute: only the base64 alphabet.
bool isBase64(const std::string& s) {
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
      return false;
  return !s.empty();
}

// The player: finds the word whose time has come from the audio clock and moves the highlight.
// Words are highlighted strictly in the narration's order (a binary search over start times).
constexpr const char* kPlayerScript = R"JS(
(function () {
  'use strict';
  var timings = JSON.parse(document.getElementById('lp-timings').textContent);
  var audio = document.getElementById('lp-audio');
  var button = document.getElementById('lp-play');
  var labels = JSON.parse(button.getAttribute('data-labels'));
  var current = null, frame = 0;
  var spans = timings.map(function (t) {
    return document.getElementById('w-' + t.block + '-' + t.line + '-' + t.word);
  });
  function indexAt(ms) {
    var lo = 0, hi = timings.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (timings[mid].start_ms <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found >= 0 && timings[found].end_ms !== undefined && ms > timings[found].end_ms &&
        found === timings.length - 1) return -1;
    return found;
  }
  function show(i) {
    var span = i >= 0 ? spans[i] : null;
    if (span === current) return;
    if (current) { current.classList.remove('lp-current'); current.removeAttribute('aria-current'); }
    current = span;
    if (span) {
      span.classList.add('lp-current');
      span.setAttribute('aria-current', 'true');
      document.body.setAttribute('data-current-word', span.getAttribute('data-index'));
      if (span.scrollIntoView) span.scrollIntoView({block: 'center', inline: 'nearest'});
    }
  }
  function tick() {
    show(indexAt(audio.currentTime * 1000));
    if (!audio.paused && !audio.ended) frame = requestAnimationFrame(tick);
  }
  function setLabel() {
    var playing = !audio.paused && !audio.ended;
    button.textContent = playing ? labels.pause : labels.play;
    button.setAttribute('aria-pressed', playing ? 'true' : 'false');
  }
  button.addEventListener('click', function () {
    if (audio.paused || audio.ended) { audio.play(); } else { audio.pause(); }
  });
  audio.addEventListener('play', function () { setLabel(); cancelAnimationFrame(frame); tick(); });
  audio.addEventListener('pause', function () { setLabel(); tick(); });
  audio.addEventListener('ended', function () { setLabel(); show(-1); });
  audio.addEventListener('seeked', tick);
  document.addEventListener('keydown', function (e) {
    if (e.key === ' ' && e.target === document.body) { e.preventDefault(); button.click(); }
  });
})();
)JS";

// 64-bit FNV-1a, as hex: the page's name in the browser's storage.
std::string digest(const std::string& text) {
  unsigned long long h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

struct Answer {
  std::string kind, label;
  int after = -1, rows = 1, n = 0, row = -1;
  std::vector<std::string> options;
  bool inLine() const {
    return kind == "blank" || kind == "field" || kind == "check" || kind == "cell";
  }
};

// The field of answer `a`: large, in the page's font and colours, labelled for screen readers,
// with its "Lire" button; every field carries data-answer (the SDK's answer script keeps, reads
// back, exports and clears them).
void answerHtml(std::ostringstream& h, const Answer& a, const answers::View& view) {
  const bool fr = !view.english;
  const std::string name = "answer-" + std::to_string(a.n);
  std::string label = a.label;
  if (label.empty())
    label = (fr ? "R\xC3\xA9ponse " : "Answer ") + std::to_string(a.n + 1);
  else if (!a.inLine())
    label = (fr ? "R\xC3\xA9ponse \xC3\xA0 : " : "Answer to: ") + label;
  const std::string id = " id=\"" + name + "\" data-answer=\"" + std::to_string(a.n) + "\"";
  const std::string common = " class=\"lp-answer lp-answer-" + escape(a.kind) + "\"" + id +
                             " name=\"" + name + "\" aria-label=\"" + escape(label) + "\"";
  if (a.kind == "check") {
    h << "<input type=\"checkbox\"" << common << "> ";
  } else if (a.kind == "cell") {
    // A table's cell: its column's head before the field, the row in its name.
    std::string spoken = a.label;
    if (a.row >= 0)
      spoken += (spoken.empty() ? "" : ", ") + std::string(fr ? "ligne " : "row ") +
                std::to_string(a.row + 1);
    h << " <span class=\"lp-cell\">";
    if (!a.label.empty())
      h << "<span class=\"lp-cell-head\">" << escape(a.label) << (fr ? "\xC2\xA0:" : ":")
        << "</span> ";
    h << "<input type=\"text\" class=\"lp-answer lp-answer-cell\"" << id << " name=\"" << name
      << "\" aria-label=\"" << escape(spoken)
      << "\" size=\"10\" autocomplete=\"off\" spellcheck=\"false\">"
      << answers::sayButton(view, name) << "</span> ";
  } else if (a.kind == "blank" || a.kind == "field") {
    h << " <input type=\"text\"" << common << " size=\"" << (a.kind == "field" ? 14 : 10)
      << "\" autocomplete=\"off\" spellcheck=\"false\">" << answers::sayButton(view, name) << ' ';
  } else if (a.kind == "choice") {
    // A span, not a fieldset: a fieldset would end the paragraph, and the field its line.
    h << "<span class=\"lp-choices\" role=\"radiogroup\"" << id << " aria-label=\""
      << (fr ? "Choisis" : "Choose") << "\">";
    for (std::size_t k = 0; k < a.options.size(); ++k) {
      const std::string option = name + "-" + std::to_string(k);
      h << "<label><input type=\"radio\" class=\"lp-answer lp-choice\" name=\"" << name
        << "\" id=\"" << option << "\"> " << escape(a.options[k]) << "</label> ";
    }
    h << "</span>";
  } else {  // lines, box
    h << "<textarea" << common << " rows=\"" << std::max(2, a.rows)
      << "\" spellcheck=\"false\"></textarea>" << answers::sayButton(view, name);
  }
}

class LargePrint {
 public:
  explicit LargePrint(const json& options) : defaults_(options) { check(defaults_); }

  std::string render(const json& request) {
    json o = defaults_;
    if (auto it = request.find("options"); it != request.end() && it->is_object())
      for (const auto& [k, v] : it->items())
        if (defaults_.contains(k)) o[k] = v;  // the daemon's [view] table carries other keys too
    // view.theme "dys" is the dys view's own colouring; shown in large print it is plain black on
    // white (a profile whose dys plugin is missing still gets a readable page).
    if (o["theme"] == "dys") o["theme"] = "black-on-white";
    check(o);
    const json& doc = request.at("document");
    const json* narration = nullptr;
    if (auto it = request.find("narration"); it != request.end() && it->is_object())
      narration = &*it;

    const Theme& theme = kThemes.at(o["theme"].get<std::string>());
    const std::string lang = doc.value("lang", "").empty() ? "fr" : doc.value("lang", "");
    const bool fr = lang != "en";
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"" << escape(lang)
      << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src data:\">\n"
      << "<meta name=\"generator\" content=\"liseur large-print 0.1.0\">\n"
      << "<title>" << (fr ? "Texte en grands caractères" : "Large print text") << "</title>\n";
    h << "<style>\n"
      << ":root { --fg: " << theme.fg << "; --bg: " << theme.bg << "; }\n"
      << "html, body { background: var(--bg); color: var(--fg); margin: 0; }\n"
      << "body { font-family: \"" << cssFontName(o["font"].get<std::string>())
      << "\", \"DejaVu Sans\", \"Liberation Sans\", sans-serif;"
      << " font-size: " << num(o["font_size_pt"].get<double>()) << "pt;"
      << " line-height: " << num(o["line_spacing"].get<double>()) << ";"
      << " letter-spacing: " << num(o["letter_spacing_em"].get<double>()) << "em;"
      << " word-spacing: " << num(o["word_spacing_em"].get<double>()) << "em; }\n"
      << "main { max-width: " << num(o["max_width_em"].get<double>()) << "em; margin: 0 auto;"
      << " padding: 0.5em 1em 4em; overflow-wrap: anywhere; }\n"
      << "h2 { font-size: 1.3em; margin: 0.6em 0 0.3em; }\n"
      << "p, ul { margin: 0 0 0.8em; }\n"
      << ".lp-line { display: block; }\n"
      << ".lp-current { background: var(--fg); color: var(--bg); outline: 0.12em solid var(--fg);"
      << " border-radius: 0.1em; }\n"
      << "#lp-bar { position: sticky; top: 0; background: var(--bg); padding: 0.3em 1em;"
      << " border-bottom: 0.1em solid var(--fg); z-index: 1; display: flex; flex-wrap: wrap;"
      << " gap: 0.3em 0.6em; align-items: center; }\n"
      << "#lp-bar button { font: inherit; color: var(--bg); background: var(--fg); border: 0.1em "
         "solid var(--fg);"
      << " border-radius: 0.3em; padding: 0.1em 0.8em; cursor: pointer; }\n"
      << "#lp-bar button:focus { outline: 0.15em dashed var(--fg); outline-offset: 0.15em; }\n"
      << "#lp-answer-status { color: var(--fg); font-size: 0.8em; }\n"
      << ".lp-answer { font: inherit; letter-spacing: inherit; color: var(--fg);"
      << " background: var(--bg); border: 0.1em solid var(--fg); border-radius: 0.2em;"
      << " padding: 0 0.2em; max-width: 100%; box-sizing: border-box; }\n"
      << "textarea.lp-answer { display: block; width: 100%; margin: 0.2em 0 0.6em; }\n"
      << ".lp-cell { white-space: nowrap; } .lp-cell-head { font-size: 0.8em; font-style: italic; "
         "}\n"
      << "input[type=checkbox].lp-answer, input[type=radio].lp-answer { width: 1em; height: 1em;"
      << " accent-color: var(--fg); }\n"
      << ".lp-answer:focus { outline: 0.15em dashed var(--fg); outline-offset: 0.15em; }\n"
      << ".lp-choices { display: block; width: fit-content; border: 0.1em solid var(--fg);"
      << " border-radius: 0.2em; padding: 0.1em 0.4em; margin: 0.2em 0 0.6em; }\n"
      // "Lire" after a field: the theme's own two colours, as everything on the page (>= 7:1).
      << ".lp-answer-say { font: inherit; font-size: 0.8em; letter-spacing: normal;"
      << " color: var(--fg); background: var(--bg); border: 0.1em solid var(--fg);"
      << " border-radius: 0.3em; padding: 0 0.4em; margin: 0 0.2em; cursor: pointer; }\n"
      << ".lp-answer-say:focus { outline: 0.15em dashed var(--fg); outline-offset: 0.15em; }\n"
      // On paper: black on white (a printer drops the dark ground), without the buttons.
      << "@media print { :root { --fg: #000000; --bg: #ffffff; }"
      << " #lp-bar, .lp-answer-say { display: none; } }\n"
      << "</style>\n</head>\n";
    h << "<body class=\"theme-" << o["theme"].get<std::string>() << "\">\n";

    // Answer places by line: in-line ones after their word, the others after their line.
    std::map<std::pair<int, int>, std::vector<Answer>> answersAt;
    std::string words;  // what the page's storage name is made of
    int places = 0;
    if (auto it = doc.find("answers"); it != doc.end() && it->is_array())
      for (const auto& j : *it) {
        if (!j.is_object()) continue;
        Answer a;
        a.kind = j.value("kind", "");
        a.label = j.value("label", "");
        a.after = j.value("after", -1);
        a.rows = std::clamp(j.value("rows", 1), 1, 12);
        if (auto r = j.find("row"); r != j.end() && r->is_number_integer())
          a.row = std::max(-1, r->get<int>());
        if (auto o = j.find("options"); o != j.end() && o->is_array())
          for (const auto& v : *o)
            if (v.is_string()) a.options.push_back(v.get<std::string>());
        a.n = places++;
        words += a.kind + a.label + "|";
        answersAt[{j.value("block", -1), j.value("line", -1)}].push_back(std::move(a));
      }
    const json& blocks = doc.at("blocks");
    for (const auto& blk : blocks)
      for (const auto& line : blk.at("lines"))
        for (const auto& w : line.at("words")) words += w.value("text", "") + " ";
    // The answers are kept under "liseur-answers-lp-<digest>", as before the script was shared;
    // the export keeps this page's own look.
    const std::string page = places ? "lp-" + digest(words) : std::string();
    const answers::View view{"lp", page, !fr, true};

    // The bar at the top: the player (with narration), the answers' Exporter, Effacer and status.
    const bool player = narration != nullptr;
    const bool highlight = o["highlight_word"].get<bool>();
    if (player || places) h << "<div id=\"lp-bar\">";
    if (narration) {
      const std::string wav = narration->value("wav_base64", "");
      if (!isBase64(wav))
        throw PluginError(LISEUR_ERR_INVALID_INPUT, "narration.wav_base64 is not base64 text");
      h << "<button id=\"lp-play\" type=\"button\" aria-pressed=\"false\" "
        << "data-labels='"
        << (fr ? R"({"play":"Écouter","pause":"Pause"})" : R"({"play":"Play","pause":"Pause"})")
        << "'>" << (fr ? "Écouter" : "Play") << "</button>\n"
        << "<audio id=\"lp-audio\" preload=\"auto\" src=\"data:audio/wav;base64," << wav
        << "\"></audio>\n";
    }
    if (places) h << answers::controls(view);
    if (player || places) h << "</div>\n";

    h << "<main id=\"lp-text\"";
    if (places) h << answers::rootAttributes(view);
    h << ">\n";
    int index = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      const json& blk = blocks[b];
      const std::string kind = blk.value("kind", "text");
      const std::string blang = blk.value("lang", "");
      const char* tag = kind == "heading" ? "h2" : kind == "list" ? "ul" : "p";
      h << "<" << tag << " class=\"lp-block lp-" << escape(kind) << "\" data-block=\"" << b << "\"";
      if (!blang.empty() && blang != lang) h << " lang=\"" << escape(blang) << "\"";
      h << ">";
      const json& lines = blk.at("lines");
      for (std::size_t l = 0; l < lines.size(); ++l) {
        h << (kind == "list" ? "<li class=\"lp-line\"" : "<span class=\"lp-line\"")
          << " data-line=\"" << l << "\">";
        const json& words = lines[l].at("words");
        const auto here = answersAt.find({int(b), int(l)});
        int cellRow = -1;  // the table row of the last cell put on this line
        auto inLineAfter = [&](int w) {
          if (here == answersAt.end()) return;
          for (const auto& a : here->second)
            if (a.inLine() && std::clamp(a.after, -1, int(words.size()) - 1) == w) {
              // A table row with no words of its own: its cells start a line of their own.
              if (a.kind == "cell") {
                if (cellRow >= 0 && a.row != cellRow) h << "<br>";
                cellRow = a.row;
              }
              answerHtml(h, a, view);
            }
        };
        inLineAfter(-1);
        for (std::size_t w = 0; w < words.size(); ++w) {
          if (w) h << ' ';
          h << "<span class=\"lp-word\" id=\"w-" << b << '-' << l << '-' << w << "\" data-block=\""
            << b << "\" data-line=\"" << l << "\" data-word=\"" << w << "\" data-index=\""
            << index++ << "\">" << escape(words[w].at("text").get<std::string>()) << "</span>";
          inLineAfter(int(w));
        }
        if (here != answersAt.end())
          for (const auto& a : here->second)
            if (!a.inLine()) answerHtml(h, a, view);
        h << (kind == "list" ? "</li>" : "</span>") << "\n";
      }
      h << "</" << tag << ">\n";
    }
    h << "</main>\n";

    if (player) {
      json timings = json::array();
      for (const auto& t : narration->value("words", json::array())) {
        json e{{"start_ms", t.at("start_ms").get<double>()},
               {"block", t.at("block").get<int>()},
               {"line", t.at("line").get<int>()},
               {"word", t.at("word").get<int>()}};
        if (t.contains("end_ms")) e["end_ms"] = t["end_ms"].get<double>();
        timings.push_back(std::move(e));
      }
      // "</" cannot appear in JSON numbers; the data is numbers only, so the script tag is safe.
      // Without highlight_word the player only plays and pauses.
      if (!highlight) timings = json::array();
      h << "<script type=\"application/json\" id=\"lp-timings\">" << timings.dump() << "</script>\n"
        << "<script>" << kPlayerScript << "</script>\n";
    }
    if (places) h << "<script>" << answers::kScript << "</script>\n";
    h << "</body>\n</html>\n";
    return h.str();
  }

 private:
  static void check(const json& o) {
    auto bad = [](const std::string& what) { throw PluginError(LISEUR_ERR_INVALID_OPTIONS, what); };
    if (!o.contains("theme") || !o["theme"].is_string() ||
        !kThemes.count(o["theme"].get<std::string>()))
      bad("theme: expected black-on-white, white-on-black or yellow-on-black");
    if (!o.contains("font") || !o["font"].is_string()) bad("font: expected a font family name");
    // The manifest's ranges: per-call options (the profile's view.*) are checked here too.
    const struct {
      const char* key;
      double lo, hi;
    } numbers[] = {{"font_size_pt", 8, 96},
                   {"line_spacing", 1, 3},
                   {"letter_spacing_em", 0, 0.5},
                   {"word_spacing_em", 0, 2},
                   {"max_width_em", 10, 200}};
    for (const auto& n : numbers) {
      if (!o.contains(n.key) || !o[n.key].is_number() || !std::isfinite(o[n.key].get<double>()))
        bad(std::string(n.key) + ": expected a number");
      const double v = o[n.key].get<double>();
      if (v < n.lo || v > n.hi)
        bad(std::string(n.key) + ": expected a number from " + num(n.lo) + " to " + num(n.hi) +
            ", found " + num(v));
    }
    if (!o.contains("highlight_word") || !o["highlight_word"].is_boolean())
      bad("highlight_word: expected true or false");
  }

  json defaults_;
};

}  // namespace

LISEUR_PLUGIN_EXPORT(LargePrint, "large-print", "0.1.0")
