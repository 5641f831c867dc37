// Text comparison for tests that check recognised or spoken text against a known reference.
#pragma once

#include <string>

namespace liseur::test {

// Levenshtein distance over Unicode code points / reference length, after collapsing every run of
// whitespace to one space and trimming (line breaks do not matter).
double characterErrorRate(const std::string& reference, const std::string& hypothesis);

}  // namespace liseur::test
