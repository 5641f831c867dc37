#include "dys_render.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string_view>

#include "liseur_answers.hpp"
#include "liseur_html.hpp"
#include "liseur_plugin.hpp"
#include "sha256.h"
#include "syllabifier.h"

// The syllable splitter as WebAssembly (wasm/syllables_wasm.cpp), embedded at build time.
extern "C" const unsigned char liseur_syllables_wasm[];
extern "C" const unsigned long liseur_syllables_wasm_size;

namespace liseur::dys {
namespace {

const std::string& syllablesWasmBase64() {
  static const std::string b64 = base64(std::string_view(
      reinterpret_cast<const char*>(liseur_syllables_wasm), liseur_syllables_wasm_size));
  return b64;
}

using liseur::sdk::PluginError;
using liseur::sdk::html::cssFontName;
using liseur::sdk::html::escapeTo;
using nlohmann::json;
namespace answers = liseur::sdk::answers;

struct Theme {
  const char* name;
  const char* fg;
  const char* bg;
  const char* highlight;  // behind the word being heard
  const char* silent;     // greyed silent letters
  bool dark;
};

// The dys theme is dark text on cream: less glare than pure white, which many dyslexic readers
// find tiring, with every line and syllable colour above 4.5:1 contrast on it.
constexpr Theme kThemes[] = {
    {"dys", "#1a1a1a", "#fffbe8", "#ffe066", "#8c8c8c", false},
    {"black-on-white", "#000000", "#ffffff", "#ffe066", "#8c8c8c", false},
    {"white-on-black", "#ffffff", "#000000", "#1f4fa8", "#8a8a8a", true},
    {"yellow-on-black", "#ffff00", "#000000", "#1f4fa8", "#8a8a8a", true},
};

const Theme& themeNamed(const std::string& name) {
  for (const auto& t : kThemes)
    if (name == t.name) return t;
  return kThemes[0];  // options are checked before: not reached
}

// The block kinds of liseur-document/1; anything else is "other" (it becomes a class name).
std::string kindName(const std::string& kind) {
  for (const char* k : {"text", "heading", "list", "table", "caption", "other"})
    if (kind == k) return kind;
  return "other";
}

// A language tag safe in an attribute; empty when it does not look like one.
std::string safeLang(const std::string& lang) {
  if (lang.empty() || lang.size() > 12) return {};
  for (char c : lang)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return {};
  return lang;
}

// The chosen family, then OpenDyslexic (fonts-opendyslexic), then the plain sans fonts every
// Debian desktop has, each once.
std::string fontStack(const std::string& font) {
  std::string out;
  std::vector<std::string> seen;
  for (const std::string& f : {cssFontName(font), std::string("OpenDyslexic"),
                               std::string("DejaVu Sans"), std::string("Liberation Sans")}) {
    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    out += "\"" + f + "\", ";
  }
  return out + "sans-serif";
}

std::string num(double v) {
  return liseur::sdk::html::number(v, 4);
}

// rgba() of a #rrggbb colour at `alpha`, for the light tint behind a coloured line.
std::string tint(const std::string& hex, double alpha) {
  auto byte = [&](int i) {
    return std::stoi(hex.substr(static_cast<std::size_t>(i), 2), nullptr, 16);
  };
  return "rgba(" + std::to_string(byte(1)) + ", " + std::to_string(byte(3)) + ", " +
         std::to_string(byte(5)) + ", " + num(alpha) + ")";
}

// ---------------------------------------------------------------------------------------------
// Narration: checked before anything of it reaches the page.

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict base64 (RFC 4648 alphabet, padded, no white space) that decodes to a RIFF/WAVE file.
void checkWav(const json& narration) {
  auto it = narration.find("wav_base64");
  if (it == narration.end() || !it->is_string())
    throw PluginError(LISEUR_ERR_INVALID_INPUT, "narration.wav_base64: expected base64 text");
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() < 16 || s.size() % 4 != 0)
    throw PluginError(LISEUR_ERR_INVALID_INPUT,
                      "narration.wav_base64: expected padded base64 of a WAV file (length " +
                          std::to_string(s.size()) + " is not a multiple of 4 of at least 16)");
  const std::size_t pad = s.ends_with("==") ? 2 : s.ends_with("=") ? 1 : 0;
  for (std::size_t i = 0; i + pad < s.size(); ++i)
    if (base64Value(s[i]) < 0)
      throw PluginError(
          LISEUR_ERR_INVALID_INPUT,
          "narration.wav_base64: byte " + std::to_string(i) + " is not in the base64 alphabet");
  std::string head;
  for (std::size_t i = 0; i < 16; i += 4) {
    const unsigned v = (base64Value(s[i]) << 18) | (base64Value(s[i + 1]) << 12) |
                       (base64Value(s[i + 2]) << 6) | base64Value(s[i + 3]);
    head += static_cast<char>(v >> 16);
    head += static_cast<char>((v >> 8) & 0xff);
    head += static_cast<char>(v & 0xff);
  }
  if (head.compare(0, 4, "RIFF") != 0 || head.compare(8, 4, "WAVE") != 0)
    throw PluginError(LISEUR_ERR_INVALID_INPUT,
                      "narration.wav_base64: not a WAV file (no RIFF/WAVE header)");
}

// The narration words as the page's timing table: numbers only, in spoken order, each pointing at
// a word of the document.
json checkedTimings(const Doc& doc, const json& narration) {
  json out = json::array();
  auto it = narration.find("words");
  if (it == narration.end()) return out;
  if (!it->is_array())
    throw PluginError(LISEUR_ERR_INVALID_INPUT, "narration.words: expected an array");
  double last = 0;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& t = (*it)[i];
    const std::string p = "narration.words[" + std::to_string(i) + "]";
    auto bad = [&](const std::string& what) {
      throw PluginError(LISEUR_ERR_INVALID_INPUT, p + what);
    };
    if (!t.is_object()) bad(": expected an object");
    auto number = [&](const char* k) {
      auto v = t.find(k);
      if (v == t.end() || !v->is_number() || !std::isfinite(v->get<double>()) ||
          v->get<double>() < 0)
        bad(std::string(".") + k + ": expected a number of milliseconds, 0 or more");
      return v->get<double>();
    };
    auto index = [&](const char* k) {
      auto v = t.find(k);
      if (v == t.end() || !v->is_number_integer() || v->get<long long>() < 0)
        bad(std::string(".") + k + ": expected an index, 0 or more");
      return static_cast<std::size_t>(v->get<long long>());
    };
    const double start = number("start_ms");
    if (start < last)
      bad(".start_ms: " + num(start) + " is before the previous word's " + num(last) +
          " (words must be in spoken order)");
    last = start;
    json e{{"start_ms", start}};
    if (t.contains("end_ms")) {
      const double end = number("end_ms");
      if (end < start) bad(".end_ms: " + num(end) + " is before start_ms " + num(start));
      e["end_ms"] = end;
    }
    const std::size_t b = index("block"), l = index("line"), w = index("word");
    if (b >= doc.blocks.size())
      bad(".block: " + std::to_string(b) + " is outside the document (" +
          std::to_string(doc.blocks.size()) + " blocks)");
    if (l >= doc.blocks[b].lines.size())
      bad(".line: " + std::to_string(l) + " is outside block " + std::to_string(b) + " (" +
          std::to_string(doc.blocks[b].lines.size()) + " lines)");
    if (w >= doc.blocks[b].lines[l].words.size())
      bad(".word: " + std::to_string(w) + " is outside line " + std::to_string(l) + " of block " +
          std::to_string(b) + " (" + std::to_string(doc.blocks[b].lines[l].words.size()) +
          " words)");
    e["block"] = b;
    e["line"] = l;
    e["word"] = w;
    out.push_back(std::move(e));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Screens: which blocks are shown together.

std::string lowerAscii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// A block that starts an exercise: "Exercice 2", "Ex. 3", "Consigne :", or a number "1." / "2)".
bool startsExercise(const DocBlock& b) {
  for (const auto& line : b.lines)
    for (const auto& w : line.words) {
      if (w.text.empty()) continue;
      const std::string t = lowerAscii(w.text);
      for (const char* k :
           {"exercice", "exercices", "ex", "ex.", "exo", "consigne", "consignes", "exercise"})
        if (t == k || t == std::string(k) + ":") return true;
      const std::size_t digits = t.find_first_not_of("0123456789");
      return digits >= 1 && digits <= 2 && t.size() == digits + 1 &&
             (t[digits] == '.' || t[digits] == ')');
    }
  return false;
}

// The screen of each block. A heading always stays with what follows it.
std::vector<int> screensOf(const Doc& doc, const std::string& mode) {
  std::vector<int> screen(doc.blocks.size(), 0);
  int s = 0;
  bool onlyHeadings = true;  // the current screen holds headings only (or nothing) so far
  for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
    const DocBlock& blk = doc.blocks[b];
    const bool heading = blk.kind == "heading";
    bool start = false;
    if (b > 0 && !onlyHeadings) {
      if (mode == "block") start = true;
      if (mode == "exercise") start = heading || startsExercise(blk);
    }
    if (start) {
      ++s;
      onlyHeadings = true;
    }
    if (!heading) onlyHeadings = false;
    screen[b] = s;
  }
  return screen;
}

// ---------------------------------------------------------------------------------------------
// The page's style and script.

std::string styleSheet(const Options& o, const Theme& th, bool narration) {
  std::ostringstream c;
  c << ":root { --fg: " << th.fg << "; --bg: " << th.bg << "; --hl: " << th.highlight
    << "; --silent: " << th.silent << "; }\n"
    << "html, body { background: var(--bg); color: var(--fg); margin: 0; }\n"
    << "body { font-family: " << fontStack(o.font) << ";"
    << " font-size: " << num(o.effectiveFontSizePt()) << "pt;"
    << " line-height: " << num(o.effectiveLineSpacing()) << ";"
    << " letter-spacing: " << num(o.effectiveLetterSpacingEm()) << "em;"
    << " word-spacing: " << num(o.effectiveWordSpacingEm())
    << "em; }\n"
    // WCAG 1.4.12 also asks for paragraph spacing of twice the font size.
    << "main { max-width: 34em; margin: 0 auto; padding: 0.5em 1em 4em 2.6em;"
    << " overflow-wrap: anywhere; }\n"
    << ".dys-block { margin: 0 0 2em; }\n"
    << "h2.dys-block { font-size: 1.2em; font-weight: bold; }\n"
    << "ul.dys-block { padding-left: 1.4em; }\n"
    << ".dys-line { display: block; position: relative; color: var(--lc, var(--fg));"
    << " border-radius: 0.2em; }\n"
    << "li.dys-line { display: list-item; }\n"
    << ".dys-word { border-radius: 0.15em; }\n"
    << "body.dys-tint .dys-line { background: var(--lt, transparent); }\n"
    << "body.dys-words .dys-word { color: var(--wc, inherit); }\n"
    << "body.dys-syl-colours .dys-syl { color: var(--sc); }\n"
    << "body.dys-syl-arcs .dys-syl { border-bottom: 0.09em solid var(--sc);"
    << " border-radius: 0 0 45% 45% / 0 0 0.45em 0.45em; padding-bottom: 0.06em;"
    << " margin: 0 0.02em; }\n"
    << ".dys-word .dys-silent { color: var(--silent); }\n"
    << ".dys-current { background: var(--hl); outline: 0.1em solid var(--fg);"
    << " text-decoration: underline; text-decoration-thickness: 0.08em; }\n"
    << ".dys-masked { visibility: hidden; }\n"
    << ".dys-focus-line { box-shadow: -0.5em 0 0 -0.3em var(--fg); }\n";
  for (std::size_t i = 0; i < o.lineColours.size(); ++i)
    c << ".dys-l" << i << " { --lc: " << o.lineColours[i]
      << "; --lt: " << tint(o.lineColours[i], 0.1) << "; }\n";
  for (std::size_t i = 0; i < o.wordColours.size(); ++i)
    c << ".dys-w" << i << " { --wc: " << o.wordColours[i] << "; }\n";
  for (std::size_t i = 0; i < o.syllableColours.size(); ++i)
    c << ".dys-s" << i << " { --sc: " << o.syllableColours[i] << "; }\n";
  if (narration)
    c << ".dys-word { cursor: pointer; }\n"
      << ".dys-say { position: absolute; left: -2.2em; top: 0.1em; width: 1.8em; height: 1.6em;"
      << " font: 0.6em \"DejaVu Sans\", sans-serif; letter-spacing: normal; padding: 0;"
      << " color: var(--fg); background: transparent; border: 0.12em solid var(--fg);"
      << " border-radius: 0.3em; cursor: pointer; }\n"
      << "li.dys-line .dys-say { left: -3.6em; }\n";
  c << "#dys-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap;"
    << " gap: 0.4em; align-items: center; padding: 0.4em 1em; background: var(--bg);"
    << " border-bottom: 2px solid var(--fg); font: 16pt \"DejaVu Sans\", sans-serif;"
    << " letter-spacing: normal; word-spacing: normal; line-height: 1.2; }\n"
    << "#dys-bar button { font: bold 16pt \"DejaVu Sans\", sans-serif; min-height: 44px;"
    << " padding: 0.2em 0.7em; color: var(--bg); background: var(--fg);"
    << " border: 2px solid var(--fg); border-radius: 0.3em; cursor: pointer; }\n"
    << "button:disabled { opacity: 0.4; cursor: default; }\n"
    << "button:focus-visible { outline: 3px dashed var(--fg); outline-offset: 3px; }\n"
    // Answers: large fields in the page's own font and spacing, a thick focus ring.
    << ".dys-answer { font: inherit; letter-spacing: inherit; word-spacing: inherit;"
    << " color: var(--fg); background: var(--bg); border: 0; border-bottom: 0.12em dashed"
    << " var(--fg); padding: 0 0.2em; }\n"
    << "textarea.dys-answer { display: block; width: 100%; box-sizing: border-box;"
    << " border: 0.1em dashed var(--fg); border-radius: 0.2em; line-height: inherit;"
    << " margin: 0.3em 0 0.6em; resize: vertical; }\n"
    << "input.dys-answer-check { width: 1.2em; height: 1.2em; vertical-align: middle; }\n"
    << ".dys-cell { white-space: nowrap; } .dys-cell-head { font-size: 0.8em; font-style: italic; "
       "}\n"
    << ".dys-answer:focus { outline: 0.15em solid var(--fg); outline-offset: 0.1em; }\n"
    << ".dys-answer-area { display: block; }\n"
    << ".dys-choices { border: 0; padding: 0; }\n"
    << ".dys-choice { font: inherit; letter-spacing: inherit; padding: 0.1em 0.6em;"
    << " margin: 0.2em 0.3em 0.2em 0; color: var(--fg); background: var(--bg);"
    << " border: 0.1em solid var(--fg); border-radius: 1em; cursor: pointer; }\n"
    << ".dys-choice[aria-pressed=\"true\"] { color: var(--bg); background: var(--fg); }\n"
    << ".dys-answer-say { font: 0.7em \"DejaVu Sans\", sans-serif; padding: 0 0.3em;"
    << " background: transparent; border: 0; cursor: pointer; vertical-align: middle; }\n"
    << ".dys-covered { display: none; }\n"
    << ".dys-masked .dys-answer, .dys-masked .dys-answer-say { visibility: visible; }\n"
    << "#dys-answer-status { font-size: 12pt; }\n"
    // The typed answer in syllables: a band at the bottom, in the page's font and spacing.
    << "#dys-typed { position: fixed; left: 0; right: 0; bottom: 0; margin: 0; padding: 0.2em "
       "0.6em;"
    << " color: var(--fg); background: var(--bg); border-top: 0.12em solid var(--fg); }\n"
    << "#dys-typed[hidden] { display: none; }\n"
    << ".dys-typed-label { font: 12pt \"DejaVu Sans\", sans-serif; letter-spacing: normal; }\n"
    << "#dys-typed .dys-silent { color: var(--silent); }\n"
    << "@media print { #dys-bar, #dys-typed, .dys-say, .dys-answer-say { display: none; } "
       ".dys-masked { "
       "visibility: visible; }"
    << " .dys-screen[hidden] { display: block; } }\n";
  return c.str();
}

// What the pupil types, in syllables: the sheet's own syllable splitter (syllabifier.cpp built as
// WebAssembly, wasm/syllables_wasm.cpp) runs in the page on the focused answer, and the panel at
// the bottom shows the answer cut and coloured like the sheet's words. Only with syllables on and
// fields to type in; the module's bytes are in the page (no fetch), its imports are never called
// (a function that returns 0 stands in for each).
constexpr const char* kTypedScript = R"JS(
(function () {
  'use strict';
  var src = document.getElementById('dys-syl-wasm');
  var panel = document.getElementById('dys-typed');
  var out = document.getElementById('dys-typed-text');
  if (!src || !panel || !out || !window.WebAssembly) return;
  var FIELDS = 'input.dys-answer[type="text"], textarea.dys-answer';
  var bin = atob(src.textContent.trim());
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  function none() { return 0; }
  var imports = new Proxy({}, { get: function () { return new Proxy({}, { get: function () { return none; } }); } });
  WebAssembly.instantiate(bytes, imports).then(function (r) {
    var x = r.instance.exports;
    var enc = new TextEncoder(), dec = new TextDecoder();
    var colours = Number(src.dataset.colours) || 1;
    var silent = src.dataset.silent === 'true';
    function split(b) {
      var max = 4 * b.length + 8;
      var p = x.syl_alloc(b.length), o = x.syl_alloc(4 * max);
      new Uint8Array(x.memory.buffer, p, b.length).set(b);
      var n = x.syl_text(p, b.length, o, max);
      var ints = n > 0 ? Array.from(new Int32Array(x.memory.buffer, o, n)) : [];
      x.syl_free(p);
      x.syl_free(o);
      return ints;
    }
    function show(field) {
      var b = enc.encode(field.value);
      var ints = split(b);
      function text(from, to) { return document.createTextNode(dec.decode(b.subarray(from, to))); }
      out.replaceChildren();
      var at = 0;
      for (var i = 0; i < ints.length;) {
        var start = ints[i], end = ints[i + 1], n = ints[i + 2];
        i += 3;
        out.append(text(at, start));
        at = start;
        for (var k = 0; k < n; k++, i += 3) {
          var off = ints[i], len = ints[i + 1], sil = ints[i + 2];
          out.append(text(at, off));
          var s = document.createElement('span');
          s.className = 'dys-syl dys-s' + (k % colours);
          s.append(text(off, off + len - sil));
          if (sil > 0) {
            var t = text(off + len - sil, off + len);
            if (silent) {
              var q = document.createElement('span');
              q.className = 'dys-silent';
              q.append(t);
              t = q;
            }
            s.append(t);
          }
          out.append(s);
          at = off + len;
        }
        out.append(text(at, end));
        at = end;
      }
      out.append(text(at, b.length));
      panel.hidden = b.length === 0;
    }
    document.addEventListener('input', function (e) { if (e.target.matches(FIELDS)) show(e.target); });
    document.addEventListener('focusin', function (e) {
      if (e.target.matches(FIELDS)) show(e.target); else panel.hidden = true;
    });
    var now = document.activeElement;
    if (now && now.matches(FIELDS)) show(now);
    document.body.dataset.typedSyllables = 'ready';
  });
})();
)JS";

