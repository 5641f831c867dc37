// SHA-256 (FIPS 180-4) of a byte string, for the page's Content-Security-Policy: the inline style
// and script are allowed by their hash rather than by 'unsafe-inline', so that even a bug in the
// escaping of OCR text could not make the browser run markup it did not come with. And base64, for
// the hashes and the bytes the page carries (the syllable splitter's WebAssembly).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace liseur::dys {

std::array<std::uint8_t, 32> sha256(std::string_view data);

// Standard base64 (RFC 4648, with padding).
std::string base64(std::string_view bytes);

// "sha256-<base64 of the digest>", the CSP source expression for `data`.
std::string cspHash(std::string_view data);

}  // namespace liseur::dys
