#include "app/profile_card.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <vector>

#include "config/config_schema.h"
#include "liseur_html.hpp"
#include "syllabifier.h"

namespace liseur::app {
namespace {

using config::Config;

// The card is read by people who never saw the configuration file: every value is said in
// words in their language, and the key name only appears where an administrator needs it
// (the locks).
class Words {
 public:
  explicit Words(bool fr) : fr_(fr) {}
  const char* operator()(const char* fr, const char* en) const { return fr_ ? fr : en; }
  bool fr() const { return fr_; }

 private:
  bool fr_;
};

// The configuration's colour names (config_schema.cpp, colourNames()) as words and as the shades
// the dys view uses on a light and on a dark background, so the sample looks like the view.
struct ColourName {
  const char* name;
  const char* fr;
  const char* light;
  const char* dark;
};

constexpr ColourName kColours[] = {
    {"black", "noir", "#000000", "#f0f0f0"},    {"white", "blanc", "#ffffff", "#ffffff"},
    {"grey", "gris", "#595959", "#b3b3b3"},     {"dark-grey", "gris foncé", "#333333", "#d0d0d0"},
    {"blue", "bleu", "#0050c8", "#7cb4ff"},     {"dark-blue", "bleu foncé", "#002a80", "#a8c8ff"},
    {"red", "rouge", "#c8102e", "#ff7a7a"},     {"dark-red", "rouge foncé", "#8b0000", "#ffa3a3"},
    {"green", "vert", "#007a33", "#5fd38a"},    {"dark-green", "vert foncé", "#005020", "#9be3b3"},
    {"orange", "orange", "#b35900", "#ffae5c"}, {"purple", "violet", "#6a2c9e", "#c89bff"},
    {"brown", "marron", "#7a4a1c", "#d9a066"},  {"yellow", "jaune", "#8a6d00", "#ffe14d"},
    {"pink", "rose", "#c2185b", "#ff8fc1"},     {"cyan", "cyan", "#00788a", "#5fe0f0"},
};

struct Theme {
  const char* name;
  const char* fr;
  const char* en;
  const char* fg;
  const char* bg;
  bool dark;
};

constexpr Theme kThemes[] = {
    {"black-on-white", "noir sur blanc", "black on white", "#000000", "#ffffff", false},
    {"white-on-black", "blanc sur noir", "white on black", "#ffffff", "#000000", true},
    {"yellow-on-black", "jaune sur noir (fort contraste)", "yellow on black (high contrast)",
     "#ffff00", "#000000", true},
    {"dys", "dys : texte foncé sur fond crème", "dys: dark text on cream", "#1a1a1a", "#fffbe8",
     false},
};

const Theme& themeNamed(const std::string& name) {
  for (const auto& t : kThemes)
    if (name == t.name) return t;
  return kThemes[0];
}

bool isHexColour(const std::string& s) {
  return (s.size() == 4 || s.size() == 7) && s[0] == '#' &&
         std::all_of(s.begin() + 1, s.end(), [](char c) { return std::isxdigit(uint8_t(c)); });
}

// CSS for a configured colour; the value has passed the schema, and anything else still never
// reaches a style attribute.
std::string cssColour(const std::string& name, bool dark) {
  for (const auto& c : kColours)
    if (name == c.name) return dark ? c.dark : c.light;
  return isHexColour(name) ? name : std::string("inherit");
}

std::string colourWord(const std::string& name, const Words& w) {
  for (const auto& c : kColours)
    if (name == c.name) return w.fr() ? c.fr : c.name;
  return name;
}

// "bleu, rouge, vert", each name in its own colour (shade for white paper).
std::string colourList(const std::vector<std::string>& names, const Words& w) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += fmt::format("<span class=\"colour\" style=\"color:{}\">{}</span>", cssColour(n, false),
                       escapeHtml(colourWord(n, w)));
  }
  return out;
}

// A font family name goes into a style attribute: letters, digits, spaces, '-' and '_' only.
std::string cssFontFamily(const std::string& font) {
  bool plain =
      !font.empty() && font.size() <= 64 && std::all_of(font.begin(), font.end(), [](char c) {
        return std::isalnum(uint8_t(c)) || c == ' ' || c == '-' || c == '_';
      });
  return plain ? "'" + font + "', sans-serif" : std::string("sans-serif");
}