// Screens, line focus, the player, word and line clicks, and keys. Words are highlighted from the
// audio clock in the narration's order (a binary search over start times); a clicked word or
// line is played from its first start to its last end, then the audio pauses.
constexpr const char* kScript = R"JS(
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function list(nodes) { return Array.prototype.slice.call(nodes); }
  var body = document.body;
  var mode = body.getAttribute('data-screens');
  var focusSize = parseInt(body.getAttribute('data-focus'), 10) || 0;
  var screens = list(document.querySelectorAll('.dys-screen'));
  var screen = -1, focusLine = 0;
  var prev = $('dys-prev'), next = $('dys-next'), where = $('dys-where');
  var up = $('dys-up'), down = $('dys-down'), focusButton = $('dys-focus');

  function visibleLines() {
    var root = mode === 'all' || screen < 0 ? document : screens[screen];
    return list(root.querySelectorAll('.dys-line'));
  }
  function applyFocus(scroll) {
    var lines = visibleLines();
    if (focusLine >= lines.length) focusLine = Math.max(0, lines.length - 1);
    var half = (focusSize - 1) / 2;
    lines.forEach(function (line, k) {
      line.classList.toggle('dys-masked', focusSize > 0 && Math.abs(k - focusLine) > half);
      line.classList.toggle('dys-focus-line', focusSize > 0 && k === focusLine);
    });
    if (up) {
      up.disabled = focusSize === 0 || focusLine === 0;
      down.disabled = focusSize === 0 || focusLine >= lines.length - 1;
    }
    if (focusButton) {
      focusButton.textContent = focusSize ? 'Lignes visibles\u00a0: ' + focusSize : 'Toutes les lignes';
    }
    var line = lines[focusLine];
    if (scroll && focusSize > 0 && line && line.scrollIntoView) line.scrollIntoView({block: 'center'});
  }
  function showScreen(i) {
    if (mode === 'all' || !screens.length) return;
    i = Math.max(0, Math.min(screens.length - 1, i));
    if (i === screen) return;
    screen = i;
    screens.forEach(function (s, k) { s.hidden = k !== i; });
    focusLine = 0;
    if (where) where.textContent = 'Partie ' + (i + 1) + ' sur ' + screens.length;
    if (prev) { prev.disabled = i === 0; next.disabled = i === screens.length - 1; }
    applyFocus(false);
    window.scrollTo(0, 0);
  }

  // Narration.
  var audio = $('dys-audio'), play = $('dys-play'), timingsEl = $('dys-timings');
  var timings = timingsEl ? JSON.parse(timingsEl.textContent) : [];
  var highlight = body.getAttribute('data-highlight') === 'true';
  var byId = {};
  var spans = timings.map(function (t, k) {
    var id = 'w-' + t.block + '-' + t.line + '-' + t.word;
    if (byId[id] === undefined) byId[id] = k;
    return $(id);
  });
  var current = null, frame = 0, stopAt = null, stopIndex = -1;
  function endOf(k) {
    if (timings[k].end_ms !== undefined) return timings[k].end_ms;
    return k + 1 < timings.length ? timings[k + 1].start_ms : Infinity;
  }
  function indexAt(ms) {
    var lo = 0, hi = timings.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (timings[mid].start_ms <= ms) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (found === timings.length - 1 && ms > endOf(found)) return -1;
    return found;
  }
  function show(i) {
    var span = i >= 0 ? spans[i] : null;
    if (span === current) return;
    if (current) { current.classList.remove('dys-current'); current.removeAttribute('aria-current'); }
    current = span;
    if (!span) return;
    if (highlight) { span.classList.add('dys-current'); span.setAttribute('aria-current', 'true'); }
    body.setAttribute('data-current-word', span.getAttribute('data-index'));
    showScreen(screens.indexOf(span.closest('.dys-screen')));
    var li = visibleLines().indexOf(span.closest('.dys-line'));
    if (focusSize > 0 && li >= 0 && li !== focusLine) { focusLine = li; applyFocus(true); }
    else if (focusSize === 0 && span.scrollIntoView) span.scrollIntoView({block: 'nearest'});
  }
  function playing() { return audio && !audio.paused && !audio.ended; }
  function tick() {
    var ms = audio.currentTime * 1000;
    if (stopAt !== null && ms >= stopAt) {
      stopAt = null;
      audio.pause();
      show(stopIndex);
    } else {
      show(indexAt(ms));
    }
    if (playing()) frame = requestAnimationFrame(tick);
  }
  function playRange(first, last) {
    stopAt = endOf(last) === Infinity ? null : endOf(last);
    stopIndex = last;
    audio.currentTime = timings[first].start_ms / 1000;
    if (!playing()) audio.play();
  }
  function timedIn(root) {
    return list(root.querySelectorAll('.dys-word')).map(function (w) { return byId[w.id]; })
        .filter(function (k) { return k !== undefined; });
  }
  function seekTo(root) {
    var ks = timedIn(root);
    if (playing() && ks.length) { stopAt = null; audio.currentTime = timings[ks[0]].start_ms / 1000; }
  }
  if (audio && play) {
    play.addEventListener('click', function () {
      if (playing()) { audio.pause(); } else { stopAt = null; audio.play(); }
    });
    var setLabel = function () {
      play.textContent = playing() ? '\u275a\u275a Pause' : '\u25b6 \u00c9couter';
      play.setAttribute('aria-pressed', playing() ? 'true' : 'false');
    };
    audio.addEventListener('play', function () { setLabel(); cancelAnimationFrame(frame); tick(); });
    audio.addEventListener('pause', function () { setLabel(); });
    audio.addEventListener('ended', function () { setLabel(); show(-1); });
    audio.addEventListener('seeked', function () { if (!playing()) show(indexAt(audio.currentTime * 1000)); });
    audio.addEventListener('timeupdate', function () { if (stopAt !== null) tick(); });
    $('dys-text').addEventListener('click', function (e) {
      var say = e.target.closest('.dys-say');
      if (say) {
        var ks = timedIn(say.closest('.dys-line'));
        if (ks.length) playRange(Math.min.apply(null, ks), Math.max.apply(null, ks));
        return;
      }
      var word = e.target.closest('.dys-word');
      var k = word ? byId[word.id] : undefined;
      if (k !== undefined) playRange(k, k);
    });
  }

  function goScreen(i) {
    showScreen(i);
    if (screen >= 0) seekTo(screens[screen]);
  }
  function goLine(d) {
    var lines = visibleLines();
    focusLine = Math.max(0, Math.min(lines.length - 1, focusLine + d));
    applyFocus(true);
    if (lines[focusLine]) seekTo(lines[focusLine]);
  }
  if (prev) {
    prev.addEventListener('click', function () { goScreen(screen - 1); });
    next.addEventListener('click', function () { goScreen(screen + 1); });
  }
  if (up) {
    up.addEventListener('click', function () { goLine(-1); });
    down.addEventListener('click', function () { goLine(1); });
  }
  if (focusButton) {
    focusButton.addEventListener('click', function () {
      var sizes = [1, 3, 5, 0];
      focusSize = sizes[(sizes.indexOf(focusSize) + 1) % sizes.length];
      body.setAttribute('data-focus', String(focusSize));
      applyFocus(true);
    });
  }
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA') return;  // the pupil is typing an answer
    var onButton = e.target && e.target.tagName === 'BUTTON';
    var handled = true;
    if (e.key === ' ' && !onButton && play) play.click();
    else if (e.key === 'ArrowDown' && focusSize > 0) goLine(1);
    else if (e.key === 'ArrowUp' && focusSize > 0) goLine(-1);
    else if ((e.key === 'PageDown' || e.key === 'ArrowRight') && mode !== 'all') goScreen(screen + 1);
    else if ((e.key === 'PageUp' || e.key === 'ArrowLeft') && mode !== 'all') goScreen(screen - 1);
    else handled = false;
    if (handled) e.preventDefault();
  });

  // An answer field reached with Tab brings its part and its line into view.
  document.addEventListener('focusin', function (e) {
    var line = e.target && e.target.closest && e.target.closest('.dys-line');
    if (!line || !e.target.closest('.dys-answer')) return;
    var part = line.closest('.dys-screen');
    if (part && mode !== 'all') showScreen(screens.indexOf(part));
    var k = visibleLines().indexOf(line);
    if (k >= 0 && focusSize > 0) { focusLine = k; applyFocus(false); }
  });

  if (mode === 'all') applyFocus(false); else showScreen(0);
})();
)JS";

