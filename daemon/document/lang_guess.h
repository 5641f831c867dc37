// A small, fast French/English guesser for text whose language nothing else told us (a `say`
// command, or a block where Tesseract's per-word language is split). Stop words and accents;
// returns "fr", "en", or `fallback` when there is too little evidence.
#pragma once

#include <string>
#include <string_view>

namespace liseur {

std::string guessLanguage(std::string_view text, std::string_view fallback);

}  // namespace liseur