std::string number(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

std::string withComma(std::string s, const Words& w) {
  if (w.fr()) std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

const char* yesNo(bool v, const Words& w) {
  return v ? w("oui", "yes") : w("non", "no");
}

// ---------------------------------------------------------------------------------------------
// Hotkeys

struct HotkeyLabel {
  const char* action;
  const char* fr;
  const char* en;
};

constexpr HotkeyLabel kHotkeyLabels[] = {
    {"read_window", "Lire la fenêtre active", "Read the active window"},
    {"read_pointer", "Lire le bloc sous la souris", "Read the block under the mouse pointer"},
    {"mark_corner", "Marquer un coin de la zone à lire (deux fois)",
     "Mark a corner of the area to read (twice)"},
    {"stop", "Arrêter la lecture", "Stop speech"},
    {"pause_resume", "Pause / reprendre", "Pause / resume"},
    {"review_next_line", "Relire : ligne suivante", "Review: next line"},
    {"review_prev_line", "Relire : ligne précédente", "Review: previous line"},
    {"review_next_word", "Relire : mot suivant", "Review: next word"},
    {"review_prev_word", "Relire : mot précédent", "Review: previous word"},
    {"review_next_page", "Relire : page suivante", "Review: next page"},
    {"review_prev_page", "Relire : page précédente", "Review: previous page"},
    {"spell", "Épeler le mot", "Spell the word"},
    {"faster", "Parler plus vite", "Speak faster"},
    {"slower", "Parler plus lentement", "Speak slower"},
    {"repeat", "Répéter la dernière phrase", "Say the last sentence again"},
    {"watch_window", "Suivre la fenêtre active (lire ce qui change)",
     "Watch the active window (read what changes)"},
};

std::string hotkeyLabel(const config::KeySpec& spec, std::string_view action, const Words& w) {
  for (const auto& h : kHotkeyLabels)
    if (action == h.action) return w(h.fr, h.en);
  // An action added to the schema after this table: its help, without the note about "".
  std::string help = spec.help;
  if (auto cut = help.find(" (\"\""); cut != std::string::npos) help.erase(cut);
  return help.empty() ? std::string(action) : help;
}

// "Ctrl+Alt+Shift+W" as keys to press: <kbd>Ctrl</kbd>+<kbd>Alt</kbd>+<kbd>Maj</kbd>+...
std::string chordHtml(const std::string& chord, const Words& w) {
  if (chord.empty()) return std::string("<span class=\"none\">") + w("aucun", "none") + "</span>";
  std::string out;
  std::size_t start = 0;
  while (start <= chord.size()) {
    std::size_t plus = chord.find('+', start);
    std::string part = chord.substr(start, plus == std::string::npos ? plus : plus - start);
    if (part == "Shift")
      part = w("Maj", "Shift");
    else if (part == "space")
      part = w("Espace", "Space");
    else if (part.size() == 1)
      part = std::string(1, char(std::toupper(uint8_t(part[0]))));
    if (!out.empty()) out += "+";
    out += "<kbd>" + escapeHtml(part) + "</kbd>";
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Plugins

struct PluginLabel {
  const char* id;
  const char* fr;
  const char* en;
};

constexpr PluginLabel kPluginLabels[] = {
    {"reading-order", "ordre de lecture (colonnes, mots coupés en fin de ligne)",
     "reading order (columns, words split at line ends)"},
    {"large-print", "gros caractères et fort contraste", "large print and high contrast"},
    {"dys", "vue dys (syllabes, lignes en couleur, espacement, lecture pas à pas)",
     "dys view (syllables, coloured lines, spacing, one step at a time)"},
};

// ---------------------------------------------------------------------------------------------
// Page building

class Card {
 public:
  Card(const Config& config, const CardOptions& options)
      : c_(config), w_(options.lang == "fr"), options_(options) {}

  std::string html() {
    // profile.name is the name shown (the profiles liseur ships set it to their file's name); the
    // file's name stays the profile's identity (`liseur profile use NAME`).
    const std::string& shown = c_.getString("profile.name");
    const std::string name = shown.empty() ? c_.profileName() : shown;
    const std::string title =
        fmt::format("{} {}", w_("Fiche du profil liseur", "liseur profile"), escapeHtml(name));
    out_ += "<!DOCTYPE html>\n";
    out_ += fmt::format("<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n",
                        w_.fr() ? "fr" : "en");
    // No script, no request: inline styles are the only thing the page may use.
    out_ +=
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<title>" + title + "</title>\n<style>\n" + styles() + "</style>\n</head>\n<body>\n";

    out_ += "<header>\n<p class=\"kicker\">" +
            std::string(w_("Fiche du profil liseur", "liseur profile card")) + "</p>\n";
    out_ += "<h1 id=\"profile-name\">" + escapeHtml(name) + "</h1>\n";
    const std::string& description = c_.getString("profile.description");
    if (!description.empty())
      out_ += "<p id=\"profile-description\">" + escapeHtml(description) + "</p>\n";
    out_ += "<p id=\"card-date\">" + dateText() + "</p>\n</header>\n";

    sample();
    out_ += "<main>\n<div class=\"column\">\n";
    speech();
    view();
    out_ += "</div>\n<div class=\"column\">\n";
    hotkeys();
    plugins();
    locks();
    out_ += "</div>\n</main>\n";
    out_ += "<footer>" + std::string(w_("Pour changer un réglage : ", "To change a setting: ")) +
            "<code>liseur profile set " + escapeHtml(name) + " " + w_("CLÉ VALEUR", "KEY VALUE") +
            "</code> — " + w_("la liste des clés : ", "every key: ") +
            "<code>liseur config schema</code></footer>\n";
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  std::string styles() const {
    return R"css(@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
html { color: #111; background: #fff; font: 9.5pt/1.3 'DejaVu Sans', sans-serif; }
body { margin: 0 auto; max-width: 186mm; padding: 6mm 0; }
header { border-bottom: 2px solid #111; margin-bottom: 3mm; }
.kicker { margin: 0; font-size: 9pt; text-transform: uppercase; letter-spacing: 0.08em; }
h1 { margin: 0.5mm 0 1mm; font-size: 18pt; }
#profile-description { margin: 0 0 1mm; font-size: 11pt; }
#card-date { margin: 0 0 2mm; font-size: 9pt; color: #444; }
h2 { font-size: 11pt; margin: 2.5mm 0 1mm; border-bottom: 1px solid #999; }
main { display: flex; gap: 5mm; }
.column { flex: 1 1 0; min-width: 0; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.4mm 1mm; border-bottom: 1px solid #ddd; }
th { font-weight: normal; color: #333; width: 45%; }
td { font-weight: bold; }
#hotkeys th { width: auto; }
#hotkeys td { white-space: nowrap; font-weight: normal; }
kbd { font: bold 8pt 'DejaVu Sans Mono', monospace; border: 1px solid #777; border-radius: 2px;
      padding: 0 0.5mm; background: #f4f4f4; }
.none { color: #666; font-weight: normal; font-style: italic; }
.locked { font-size: 8pt; font-weight: normal; border: 1px solid #111; padding: 0 0.6mm;
          margin-left: 1mm; white-space: nowrap; }
.colour { font-weight: bold; }
#sample { border: 1px solid #999; padding: 1.5mm 3mm; margin: 0 0 1mm; overflow: hidden;
          max-height: 40mm; }
#sample p { margin: 0; }
.silent { opacity: 0.55; }
ol, ul { margin: 0; padding-left: 5mm; }
li { margin: 0.3mm 0; }
code { font: 9pt 'DejaVu Sans Mono', monospace; }
footer { margin-top: 3mm; padding-top: 1mm; border-top: 1px solid #999; font-size: 8.5pt;
         color: #333; }
@media print {
  body { padding: 0; max-width: none; }
  #sample, kbd { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";
  }

  std::string dateText() const {
    static constexpr std::array<const char*, 12> kFr = {
        "janvier", "février", "mars",      "avril",   "mai",      "juin",
        "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
    static constexpr std::array<const char*, 12> kEn = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    const CardDate& d = options_.date;
    const int m = std::clamp(d.month, 1, 12) - 1;
    return fmt::format("{} {} {} {}", w_("Fiche faite le", "Made on"), d.day,
                       w_.fr() ? kFr[m] : kEn[m], d.year);
  }

  // " [verrouillé]" after a value an administrator locked.
  std::string lockMark(std::string_view key) const {
    if (!c_.lockOf(key)) return {};
    return std::string("<span class=\"locked\">") + w_("verrouillé", "locked") + "</span>";
  }

  void row(const char* label, const std::string& valueHtml, std::string_view key = {},
           std::string_view id = {}) {
    out_ += "<tr";
    if (!id.empty()) out_ += fmt::format(" id=\"{}\"", id);
    out_ += "><th>" + std::string(label) + "</th><td>" + valueHtml;
    if (!key.empty()) out_ += lockMark(key);
    out_ += "</td></tr>\n";
  }

  void speech() {
    out_ += fmt::format("<section id=\"speech\">\n<h2>{}</h2>\n<table>\n", w_("La voix", "Speech"));
    row(w_("Voix française", "French voice"), escapeHtml(c_.getString("speech.voice_fr")),
        "speech.voice_fr", "voice-fr");
    row(w_("Voix anglaise", "English voice"), escapeHtml(c_.getString("speech.voice_en")),
        "speech.voice_en", "voice-en");
    row(w_("Vitesse", "Rate"),
        fmt::format("{} {}", c_.getInt("speech.rate"), w_("mots par minute", "words per minute")),
        "speech.rate", "rate");
    row(w_("Hauteur", "Pitch"),
        fmt::format("{} <span class=\"none\">({})</span>", c_.getInt("speech.pitch"),
                    w_("50 = normale", "50 = normal")),
        "speech.pitch", "pitch");
    row(w_("Volume", "Volume"), fmt::format("{} %", c_.getInt("speech.volume")), "speech.volume",
        "volume");
    const auto gap = c_.getInt("speech.word_gap");
    row(w_("Pause entre les mots", "Pause between words"),
        gap == 0 ? std::string(w_("aucune", "none")) : fmt::format("{} ms", gap * 10),
        "speech.word_gap");
    const std::string& language = c_.getString("ocr.language");
    std::string auto_ = c_.getBool("speech.auto_language")
                            ? w_("oui : la voix suit la langue de chaque passage",
                                 "yes: the voice follows the language of each passage")
                            : w_("non", "no");
    if (language == "fr")
      auto_ += w_(" ; texte toujours lu en français", "; always read as French");
    if (language == "en")
      auto_ += w_(" ; texte toujours lu en anglais", "; always read as English");
    row(w_("Changement de langue automatique", "Automatic language"), auto_, "speech.auto_language",
        "auto-language");
    const std::string& punct = c_.getString("speech.punctuation");
    row(w_("Ponctuation lue", "Punctuation spoken"),
        punct == "none"   ? w_("aucune", "none")
        : punct == "some" ? w_("les signes principaux", "the main marks")
        : punct == "all"  ? w_("toute", "all")
                          : escapeHtml(punct),
        "speech.punctuation");
    const std::string& signal = c_.getString("speech.doubtful_signal");
    std::string doubtful =
        signal == "none"    ? w_("pas signalés", "not signalled")
        : signal == "tone"  ? w_("un petit bip avant le mot", "a short tone before the word")
        : signal == "pitch" ? w_("lus d'une voix plus aiguë", "read at a different pitch")
                            : escapeHtml(signal);
    if (signal != "none")
      doubtful += fmt::format(" <span class=\"none\">({} {} %)</span>",
                              w_("reconnus à moins de", "recognised at under"),
                              c_.getInt("speech.doubtful_threshold"));
    row(w_("Mots mal reconnus", "Doubtful words"), doubtful, "speech.doubtful_signal", "doubtful");
    row(w_("Langues reconnues", "Recognised languages"), escapeHtml(c_.getString("ocr.languages")),
        "ocr.languages");
    out_ += "</table>\n</section>\n";
  }

  void view() {
    out_ += fmt::format("<section id=\"view\">\n<h2>{}</h2>\n<table>\n",
                        w_("L'affichage", "The reading view"));
    if (!c_.getBool("view.enabled")) {
      row(w_("Affichage", "View"), w_("non : la voix seule", "off: speech only"), "view.enabled",
          "view-enabled");
      out_ += "</table>\n</section>\n";
      return;
    }
    const Theme& theme = themeNamed(c_.getString("view.theme"));
    row(w_("Couleurs", "Colours"), w_.fr() ? theme.fr : theme.en, "view.theme", "theme");
    row(w_("Police", "Font"),
        fmt::format("{}, {} pt", escapeHtml(c_.getString("view.font")),
                    c_.getInt("view.font_size_pt")) +
            (c_.lockOf("view.font_size_pt") ? std::string() : lockMark("view.font")),
        "view.font_size_pt", "font");
    row(w_("Interligne", "Line spacing"),
        withComma(number(c_.getDouble("view.line_spacing"), 1), w_), "view.line_spacing");
    auto spacing = [&](const char* key) {
      double v = c_.getDouble(key);
      return v == 0.0 ? std::string(w_("normal", "normal"))
                      : "+" + withComma(number(v, 2), w_) + " em";
    };
    row(w_("Espace entre les lettres", "Letter spacing"), spacing("view.letter_spacing_em"),
        "view.letter_spacing_em");
    row(w_("Espace entre les mots", "Word spacing"), spacing("view.word_spacing_em"),
        "view.word_spacing_em");
    row(w_("Syllabes en couleur", "Syllables in colour"),
        c_.getBool("view.syllables") ? std::string(w_("oui : ", "yes: ")) +
                                           colourList(c_.getStringList("view.syllable_colours"), w_)
                                     : std::string(w_("non", "no")),
        "view.syllables", "syllables");
    const auto& lines = c_.getStringList("view.line_colours");
    row(w_("Couleur des lignes", "Line colours"),
        lines.empty() ? std::string(w_("celle du texte", "the text colour"))
                      : std::string(w_("tour à tour ", "in turn ")) + colourList(lines, w_),
        "view.line_colours", "line-colours");
    const auto focus = c_.getInt("view.line_focus");
    row(w_("Cache autour de la ligne", "Line focus"),
        focus == 0
            ? std::string(w_("non : toute la page est visible", "off: the whole page is visible"))
            : fmt::format("{} {}", focus,
                          focus == 1 ? w_("ligne visible, le reste est caché",
                                          "line visible, the rest is hidden")
                                     : w_("lignes visibles, le reste est caché",
                                          "lines visible, the rest is hidden")),
        "view.line_focus", "line-focus");
    row(w_("Lettres muettes en gris", "Silent letters greyed"),
        yesNo(c_.getBool("view.silent_letters"), w_), "view.silent_letters");
    row(w_("Mot lu surligné", "Word highlighted as it is read"),
        yesNo(c_.getBool("view.highlight_word"), w_), "view.highlight_word");
    out_ += "</table>\n</section>\n";
  }

  // Two lines of text as the view shows them: font, size (at most 20 pt, to keep the card on
  // one page), spacing, theme colours, line or syllable colours, silent letters.
  void sample() {
    if (!c_.getBool("view.enabled")) return;
    const Theme& theme = themeNamed(c_.getString("view.theme"));
    const auto size = std::min<std::int64_t>(c_.getInt("view.font_size_pt"), 20);
    out_ += fmt::format(
        "<div id=\"sample\" aria-label=\"{}\" style=\"color:{};background:{};font-family:{};"
        "font-size:{}pt;line-height:{};letter-spacing:{}em;word-spacing:{}em\">\n",
        w_("Exemple de texte dans cet affichage", "Sample text in this view"), theme.fg, theme.bg,
        escapeHtml(cssFontFamily(c_.getString("view.font"))), size,
        number(c_.getDouble("view.line_spacing"), 2),
        number(c_.getDouble("view.letter_spacing_em"), 3),
        number(c_.getDouble("view.word_spacing_em"), 3));
    // Syllables are French written syllables: the sample is French whenever they are shown.
    const bool syllables = c_.getBool("view.syllables");
    const bool french = w_.fr() || syllables;
    const char* kLines[2][2] = {
        {"Le petit chat dort au soleil.", "Il rêve d'une souris grise."},
        {"The little cat sleeps in the sun.", "It dreams of a small grey mouse."}};
    const auto& lineColours = c_.getStringList("view.line_colours");
    const auto& syllableColours = c_.getStringList("view.syllable_colours");
    const bool silent = c_.getBool("view.silent_letters");
    std::size_t syllableIndex = 0;
    for (int i = 0; i < 2; ++i) {
      std::string text = kLines[french ? 0 : 1][i];
      std::string style;
      if (!lineColours.empty())
        style =
            " style=\"color:" + cssColour(lineColours[i % lineColours.size()], theme.dark) + "\"";
      out_ += "<p" + style + ">";
      if (!syllables || syllableColours.empty()) {
        out_ += escapeHtml(text);
      } else {
        std::size_t start = 0;
        while (start < text.size()) {
          std::size_t space = text.find(' ', start);
          if (space == std::string::npos) space = text.size();
          const std::string word = text.substr(start, space - start);
          std::size_t at = 0;
          for (const auto& s : dys::syllabify(word)) {
            out_ += escapeHtml(word.substr(at, s.offset - at));
            const std::string colour =
                cssColour(syllableColours[syllableIndex++ % syllableColours.size()], theme.dark);
            const std::size_t spoken = s.length - (silent ? s.silentLength : 0);
            out_ +=
                "<span style=\"color:" + colour + "\">" + escapeHtml(word.substr(s.offset, spoken));
            if (spoken < s.length)
              out_ += "<span class=\"silent\">" +
                      escapeHtml(word.substr(s.offset + spoken, s.length - spoken)) + "</span>";
            out_ += "</span>";
            at = s.offset + s.length;
          }
          out_ += escapeHtml(word.substr(at));
          if (space < text.size()) out_ += ' ';
          start = space + 1;
        }
      }
      out_ += "</p>\n";
    }
    out_ += "</div>\n";
  }

  void hotkeys() {
    out_ += fmt::format(
        "<section id=\"hotkeys\">\n<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th></tr>"
        "</thead>\n<tbody>\n",
        w_("Les raccourcis clavier", "Hotkeys"), w_("Pour", "To"), w_("Appuyer sur", "Press"));
    constexpr std::string_view kPrefix = "hotkeys.";
    for (const auto& spec : config::ConfigSchema::instance().keys()) {
      if (spec.key.rfind(kPrefix, 0) != 0 || spec.isPattern()) continue;
      const std::string_view action = std::string_view(spec.key).substr(kPrefix.size());
      out_ += fmt::format("<tr data-action=\"{}\"><th>{}</th><td>{}{}</td></tr>\n",
                          escapeHtml(action), escapeHtml(hotkeyLabel(spec, action, w_)),
                          chordHtml(c_.getString(spec.key), w_), lockMark(spec.key));
    }
    out_ += "</tbody>\n</table>\n</section>\n";
  }

  void plugins() {
    out_ += fmt::format("<section id=\"plugins\">\n<h2>{}</h2>\n",
                        w_("Les adaptations, dans l'ordre", "Adaptations, in order"));
    const auto& chain = c_.getStringList("plugins.chain");
    if (chain.empty()) {
      out_ += std::string("<p class=\"none\">") +
              w_("aucune : le texte est lu tel qu'il est reconnu",
                 "none: the text is read as it is recognised") +
              "</p>\n";
    } else {
      out_ += "<ol>\n";
      for (const auto& id : chain) {
        out_ += "<li data-plugin=\"" + escapeHtml(id) + "\"><b>" + escapeHtml(id) + "</b>";
        for (const auto& p : kPluginLabels)
          if (id == p.id) out_ += std::string(" : ") + w_(p.fr, p.en);
        const nlohmann::json options = c_.pluginOptions(id);
        if (options.is_object() && !options.empty()) {
          std::string list;
          for (const auto& [key, value] : options.items())
            list += (list.empty() ? "" : ", ") + key + " = " + value.dump();
          out_ += " <span class=\"none\">(" + escapeHtml(list) + ")</span>";
        }
        out_ += "</li>\n";
      }
      out_ += "</ol>\n";
    }
    if (c_.lockOf("plugins.chain")) out_ += "<p>" + lockMark("plugins.chain") + "</p>\n";
    out_ += "</section>\n";
  }

  void locks() {
    out_ += fmt::format("<section id=\"locks\">\n<h2>{}</h2>\n",
                        w_("Réglages verrouillés", "Locked settings"));
    if (c_.locks().empty()) {
      out_ += std::string("<p class=\"none\">") +
              w_("aucun : chaque réglage peut être changé", "none: every setting can be changed") +
              "</p>\n</section>\n";
      return;
    }
    out_ += std::string("<p>") +
            w_("Seule la personne qui gère cet ordinateur peut les changer, dans le fichier "
               "indiqué :",
               "Only the person who manages this computer can change them, in the file shown:") +
            "</p>\n<table>\n";
    for (const auto& [key, lock] : c_.locks())
      out_ += "<tr data-key=\"" + escapeHtml(key) + "\"><th><code>" + escapeHtml(key) +
              "</code></th><td><code>" + escapeHtml(lock.toString()) + "</code></td></tr>\n";
    out_ += "</table>\n</section>\n";
  }

  const Config& c_;
  Words w_;
  const CardOptions& options_;
  std::string out_;
};

}  // namespace

std::string escapeHtml(std::string_view text) {
  return sdk::html::escape(text);
}

std::string cardLanguage(const Config& config, std::string_view requested,
                         std::string_view locale) {
  if (requested == "fr" || requested == "en") return std::string(requested);
  const std::string& reading = config.getString("ocr.language");
  if (reading == "fr" || reading == "en") return reading;
  return locale.substr(0, 2) == "fr" ? "fr" : "en";
}

std::string profileCardHtml(const Config& config, const CardOptions& options) {
  return Card(config, options).html();
}

}  // namespace liseur::app