// The field of answer place `n` (its kind's control, labelled for screen readers). The answers'
// script (kept, read back, exported, cleared) is the plugin SDK's, shared with large print.
void answerHtml(std::string& h, const DocAnswer& a, int n, const answers::View& view) {
  const std::string id = "answer-" + std::to_string(n);
  const std::string common = " id=\"" + id + "\" data-answer=\"" + std::to_string(n) +
                             "\" data-block=\"" + std::to_string(a.block) + "\" data-line=\"" +
                             std::to_string(a.line) + "\"";
  std::string label = a.label;
  if (a.kind == "lines" || a.kind == "box") label = "R\xC3\xA9ponse \xC3\xA0\xC2\xA0: " + a.label;
  if (label.empty()) label = "R\xC3\xA9ponse " + std::to_string(n + 1);
  const std::string aria = " aria-label=\"" + liseur::sdk::html::escape(label) + "\"";
  const std::string say = answers::sayButton(view, id);
  if (a.kind == "check") {
    h += "<input type=\"checkbox\" class=\"dys-answer dys-answer-check\"" + common + aria + "> ";
  } else if (a.kind == "cell") {
    // A table's cell: its column's head shown before the field (the table itself is not
    // redrawn: one row a line, each cell named, reads in order and answers with Tab).
    std::string name = a.label;
    if (a.row >= 0)
      name += (name.empty() ? "" : ", ") + std::string("ligne ") + std::to_string(a.row + 1);
    h += "<span class=\"dys-cell\">";
    if (!a.label.empty()) {
      h += "<span class=\"dys-cell-head\">";
      liseur::sdk::html::escapeTo(h, a.label);
      h += "\xC2\xA0:</span> ";
    }
    h += "<input type=\"text\" class=\"dys-answer dys-answer-cell\"" + common + " aria-label=\"" +
         liseur::sdk::html::escape(name) +
         "\" size=\"10\" autocomplete=\"off\" spellcheck=\"false\">" + say + "</span>";
  } else if (a.kind == "blank" || a.kind == "field") {
    h += "<input type=\"text\" class=\"dys-answer dys-answer-" + a.kind + "\"" + common + aria +
         " size=\"" + (a.kind == "field" ? "14" : "10") +
         "\" autocomplete=\"off\" spellcheck=\"false\">" + say;
  } else if (a.kind == "choice") {
    h += "<span class=\"dys-answer dys-choices dys-answer-area\" role=\"group\"" + common +
         " aria-label=\"Choisis\">";
    for (std::size_t k = 0; k < a.options.size(); ++k) {
      h += "<button type=\"button\" class=\"dys-choice\" aria-pressed=\"false\" data-option=\"" +
           std::to_string(k) + "\">";
      liseur::sdk::html::escapeTo(h, a.options[k]);
      h += "</button> ";
    }
    h += "</span>";
  } else {  // lines, box
    h += "<span class=\"dys-answer-area\"><textarea class=\"dys-answer dys-answer-" + a.kind +
         "\"" + common + aria + " rows=\"" + std::to_string(std::max(2, a.rows)) +
         "\" spellcheck=\"false\"></textarea>" + say + "</span>";
  }
}

