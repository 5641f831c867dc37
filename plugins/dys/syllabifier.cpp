#include "syllabifier.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/utf8.h"

namespace liseur::dys {
namespace {

// ---------------------------------------------------------------------------------------------
// Letters: UTF-8 decoding, case folding and composition of combining accents. OCR and PDF text
// often carries decomposed accents (e + U+0301), so a base letter absorbs the marks after it and
// the rules only ever see one lowercase precomposed code point per letter.

struct Letter {
  std::size_t offset = 0;
  std::size_t length = 0;
  char32_t c = 0;  // lowercase, precomposed
};

using liseur::decodeUtf8;  // one code point at s[i]: its byte length, 0 when invalid

char32_t toLower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;  // Ÿ
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A pairs upper/lower as even/odd, except in the 0x139-0x148 and
    // 0x179-0x17E stretches where the uppercase letter is odd.
    const bool oddUpper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (oddUpper ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
  }
  return c;
}

bool isLetterCp(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

bool isCombiningMark(char32_t c) {
  return c >= 0x300 && c <= 0x36F;
}

char32_t compose(char32_t base, char32_t mark) {
  struct Entry {
    char32_t base, mark, result;
  };
  static constexpr std::array<Entry, 18> kTable{{
      {U'a', 0x300, U'à'},
      {U'a', 0x302, U'â'},
      {U'a', 0x308, U'ä'},
      {U'e', 0x300, U'è'},
      {U'e', 0x301, U'é'},
      {U'e', 0x302, U'ê'},
      {U'e', 0x308, U'ë'},
      {U'i', 0x302, U'î'},
      {U'i', 0x308, U'ï'},
      {U'o', 0x302, U'ô'},
      {U'o', 0x308, U'ö'},
      {U'u', 0x300, U'ù'},
      {U'u', 0x302, U'û'},
      {U'u', 0x308, U'ü'},
      {U'y', 0x308, U'ÿ'},
      {U'c', 0x327, U'ç'},
      {U'o', 0x301, U'ó'},
      {U'a', 0x301, U'á'},
  }};
  for (const auto& e : kTable)
    if (e.base == base && e.mark == mark) return e.result;
  return base;
}

bool isApostrophe(char32_t c) {
  return c == '\'' || c == 0x2019 || c == 0x2BC;
}
bool isHyphen(char32_t c) {
  return c == '-' || c == 0x2010 || c == 0x2011;
}

// One scanned element of a word or text: a letter (with its marks), or any other code point.
struct Item {
  std::size_t offset = 0;
  std::size_t length = 0;
  char32_t c = 0;  // lowercase precomposed for letters, raw code point otherwise (0: invalid)
  bool letter = false;
};

std::vector<Item> scan(std::string_view s) {
  std::vector<Item> items;
  std::size_t i = 0;
  while (i < s.size()) {
    char32_t cp = 0;
    std::size_t len = decodeUtf8(s, i, cp);
    if (len == 0) {
      items.push_back({i, 1, 0, false});
      ++i;
      continue;
    }
    if (isCombiningMark(cp) && !items.empty() && items.back().letter &&
        items.back().offset + items.back().length == i) {
      items.back().length += len;
      items.back().c = compose(items.back().c, cp);
      i += len;
      continue;
    }
    if (isLetterCp(cp)) {
      items.push_back({i, len, toLower(cp), true});
    } else {
      items.push_back({i, len, cp, false});
    }
    i += len;
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Graphemes.

bool isVowelLetter(char32_t c) {
  switch (c) {
    case U'a':
    case U'à':
    case U'â':
    case U'ä':
    case U'á':
    case U'e':
    case U'é':
    case U'è':
    case U'ê':
    case U'ë':
    case U'i':
    case U'î':
    case U'ï':
    case U'í':
    case U'o':
    case U'ô':
    case U'ö':
    case U'ó':
    case U'u':
    case U'ù':
    case U'û':
    case U'ü':
    case U'ú':
    case U'y':
    case U'ÿ':
    case U'œ':
    case U'æ':
      return true;
    default:
      return false;
  }
}

bool hasDiaeresis(char32_t c) {
  return c == U'ä' || c == U'ë' || c == U'ï' || c == U'ö' || c == U'ü' || c == U'ÿ';
}

// A grapheme: a vowel nucleus (`eau`, `oin`, `é`) or a consonant (`ch`, `qu`, `t`, glide `y`).
struct Unit {
  int first = 0;  // letter index in the part
  int last = 0;   // one past
  bool vowel = false;
  bool glideY = false;      // consonant y before a vowel (cra-yon, ca-nyon)
  bool muteEnding = false;  // the e of a mute verb ending -ent
  std::u32string text;
};

// Vowel graphemes other than single letters and nasals, longest first. oê is [wa] (poê-le) and
// aoû is [u] (août).
constexpr std::array<std::u32string_view, 16> kVowelGraphemes{
    U"aoû", U"eau", U"oeu", U"œu", U"ou", U"oû", U"où", U"oi",
    U"oî",  U"oê",  U"ai",  U"aî", U"ei", U"au", U"eu", U"œ"};

// Vowels that take n/m as a nasal (an, ain, ein, oin, on, un, yn...).
bool takesNasal(std::u32string_view v) {
  return v == U"a" || v == U"e" || v == U"i" || v == U"o" || v == U"u" || v == U"y" || v == U"ai" ||
         v == U"ei" || v == U"oi" || v == U"ï";
}

constexpr std::array<std::u32string_view, 7> kConsonantDigraphs{U"ch", U"ph", U"th", U"sh",
                                                                U"rh", U"gn", U"ck"};

class Part {
 public:
  explicit Part(std::u32string s) : s_(std::move(s)), n_(static_cast<int>(s_.size())) { segment(); }

  const std::u32string& text() const { return s_; }
  std::vector<Unit>& units() { return units_; }
  const std::vector<Unit>& units() const { return units_; }

 private:
  char32_t at(int i) const { return i >= 0 && i < n_ ? s_[static_cast<std::size_t>(i)] : 0; }
  bool matches(int i, std::u32string_view g) const {
    return i + static_cast<int>(g.size()) <= n_ &&
           std::u32string_view(s_).substr(static_cast<std::size_t>(i), g.size()) == g;
  }

  void push(int first, int last, bool vowel) {
    Unit u;
    u.first = first;
    u.last = last;
    u.vowel = vowel;
    u.text = s_.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first));
    units_.push_back(std::move(u));
  }

  void segment() {
    int i = 0;
    while (i < n_) {
      const char32_t c = at(i);
      if (c == U'y' && isVowelLetter(at(i + 1))) {
        // y before a vowel is the consonant [j]: it opens the next syllable (no-yau, pa-ya-ble).
        push(i, i + 1, false);
        units_.back().glideY = true;
        ++i;
      } else if (isVowelLetter(c)) {
        i = segmentVowel(i);
      } else {
        i = segmentConsonant(i);
      }
    }
  }

  int segmentVowel(int i) {
    int end = i + 1;
    for (auto g : kVowelGraphemes) {
      if (matches(i, g)) {
        end = i + static_cast<int>(g.size());
        break;
      }
    }
    // ey not before a vowel is the [ɛ] of borrowed words (po-ney, vol-ley); before a vowel the y
    // is a consonant (gras-se-yer). oe before ll is [wa] (moel-le).
    if (end == i + 1 && at(i) == U'e' && at(i + 1) == U'y' && !isVowelLetter(at(i + 2)))
      end = i + 2;
    if (end == i + 1 && at(i) == U'o' && at(i + 1) == U'e' && at(i + 2) == U'l' &&
        at(i + 3) == U'l')
      end = i + 2;
    // oo is the single [u] of borrowed words in a closed or final syllable (foot-ball, al-cool,
    // zoos) and a hiatus before an open syllable (zo-o-lo-gie) or after the prefix co-
    // (co-or-don-ner, co-o-pé-rer).
    if (end == i + 1 && at(i) == U'o' && at(i + 1) == U'o') {
      const int after = i + 2;
      const bool closed = after >= n_ || (!isVowelLetter(at(after)) &&
                                          (after + 1 >= n_ || !isVowelLetter(at(after + 1))));
      const bool prefixCo = i == 1 && at(0) == U'c' && after + 1 < n_;  // but cool
      if (closed && !prefixCo) end = i + 2;
    }
    const std::u32string_view base = std::u32string_view(s_).substr(
        static_cast<std::size_t>(i), static_cast<std::size_t>(end - i));
    // "ill"/"il" after ou, eu, œ(u): the i only marks the [j] sound and belongs to the vowel
    // (ci-trouil-le, feuil-le, fe-nouil); ai/ei already hold theirs (mé-dail-le, a-beil-le).
    if ((base == U"ou" || base == U"eu" || base == U"œu" || base == U"oeu" || base == U"œ") &&
        at(end) == U'i' && at(end + 1) == U'l' &&
        (end + 2 == n_ || at(end + 2) == U'l' || (at(end + 2) == U's' && end + 3 == n_))) {
      ++end;
    } else if (takesNasal(base) && (at(end) == U'n' || at(end) == U'm')) {
      // A nasal needs a consonant or the end after its n/m: not a vowel (a-mi), not a doubled
      // n/m or an mn/nm pair (bon-ne, em-me-ner), not a glide y (ca-nyon).
      const char32_t next = at(end + 1);
      const bool nasal = end + 1 == n_ || (!isVowelLetter(next) && next != U'n' && next != U'm');
      if (nasal) ++end;
    }
    push(i, end, true);
    return end;
  }

  int segmentConsonant(int i) {
    const char32_t c = at(i);
    if ((c == U'q' || c == U'g') && at(i + 1) == U'u' &&
        ((isVowelLetter(at(i + 2)) && !hasDiaeresis(at(i + 2))) || (c == U'q' && i + 2 == n_))) {
      // qu/gu before a vowel: the u is not a vowel (mar-que, dro-gue, gui-ta-re, ar-guant).
      push(i, i + 2, false);
      return i + 2;
    }
    if (c == U'g' && at(i + 1) == U'e' &&
        (at(i + 2) == U'a' || at(i + 2) == U'â' || at(i + 2) == U'o' || at(i + 2) == U'ô')) {
      // ge before a/o only softens the g (chan-geant, pi-geon, rou-geoient): not a nucleus.
      push(i, i + 2, false);
      return i + 2;
    }
    for (auto d : kConsonantDigraphs) {
      if (matches(i, d)) {
        push(i, i + 2, false);
        return i + 2;
      }
    }
    push(i, i + 1, false);
    return i + 1;
  }

  std::u32string s_;
  int n_;
  std::vector<Unit> units_;
};

bool unitIs(const Unit& u, std::u32string_view t) {
  return u.text == t;
}

// Consonant + l/r that opens a syllable together (ta-bleau, ci-tron, é-crou-le, chro-no).
// Not dl, tl, vl: they are split (ath-lè-te).
bool inseparable(const Unit& a, const Unit& b) {
  if (a.vowel || b.vowel) return false;
  static constexpr std::array<std::u32string_view, 8> kBeforeL{U"b", U"c", U"f",  U"g",
                                                               U"k", U"p", U"ch", U"ph"};
  static constexpr std::array<std::u32string_view, 12> kBeforeR{
      U"b", U"c", U"d", U"f", U"g", U"k", U"p", U"t", U"v", U"ch", U"ph", U"th"};
  if (b.text == U"l") return std::find(kBeforeL.begin(), kBeforeL.end(), a.text) != kBeforeL.end();
  if (b.text == U"r") return std::find(kBeforeR.begin(), kBeforeR.end(), a.text) != kBeforeR.end();
  return false;
}

// ---------------------------------------------------------------------------------------------
// The -ent ending.
//
// Evidence (measured by tests/bench/syllables against the Debian hunspell-fr-classical lexicon:
// every -ent word it lists as noun/adjective/adverb versus every 3rd-plural verb form its affix
// rules generate, and against the lemma column of the dev list): verb forms are the large open
// class, so "mute unless proven otherwise" is the right default, and three spelling facts rule
// most non-verbs out:
//  * a verb never writes a plain e or é right before a single consonant + mute ending: the stem
//    vowel becomes è or the consonant doubles (mènent, cèdent, jettent). So -ement, -ément,
//    présent, précédent, régent, fréquent, compétent... are not verbs;
//  * -amment/-emment are adverbs (évidemment, savamment);
//  * -escent is the Latin inchoative adjective suffix (adolescent, fluorescent);
// and after a vowel, -tient/-vient are forms of tenir/venir (il tient, il convient) or
// patient/quotient, and -scient is conscient/omniscient, where the ending is a sounded nasal.
// What remains wrong are homographs and a few learned adjectives (souvent, parent, argent,
// accident, talent); the benchmark prints the measured precision and recall.

// The most frequent non-verb -ent words whose spelling looks like a verb form (ils nomment,
// ils trouvent, ils aiment, ils chroment): a type-level rule cannot tell them apart and they are
// too common in school texts to grey a sounded n. Only silent-letter display depends on this.
bool isFrequentNonVerbEnt(const std::u32string& w) {
  return w == U"comment" || w == U"souvent" || w == U"vraiment" || w == U"moment";
}

bool isMuteVerbEndingUnits(const std::vector<Unit>& u) {
  const int k = static_cast<int>(u.size());
  if (k < 3) return false;
  const Unit& en = u[static_cast<std::size_t>(k - 2)];
  const Unit& t = u[static_cast<std::size_t>(k - 1)];
  if (!unitIs(t, U"t") || !en.vowel || !(unitIs(en, U"en") || en.muteEnding)) return false;
  int pv = k - 3;
  while (pv >= 0 && !u[static_cast<std::size_t>(pv)].vowel) --pv;
  if (pv < 0) return false;  // one syllable: vent, dent, ment, sent
  const Unit& v = u[static_cast<std::size_t>(pv)];
  if (pv == k - 3) {
    if (unitIs(v, U"i") && pv >= 1) {
      const Unit& before = u[static_cast<std::size_t>(pv - 1)];
      if (unitIs(before, U"t") || unitIs(before, U"v")) return false;
      // -scient is Latin "knowing" (conscient, omniscient), not a verb in -scier.
      if (unitIs(before, U"c") && pv >= 2 && unitIs(u[static_cast<std::size_t>(pv - 2)], U"s"))
        return false;
    }
    return true;
  }
  const int run = k - 3 - pv;
  const Unit& c1 = u[static_cast<std::size_t>(pv + 1)];
  // x is two sounds and a glide y makes a diphthong, so e + x/y is a closed syllable that verbs
  // keep (vexent, asseyent).
  if (run == 1 && (unitIs(v, U"e") || unitIs(v, U"é")) && !unitIs(c1, U"x") && !c1.glideY)
    return false;
  if (run == 2 && unitIs(c1, U"m") && unitIs(u[static_cast<std::size_t>(pv + 2)], U"m") &&
      (unitIs(v, U"a") || unitIs(v, U"e")))
    return false;
  if (run == 2 && unitIs(v, U"e") && unitIs(c1, U"s") &&
      unitIs(u[static_cast<std::size_t>(pv + 2)], U"c"))
    return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Nuclei and boundaries.

bool isPlainE(const Unit& u) {
  return u.vowel && u.text == U"e";
}

class PartSyllabifier {
 public:
  explicit PartSyllabifier(Part& part) : part_(part), u_(part.units()) {}

  // Computes the letter index where each syllable starts (the first is 0) and, per syllable,
  // the letter index of a mute e inside it (or -1).
  void run() {
    markMuteVerbEnding();
    groupNuclei();
    placeBoundaries();
  }

  const std::vector<int>& starts() const { return starts_; }
  const std::vector<int>& muteE() const { return muteE_; }
  bool verbEnding() const { return verbEnding_; }
  // Letter index one past the last nucleus letter of syllable k.
  int nucleusEnd(std::size_t k) const { return nucleusEnd_[k]; }

 private:
  const Unit& unit(int i) const { return u_[static_cast<std::size_t>(i)]; }
  int count() const { return static_cast<int>(u_.size()); }

  void markMuteVerbEnding() {
    if (isFrequentNonVerbEnt(part_.text()) || !isMuteVerbEndingUnits(u_)) return;
    // Split the nasal "en" into a mute e and a consonant n.
    const auto pos = u_.size() - 2;
    Unit n = u_[pos];
    Unit& e = u_[pos];
    e.last = e.first + 1;
    e.text = U"e";
    e.muteEnding = true;
    n.first = e.last;
    n.vowel = false;
    n.text = U"n";
    u_.insert(u_.begin() + static_cast<std::ptrdiff_t>(pos) + 1, n);
    verbEnding_ = true;
  }

  bool onlyConsonantsAfter(int i) const {
    for (int k = i + 1; k < count(); ++k)
      if (unit(k).vowel) return false;
    return true;
  }

  // A plain e that is not pronounced after a vowel: final e/es (vue, joies), the verb ending
  // (jouent), or an inner e before one consonant/cluster and a vowel (tue-ront, é-tu-die-ra,
  // dé-voue-ment).
  bool isMuteEAfterVowel(int v2) const {
    const Unit& e = unit(v2);
    if (!isPlainE(e)) return false;
    if (e.muteEnding) return true;
    if (onlyConsonantsAfter(v2)) {
      const int rest = count() - 1 - v2;
      return rest == 0 || (rest == 1 && unitIs(unit(v2 + 1), U"s"));
    }
    int k = v2 + 1;
    while (k < count() && !unit(k).vowel) ++k;
    const int run = k - v2 - 1;
    const bool openSyllable = run == 1 || (run == 2 && inseparable(unit(v2 + 1), unit(v2 + 2)));
    if (!openSyllable) return false;
    const Unit& v1 = unit(v2 - 1);
    return unitIs(v1, U"i") || unitIs(v1, U"u") || unitIs(v1, U"ou") || unitIs(v1, U"oi") ||
           unitIs(v1, U"ai") || unitIs(v1, U"é");
  }

  bool clusterBefore(int v) const { return v >= 2 && inseparable(unit(v - 2), unit(v - 1)); }
  bool consonantBefore(int v) const { return v >= 1 && !unit(v - 1).vowel; }

  // Two adjacent vowel graphemes: one syllable (glide, mute e) or two (hiatus)?
  bool sameSyllable(int v1, int v2) const {
    const Unit& a = unit(v1);
    const Unit& b = unit(v2);
    if (hasDiaeresis(part_.text()[static_cast<std::size_t>(b.first)])) return false;
    if (isMuteEAfterVowel(v2)) return true;
    // i + vowel is a yod after a single consonant (sta-tion, pa-ri-siens), two syllables after
    // consonant + l/r (cri-er, ou-vri-è-re, mul-ti-pli-ant); a ï before a vowel is the same yod.
    if (unitIs(a, U"i") || unitIs(a, U"ï")) return !clusterBefore(v1);  // also pa-ïen, a-ïeul
    // e before oi is written, not sounded (as-seoir, sur-seoir).
    if (unitIs(a, U"e") && unitIs(b, U"oi")) return true;
    if (unitIs(a, U"u")) {
      // ui is one syllable everywhere (pluie, ins-truits, cui-re); u + another vowel glides
      // after a single consonant (é-va-lua-tion) and not after a cluster (tru-an-da-ge,
      // ex-clu-ait) or at the start.
      if (b.text[0] == U'i') return true;
      return consonantBefore(v1) && !clusterBefore(v1);
    }
    if (unitIs(a, U"ou") || unitIs(a, U"oû")) return !clusterBefore(v1);  // oui, ouest, é-choua
    return false;  // hiatus: po-è-me, ré-a-lis-te, gé-ant
  }

  void groupNuclei() {
    for (int i = 0; i < count(); ++i) {
      if (!unit(i).vowel) continue;
      if (!groups_.empty() && groups_.back().second == i - 1 && sameSyllable(i - 1, i)) {
        groups_.back().second = i;
      } else {
        groups_.push_back({i, i});
      }
    }
  }

  // Index of the first unit of the onset of the syllable whose nucleus starts at unit `next`,
  // given that the previous nucleus ends at unit `prev`.
  int onsetStart(int prev, int next) const {
    const int run = next - prev - 1;
    if (run <= 1) return prev + 1;
    const Unit& last = unit(next - 1);
    const Unit& before = unit(next - 2);
    if (last.glideY) return next - 2;  // ca-nyon
    if (inseparable(before, last)) return next - 2;
    return next - 1;
  }

  void placeBoundaries() {
    const int letters = static_cast<int>(part_.text().size());
    if (groups_.empty()) {
      starts_ = {0};
      muteE_ = {-1};
      nucleusEnd_ = {0};
      return;
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (g == 0) {
        starts_.push_back(0);
      } else {
        const int onset = onsetStart(groups_[g - 1].second, groups_[g].first);
        starts_.push_back(onset < count() ? unit(onset).first : letters);
      }
      int mute = -1;
      for (int k = groups_[g].first + 1; k <= groups_[g].second; ++k)
        if (isPlainE(unit(k)) && isMuteEAfterVowel(k)) mute = unit(k).first;
      muteE_.push_back(mute);
      nucleusEnd_.push_back(unit(groups_[g].second).last);
    }
  }

  Part& part_;
  std::vector<Unit>& u_;
  std::vector<std::pair<int, int>> groups_;
  std::vector<int> starts_;
  std::vector<int> muteE_;
  std::vector<int> nucleusEnd_;
  bool verbEnding_ = false;
};

// Common words whose final consonant is sounded although spelling says it usually is not.
// Silent letters are a display hint only, so this list stays to everyday school words.
bool finalConsonantSounded(const std::u32string& w) {
  static constexpr std::array<std::u32string_view, 22> kWords{
      U"bus",   U"ours", U"fils",  U"sens", U"hélas", U"jadis", U"tennis", U"cactus",
      U"virus", U"maïs", U"six",   U"dix",  U"sept",  U"huit",  U"net",    U"brut",
      U"zut",   U"chut", U"ouest", U"sud",  U"index", U"lynx"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

// True when the r of a word ending in -er is silent: infinitives and the -ier, -ger, -cher nouns
// of two syllables or more (chanter, papier, boulanger, premier). Words of one syllable keep it
// (mer, fer, cher, fier, hier: no vowel before the consonant that opens -er), so do -ver words
// (hiver, univers, travers) and a few everyday exceptions.
bool silentEr(const std::u32string& w) {
  static constexpr std::array<std::u32string_view, 16> kSounded{
      U"super",    U"amer",    U"enfer",  U"cancer", U"laser",   U"poster",
      U"hamster",  U"joker",   U"master", U"bunker", U"scooter", U"gangster",
      U"reporter", U"starter", U"leader", U"jupiter"};
  const std::size_t n = w.size();
  if (n < 4 || w.compare(n - 3, 3, U"ver") == 0) return false;
  if (std::find(kSounded.begin(), kSounded.end(), w) != kSounded.end()) return false;
  for (std::size_t k = 0; k + 4 <= n; ++k)
    if (isVowelLetter(w[k])) return true;
  return false;
}

// Number of trailing silent letters of the last syllable of a part, whose nucleus ends at
// letter index `nucleusEnd` (silent letters never reach into the nucleus).
int trailingSilentLetters(const std::u32string& s, int nucleusEnd, bool verbEnding) {
  const int n = static_cast<int>(s.size());
  if (verbEnding) return 2;  // chan-te|nt: the e is the written syllable's vowel
  if (s == U"est") return 2;
  if (finalConsonantSounded(s)) return 0;
  int i = n - 1;
  int silent = 0;
  auto ch = [&](int k) -> char32_t { return k >= 0 && k < n ? s[static_cast<std::size_t>(k)] : 0; };
  if (i >= nucleusEnd && (ch(i) == U's' || ch(i) == U'x')) {
    ++silent;
    --i;
  }
  if (i >= nucleusEnd) {
    const char32_t c = ch(i);
    const char32_t p = ch(i - 1);
    const bool afterVowel = i == nucleusEnd || isVowelLetter(p);
    bool mute = false;
    switch (c) {
      case U't':
      case U'd':
        mute = afterVowel || p == U'n' || p == U'r';
        break;
      case U'p':
        mute = p == U'm' || (p == U'u' && ch(i - 2) == U'o');
        break;
      case U'c':
        mute = p == U'n';
        break;
      case U'g':
        mute = p == U'n' && (ch(i - 2) != U'i' || ch(i - 3) == U'o');
        break;
      case U'r':
        mute = p == U'e' && silentEr(s.substr(0, static_cast<std::size_t>(i) + 1));
        break;
      case U'z':
        mute = p == U'e';  // nez, chez, assez, chantez
        break;
      default:
        break;
    }
    if (mute) ++silent;
  }
  return silent;
}

// Syllabifies letters [first, last) of `items` (all letters) and appends byte-range syllables.
void syllabifyLetters(const std::vector<Item>& items, std::size_t first, std::size_t last,
                      std::vector<Syllable>& out) {
  if (first >= last) return;
  std::u32string s;
  s.reserve(last - first);
  for (std::size_t i = first; i < last; ++i) s.push_back(items[i].c);
  Part part(s);
  PartSyllabifier ps(part);
  ps.run();
  const auto& starts = ps.starts();
  const auto byteAt = [&](int letter) {
    return items[first + static_cast<std::size_t>(letter)].offset;
  };
  const std::size_t endByte = items[last - 1].offset + items[last - 1].length;
  const int letters = static_cast<int>(s.size());
  for (std::size_t k = 0; k < starts.size(); ++k) {
    Syllable syl;
    syl.offset = byteAt(starts[k]);
    const std::size_t end = k + 1 < starts.size() ? byteAt(starts[k + 1]) : endByte;
    syl.length = end - syl.offset;
    const int sylEndLetter = k + 1 < starts.size() ? starts[k + 1] : letters;
    int silentFrom = sylEndLetter;
    if (ps.muteE()[k] >= 0) {
      silentFrom = ps.muteE()[k];
    } else if (k + 1 == starts.size()) {
      silentFrom = letters - trailingSilentLetters(s, ps.nucleusEnd(k), ps.verbEnding());
    }
    if (silentFrom < sylEndLetter) syl.silentLength = end - byteAt(silentFrom);
    out.push_back(syl);
  }
}

// The consonant letters just before an elision apostrophe that belong to the next syllable:
// l' d' qu' jusqu' -> l, d, qu, qu; entr' -> tr. Returns how many letters (0: none).
std::size_t elidedOnset(const std::vector<Item>& items, std::size_t first, std::size_t last) {
  const std::size_t n = last - first;
  if (n == 0) return 0;
  const char32_t c = items[last - 1].c;
  if (n >= 2 && c == U'u' && items[last - 2].c == U'q') return 2;
  if (isVowelLetter(c)) return 0;
  if (n >= 2 && (c == U'r' || c == U'l')) {
    Unit a, b;
    a.text = std::u32string(1, items[last - 2].c);
    b.text = std::u32string(1, c);
    if (inseparable(a, b)) return 2;
  }
  return 1;
}

std::vector<Syllable> syllabifyItems(const std::vector<Item>& items) {
  std::vector<Syllable> out;
  // Runs of letters, and what separates them.
  std::size_t i = 0;
  std::optional<std::size_t> pendingPrefix;  // byte offset where an elided onset begins
  while (i < items.size()) {
    if (!items[i].letter) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < items.size() && items[j].letter) ++j;
    const bool elision = j + 1 < items.size() && isApostrophe(items[j].c) && items[j + 1].letter;
    std::size_t runEnd = j;
    std::optional<std::size_t> nextPrefix;
    if (elision) {
      const std::size_t onset = elidedOnset(items, i, j);
      if (onset > 0) {
        runEnd = j - onset;
        nextPrefix = items[runEnd].offset;
      }
    }
    const std::size_t before = out.size();
    syllabifyLetters(items, i, runEnd, out);
    if (pendingPrefix && out.size() > before) {
      Syllable& first = out[before];
      first.length += first.offset - *pendingPrefix;
      first.offset = *pendingPrefix;
    }
    // Before an elided onset the run's last consonants are heard, linked to it: jus-qu'à,
    // lors-qu'il, puis-qu'on (not the plural s they look like).
    if (nextPrefix && out.size() > before) out.back().silentLength = 0;
    pendingPrefix = nextPrefix;
    i = j;
  }
  return out;
}

}  // namespace

std::vector<Syllable> syllabify(std::string_view word) {
  return syllabifyItems(scan(word));
}

std::string hyphenated(std::string_view word, std::string_view separator) {
  const auto syllables = syllabify(word);
  std::string out;
  out.reserve(word.size() + syllables.size() * separator.size());
  std::size_t pos = 0;
  for (std::size_t k = 0; k < syllables.size(); ++k) {
    const Syllable& s = syllables[k];
    if (k > 0 && s.offset == pos) out += separator;
    out.append(word.substr(pos, s.offset - pos));
    out.append(word.substr(s.offset, s.length));
    pos = s.offset + s.length;
  }
  out.append(word.substr(pos));
  return out;
}

bool isMuteVerbEnding(std::string_view word) {
  const auto items = scan(word);
  // The last run of letters is the word that carries the ending (peut-être, l'aiment).
  std::size_t j = items.size();
  while (j > 0 && !items[j - 1].letter) --j;
  if (j != items.size() || j == 0) return false;
  std::size_t i = j;
  while (i > 0 && items[i - 1].letter) --i;
  std::u32string s;
  for (std::size_t k = i; k < j; ++k) s.push_back(items[k].c);
  Part part(s);
  return !isFrequentNonVerbEnt(s) && isMuteVerbEndingUnits(part.units());
}

std::vector<TextToken> syllabifyText(std::string_view text) {
  const auto items = scan(text);
  std::vector<TextToken> tokens;
  auto addOther = [&](std::size_t from, std::size_t to) {
    if (from >= to) return;
    if (!tokens.empty() && !tokens.back().isWord) {
      tokens.back().length = to - tokens.back().offset;
    } else {
      tokens.push_back({from, to - from, false, {}});
    }
  };
  std::size_t i = 0;
  std::size_t otherStart = 0;
  while (i < items.size()) {
    if (!items[i].letter) {
      ++i;
      continue;
    }
    // A word: letters, and joiners (apostrophe, hyphen) with letters on both sides.
    std::size_t j = i;
    while (j < items.size()) {
      if (items[j].letter) {
        ++j;
      } else if ((isApostrophe(items[j].c) || isHyphen(items[j].c)) && j + 1 < items.size() &&
                 items[j + 1].letter) {
        ++j;
      } else {
        break;
      }
    }
    const std::size_t begin = items[i].offset;
    const std::size_t end = items[j - 1].offset + items[j - 1].length;
    addOther(otherStart, begin);
    TextToken word{begin, end - begin, true, {}};
    std::vector<Item> local(items.begin() + static_cast<std::ptrdiff_t>(i),
                            items.begin() + static_cast<std::ptrdiff_t>(j));
    word.syllables = syllabifyItems(local);  // offsets stay those of the text
    tokens.push_back(std::move(word));
    otherStart = end;
    i = j;
  }
  addOther(otherStart, text.size());
  return tokens;
}

std::string syllablesLine(std::string_view line) {
  auto isSpace = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  while (!line.empty() && isSpace(line.front())) line.remove_prefix(1);
  while (!line.empty() && isSpace(line.back())) line.remove_suffix(1);
  if (line.empty()) return {};
  std::string out(line);
  out += '\t';
  out += hyphenated(line);
  return out;
}

}  // namespace liseur::dys
