// The dys plugin's speak hook: the document cut into short utterances for a young listener.
//
// A child who is learning to read follows a voice best in short breath groups: each utterance is
// cut at sentence ends, at commas, semicolons and colons, at line ends (option cut_at_lines: a
// worksheet line is usually one instruction), and a longer run is split into nearly equal parts
// of at most `chunk_words` words, preferably before a little linking word (et, qui, pour, ...).
// A cut is always between two document words, never inside one. Every non-empty word of the
// document is in exactly one utterance, in document order, with a word ref (offset and length of
// its text in the utterance, block, line and word as positions in the document's arrays).
#pragma once

#include <nlohmann/json.hpp>

#include "dys_model.h"

namespace liseur::dys {

// The utterances as the JSON array of the speak reply (Utterance JSON of
// daemon/document/document.h).
nlohmann::json speakUtterances(const Doc& doc, const Options& options);

}  // namespace liseur::dys