// ---------------------------------------------------------------------------------------------
// Words.

// The word's text as HTML: escaped, French words cut into syllable spans and their silent
// letters marked (each as the options ask).
void wordHtml(std::string& h, const std::string& text, bool french, const Options& o) {
  if (!french || (!o.syllables && !o.silentLetters)) {
    escapeTo(h, text);
    return;
  }
  std::size_t syl = 0;  // syllable colours restart at each word: cho-co-lat is always 0-1-0
  for (const TextToken& tok : syllabifyText(text)) {
    const std::string_view piece(text.data() + tok.offset, tok.length);
    if (!tok.isWord) {
      escapeTo(h, piece);
      continue;
    }
    std::size_t at = tok.offset;
    for (const Syllable& s : tok.syllables) {
      escapeTo(h, std::string_view(text).substr(at, s.offset - at));  // a hyphen inside the word
      const std::size_t sounded = s.length - s.silentLength;
      if (o.syllables)
        h += "<span class=\"dys-syl dys-s" + std::to_string(syl++ % o.syllableColours.size()) +
             "\">";
      escapeTo(h, std::string_view(text).substr(s.offset, sounded));
      if (s.silentLength > 0) {
        if (o.silentLetters) h += "<span class=\"dys-silent\">";
        escapeTo(h, std::string_view(text).substr(s.offset + sounded, s.silentLength));
        if (o.silentLetters) h += "</span>";
      }
      if (o.syllables) h += "</span>";
      at = s.offset + s.length;
    }
    escapeTo(h, std::string_view(text).substr(at, tok.offset + tok.length - at));
  }
}

}  // namespace

