// SHA-256 (FIPS 180-4) of a byte string, for the page's Content-Security-Policy: the inline style
// and script are allowed by their hash rather than by 'unsafe-inline', so that even a bug in the
// escaping of OCR text could not make the browser run markup it did not come with.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace liseur::dys {

std::array<std::uint8_t, 32> sha256(std::string_view data);

// "sha256-<base64 of the digest>", the CSP source expression for `data`.
std::string cspHash(std::string_view data);

}  // namespace liseur::dys
