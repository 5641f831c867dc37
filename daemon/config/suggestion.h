// "Did you mean": the nearest candidate to a misspelt key or value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace liseur::config {

// Optimal-string-alignment distance (insertions, deletions, substitutions and swaps of two
// neighbouring characters each cost 1), ASCII case-insensitive, on bytes.
std::size_t editDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, or "" when none is close enough to be a plausible typo
// (distance at most max(1, min(3, size/3))). Ties go to the earlier candidate.
std::string nearestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace liseur::config
