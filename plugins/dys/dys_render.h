// The dys plugin's render hook: a worksheet re-laid out for a dyspraxic or dyslexic pupil, as ONE
// self-contained offline HTML file (inline CSS and JS, fonts by family name, the narration as a
// data: URI, a Content-Security-Policy of default-src 'none' so nothing can be fetched).
//
// Page structure (what the golden and browser tests, and the page's own script, rely on):
//   body[data-focus=N][data-screens=MODE][data-highlight]  classes dys-theme-*,
//        dys-syl-colours|dys-syl-arcs, dys-silent-letters, dys-lines, dys-tint, dys-words;
//        with answer places also [data-page][data-answers=dys][data-answers-lang]
//        [data-answers-export] (the SDK's answer script, plugins/sdk/liseur_answers.hpp)
//   #dys-bar (toolbar)   #dys-play #dys-audio | #dys-prev #dys-where #dys-next |
//                        #dys-up #dys-down #dys-focus
//   main#dys-text > section.dys-screen[data-screen=S] > (h2|p|ul).dys-block.dys-kind-K[data-block]
//     > span|li .dys-line.dys-lK[data-block=B][data-line=L]   (K: line colour, per block)
//       > button.dys-say (narration only)
//       > span.dys-word.dys-wK#w-B-L-W[data-block][data-line][data-word][data-index]
//         > span.dys-syl.dys-sK (French words, syllables on; K restarts at each word)
//           > span.dys-silent (silent letters option)
//   script#dys-timings (application/json: the narration words as numbers only)
// All document text is escaped: it is OCR output of a stranger's page.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dys_model.h"

namespace liseur::dys {

// The page. `narration` is the request's "narration" object or nullptr; it is checked (base64 of
// a RIFF/WAVE file, words in spoken order pointing inside the document) and refused with
// LISEUR_ERR_INVALID_INPUT naming the bad member.
std::string renderPage(const Doc& doc, const Options& options, const nlohmann::json* narration);

}  // namespace liseur::dys
