// The printable profile card (`liseur profile card NAME -o card.html`): a one-page summary of a
// profile for the pupil's file, written for the teacher, the parents and the pupil.
//
// The card is one self-contained HTML page: no script, no image, no font or style sheet from
// elsewhere (its Content-Security-Policy is default-src 'none' with inline styles only), print
// styles for one A4 page, and every text from the configuration escaped. It says what is on (the
// plugin chain, the view with a sample in the profile's font, colours and spacing, syllables,
// line focus), the voices with rate, pitch and volume, automatic language, the doubtful-word
// signal, the hotkeys, the locked keys with the file and line of each lock, and the date.
//
// Pure functions of their arguments (no clock, no environment, no file): safe on any thread.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"

namespace liseur::app {

struct CardDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

struct CardOptions {
  std::string lang = "fr";  // labels: "fr" or "en" (anything else is treated as "en")
  CardDate date;            // printed as "22 novembre 2026" / "22 November 2026"
};

// The language of the labels: `requested` when it is "fr" or "en"; otherwise the profile's fixed
// reading language (ocr.language fr or en); otherwise French when `locale` (LC_ALL, LC_MESSAGES
// or LANG) starts with "fr", else English.
std::string cardLanguage(const config::Config& config, std::string_view requested,
                         std::string_view locale);

// The whole page. Never fails: a value the card has no words for is shown as it is written in
// the configuration.
std::string profileCardHtml(const config::Config& config, const CardOptions& options);

// `text` with & < > " ' replaced by character references, safe in element content and in
// quoted attribute values.
std::string escapeHtml(std::string_view text);

}  // namespace liseur::app
