// liseur_html.hpp: small helpers for plugins that render HTML (the render hook). Header-only,
// standard library only; part of the plugin SDK. The daemon uses it too (the profile card).
//
//   escape(text)           text for an HTML element or a quoted attribute: & < > " ' escaped
//   escapeTo(out, text)    the same, appended to `out`
//   cssFontName(font)      a font family name safe inside CSS double quotes (letters, digits,
//                          spaces and '-' kept; "DejaVu Sans" when nothing is left)
//   number(value, digits)  a number for CSS, at most `digits` significant digits ("%.Ng")
#ifndef LISEUR_HTML_HPP
#define LISEUR_HTML_HPP

#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

namespace liseur::sdk::html {

inline void escapeTo(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

inline std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  escapeTo(out, text);
  return out;
}

inline std::string cssFontName(std::string_view font) {
  std::string out;
  for (char c : font)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-') out += c;
  return out.empty() ? "DejaVu Sans" : out;
}

inline std::string number(double value, int digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, value);
  return buf;
}

}  // namespace liseur::sdk::html

#endif  // LISEUR_HTML_HPP
