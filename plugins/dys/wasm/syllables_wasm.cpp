// The French syllable splitter of the dys view (syllabifier.cpp, unchanged) built as a WebAssembly
// module, so that the adapted page colours what the pupil types with the same syllables as the
// sheet's own words, offline and with one implementation (see ../README.md).
//
// Exports (all offsets in bytes of the UTF-8 text):
//   syl_alloc(n) / syl_free(p)       memory for the text and the result
//   syl_text(text, len, out, max)    for each word of the text: its start and end, the number of
//                                    its syllables, then offset, length and silent length of each;
//                                    returns how many ints it wrote, or -1 when `max` is too small.
#include <cstdlib>

#include "syllabifier.h"

extern "C" {

__attribute__((export_name("syl_alloc"))) void* sylAlloc(unsigned long n) {
  return std::malloc(n ? n : 1);
}

__attribute__((export_name("syl_free"))) void sylFree(void* p) {
  std::free(p);
}

__attribute__((export_name("syl_text"))) int sylText(const char* text, int len, int* out, int max) {
  if (len < 0 || max < 0) return -1;
  int n = 0;
  auto put = [&](std::size_t v) {
    if (n >= max) return false;
    out[n++] = static_cast<int>(v);
    return true;
  };
  for (const liseur::dys::TextToken& tok :
       liseur::dys::syllabifyText(std::string_view(text, static_cast<std::size_t>(len)))) {
    if (!tok.isWord) continue;
    if (!put(tok.offset) || !put(tok.offset + tok.length) || !put(tok.syllables.size())) return -1;
    for (const liseur::dys::Syllable& s : tok.syllables)
      if (!put(s.offset) || !put(s.length) || !put(s.silentLength)) return -1;
  }
  return n;
}
}