// The page's own name for its answers in the browser's storage: a digest of its words and
// answer places, so two sheets never share answers and the same sheet adapted again finds them.
std::string pageId(const Doc& doc) {
  std::string all;
  for (const auto& b : doc.blocks)
    for (const auto& l : b.lines)
      for (const auto& w : l.words) all += w.text + ' ';
  for (const auto& a : doc.answers)
    all += a.kind + std::to_string(a.block) + '.' + std::to_string(a.line) + '.' +
           std::to_string(a.after) + ';';
  const auto d = sha256(all);
  static const char* kHex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 12; ++i) id += kHex[d[i] >> 4], id += kHex[d[i] & 15];
  return id;
}

std::string renderPage(const Doc& doc, const Options& o, const json* narration) {
  json timings;
  if (narration) {
    checkWav(*narration);
    timings = checkedTimings(doc, *narration);
  }
  const Theme& th = themeNamed(o.theme);
  std::string lang = safeLang(doc.lang);
  if (lang.empty()) lang = "fr";
  const bool sylColours = o.syllables && o.syllableStyle == "colours";
  const bool sylArcs = o.syllables && o.syllableStyle == "arcs";
  // Lines keep their colour as a light tint when their text is coloured by syllable or word.
  const bool tintLines = !o.lineColours.empty() && (sylColours || !o.wordColours.empty());

  std::string bodyClass = std::string("dys-theme-") + th.name;
  if (sylColours) bodyClass += " dys-syl-colours";
  if (sylArcs) bodyClass += " dys-syl-arcs";
  if (o.silentLetters) bodyClass += " dys-silent-letters";
  if (!o.lineColours.empty()) bodyClass += " dys-lines";
  if (tintLines) bodyClass += " dys-tint";
  if (!o.wordColours.empty()) bodyClass += " dys-words";

  std::vector<int> screenOf = screensOf(doc, o.screens);
  // One part at a time still shows the sheet's title above every part: a short first block (a
  // heading, or one line of at most 12 words) is put before the parts, not in the first one.
  bool keepTitle = false;
  if (o.screens != "all" && doc.blocks.size() > 1) {
    const DocBlock& first = doc.blocks[0];
    std::size_t words = 0;
    for (const auto& l : first.lines) words += l.words.size();
    // ("Exercice 1" is the first exercise's heading, not the sheet's title.)
    keepTitle = (first.kind == "heading" || (first.lines.size() == 1 && words <= 12)) &&
                !startsExercise(first);
    if (keepTitle)
      for (std::size_t b = 1; b < screenOf.size(); ++b) screenOf[b] -= screenOf[1];
  }
  const int screens = screenOf.empty() ? 1 : screenOf.back() + 1;

  std::string h;
  // One allocation for the page: the narration (megabytes) is most of it.
  const std::string* wav =
      narration ? &narration->at("wav_base64").get_ref<const std::string&>() : nullptr;
  h.reserve(16384 + doc.blocks.size() * 4096 + (wav ? wav->size() : 0));
  h += "<!DOCTYPE html>\n<html lang=\"" + lang + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // The style and the script are allowed by their hashes, not by 'unsafe-inline': markup that
  // slipped through escaping could neither run script nor restyle the page.
  const std::string css = "\n" + styleSheet(o, th, narration != nullptr);
  const bool hasAnswers = !doc.answers.empty();
  // The dys view's labels are French whatever the sheet's language; its export is the plain look.
  const std::string page = hasAnswers ? pageId(doc) : std::string();
  const answers::View view{"dys", page, false, false};
  std::string scripts = "'" + cspHash(kScript) + "'";
  if (hasAnswers) scripts += " '" + cspHash(answers::kScript) + "'";
  // Syllables on the typed answers: fields to type in and syllables shown.
  const bool typedSyllables =
      o.syllables && std::any_of(doc.answers.begin(), doc.answers.end(), [](const auto& a) {
        return a.kind != "check" && a.kind != "choice";
      });
  if (typedSyllables) scripts += " '" + cspHash(kTypedScript) + "' 'wasm-unsafe-eval'";
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '" +
       cspHash(css) + "'; script-src " + scripts + "; media-src data:\">\n";
  h += "<meta name=\"generator\" content=\"liseur dys 0.1.0\">\n";
  h += "<title>Fiche adapt\xC3\xA9"
       "e</title>\n<style>";
  h += css;
  h += "</style>\n</head>\n";
  h += "<body class=\"" + bodyClass + "\" data-screens=\"" + o.screens + "\" data-focus=\"" +
       std::to_string(o.lineFocus) + "\" data-highlight=\"" + (o.highlightWord ? "true" : "false") +
       "\"";
  if (hasAnswers) h += answers::rootAttributes(view);
  h += ">\n";

  // The toolbar: real buttons with French labels, all usable from the keyboard.
  h += "<div id=\"dys-bar\" role=\"toolbar\" aria-label=\"Commandes de lecture\">\n";
  if (narration) {
    h += "<button id=\"dys-play\" type=\"button\" aria-pressed=\"false\" "
         "title=\"Lire ou mettre en pause (espace)\">\xE2\x96\xB6 \xC3\x89"
         "couter</button>\n";
    h += "<audio id=\"dys-audio\" preload=\"auto\" src=\"data:audio/wav;base64,";
    h += *wav;  // checked: base64 only
    h += "\"></audio>\n";
  }
  if (o.screens != "all" && screens > 1)
    h += "<button id=\"dys-prev\" type=\"button\" title=\"Partie pr\xC3\xA9"
         "c\xC3\xA9"
         "dente "
         "(Page pr\xC3\xA9"
         "c\xC3\xA9"
         "dente)\">\xE2\x97\x80 Pr\xC3\xA9"
         "c\xC3\xA9"
         "dent</button>\n"
         "<span id=\"dys-where\" aria-live=\"polite\">Partie 1 sur " +
         std::to_string(screens) +
         "</span>\n"
         "<button id=\"dys-next\" type=\"button\" title=\"Partie suivante (Page suivante)\">"
         "Suivant \xE2\x96\xB6</button>\n";
  h += "<button id=\"dys-up\" type=\"button\" title=\"Fl\xC3\xA8"
       "che vers le haut\">"
       "\xE2\x96\xB2 Ligne pr\xC3\xA9"
       "c\xC3\xA9"
       "dente</button>\n"
       "<button id=\"dys-down\" type=\"button\" title=\"Fl\xC3\xA8"
       "che vers le bas\">"
       "\xE2\x96\xBC Ligne suivante</button>\n"
       "<button id=\"dys-focus\" type=\"button\" title=\"Montrer 1, 3, 5 lignes ou toutes\">";
  h += o.lineFocus ? "Lignes visibles\xC2\xA0: " + std::to_string(o.lineFocus)
                   : std::string("Toutes les lignes");
  h += "</button>\n";
  if (hasAnswers) h += answers::controls(view);
  h += "</div>\n";

  // The answer places of each line: in the line after their word, or under it.
  std::map<std::pair<int, int>, std::vector<int>> placesOf;
  for (std::size_t n = 0; n < doc.answers.size(); ++n)
    placesOf[{doc.answers[n].block, doc.answers[n].line}].push_back(int(n));

  h += "<main id=\"dys-text\">\n";
  int index = 0;
  int openScreen = -1;
  for (std::size_t b = 0; b < doc.blocks.size(); ++b) {
    const DocBlock& blk = doc.blocks[b];
    if (b == 0 && keepTitle) {
      h += "<header id=\"dys-title\">\n";
    } else if (screenOf[b] != openScreen) {
      if (b == 1 && keepTitle) h += "</header>\n";
      if (openScreen >= 0) h += "</section>\n";
      openScreen = screenOf[b];
      h += "<section class=\"dys-screen\" id=\"dys-screen-" + std::to_string(openScreen) +
           "\" data-screen=\"" + std::to_string(openScreen) + "\" aria-label=\"Partie " +
           std::to_string(openScreen + 1) + "\">\n";
    }
    const char* tag = blk.kind == "heading" ? "h2" : blk.kind == "list" ? "ul" : "p";
    h += std::string("<") + tag + " class=\"dys-block dys-kind-" + kindName(blk.kind) +
         "\" data-block=\"" + std::to_string(b) + "\"";
    const std::string blang = safeLang(blk.lang);
    if (!blang.empty() && blang != lang) h += " lang=\"" + blang + "\"";
    h += ">";
    for (std::size_t l = 0; l < blk.lines.size(); ++l) {
      const char* ltag = blk.kind == "list" ? "li" : "span";
      h += std::string("<") + ltag + " class=\"dys-line";
      if (!o.lineColours.empty()) h += " dys-l" + std::to_string(l % o.lineColours.size());
      h += "\" data-block=\"" + std::to_string(b) + "\" data-line=\"" + std::to_string(l) + "\">";
      if (narration)
        h += "<button class=\"dys-say\" type=\"button\" aria-label=\"\xC3\x89"
             "couter la ligne " +
             std::to_string(l + 1) + "\">\xE2\x96\xB6</button>";
      const auto& words = blk.lines[l].words;
      const auto found = placesOf.find({int(b), int(l)});
      const std::vector<int> none;
      const std::vector<int>& here = found == placesOf.end() ? none : found->second;
      int cellRow = -1;  // the table row of the last cell put on this line
      auto inlineAt = [&](int after) {
        for (int n : here)
          if (doc.answers[n].inLine() && doc.answers[n].after == after) {
            // A table row with no words of its own: its cells start a line of their own.
            if (doc.answers[n].kind == "cell") {
              if (cellRow >= 0 && doc.answers[n].row != cellRow) h += "<br class=\"dys-break\">";
              cellRow = doc.answers[n].row;
            }
            h += ' ';
            answerHtml(h, doc.answers[n], n, view);
            // "Prénom : …" ended its line on the sheet; the sentence-long line goes on below.
            if (doc.answers[n].endsLine && after + 1 < int(words.size()))
              h += "<br class=\"dys-break\">";
          }
      };
      auto covered = [&](int w) {
        for (int n : here)
          for (int c : doc.answers[n].covers)
            if (c == w) return true;
        return false;
      };
      inlineAt(-1);
      for (std::size_t w = 0; w < words.size(); ++w) {
        if (w) h += ' ';
        const std::string wl = wordLang(doc, blk, words[w]);
        const std::string ref =
            std::to_string(b) + "-" + std::to_string(l) + "-" + std::to_string(w);
        h += "<span class=\"dys-word";
        if (covered(int(w))) h += " dys-covered";  // the picture of a blank: the field shows
        if (!o.wordColours.empty()) h += " dys-w" + std::to_string(w % o.wordColours.size());
        h += "\" id=\"w-" + ref + "\" data-block=\"" + std::to_string(b) + "\" data-line=\"" +
             std::to_string(l) + "\" data-word=\"" + std::to_string(w) + "\" data-index=\"" +
             std::to_string(index++) + "\"";
        const std::string sl = safeLang(wl);
        if (!sl.empty() && sl != (blang.empty() ? lang : blang)) h += " lang=\"" + sl + "\"";
        h += ">";
        wordHtml(h, words[w].text, isFrench(wl), o);
        h += "</span>";
        inlineAt(int(w));
      }
      for (int n : here)
        if (!doc.answers[n].inLine()) answerHtml(h, doc.answers[n], n, view);
      h += std::string("</") + ltag + ">\n";
    }
    h += std::string("</") + tag + ">\n";
  }
  if (openScreen >= 0) h += "</section>\n";
  h += "</main>\n";
  if (narration)
    // Numbers only: nothing in it can close the script element.
    h += "<script type=\"application/json\" id=\"dys-timings\">" + timings.dump() + "</script>\n";
  h += "<script>";
  h += kScript;
  h += "</script>\n";
  if (hasAnswers) {
    h += "<script>";
    h += answers::kScript;
    h += "</script>\n";
  }
  if (typedSyllables) {
    h +=
        "<div id=\"dys-typed\" aria-hidden=\"true\" hidden><span class=\"dys-typed-label\">"
        "Ta r\xC3\xA9ponse en syllabes\xC2\xA0:</span> <span id=\"dys-typed-text\"></span></div>\n";
    // Base64 only: nothing in it can close the script element.
    h += "<script type=\"application/octet-stream\" id=\"dys-syl-wasm\" data-colours=\"" +
         std::to_string(o.syllableColours.size()) + "\" data-silent=\"" +
         (o.silentLetters ? "true" : "false") + "\">" + syllablesWasmBase64() + "</script>\n";
    h += "<script>";
    h += kTypedScript;
    h += "</script>\n";
  }
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace liseur::dys
