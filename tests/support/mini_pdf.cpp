#include "support/mini_pdf.h"

#include <cstdio>
#include <map>

namespace liseur::test {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// UTF-8 to WinAnsiEncoding bytes, escaped for a PDF literal string.
std::string winAnsi(const std::string& utf8) {
  static const std::map<unsigned, unsigned char> special = {
      {0x152, 0x8C},  {0x153, 0x9C},  {0x2019, 0x92}, {0x2018, 0x91},
      {0x201C, 0x93}, {0x201D, 0x94}, {0x2013, 0x96}, {0x2014, 0x97},
      {0x2026, 0x85}, {0x20AC, 0x80}, {0x2022, 0x95}};
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = utf8[i];
    unsigned cp = c;
    int n = 1;
    if (c >= 0xF0)
      cp = c & 0x07, n = 4;
    else if (c >= 0xE0)
      cp = c & 0x0F, n = 3;
    else if (c >= 0xC0)
      cp = c & 0x1F, n = 2;
    for (int k = 1; k < n && i + k < utf8.size(); ++k) cp = cp << 6 | (utf8[i + k] & 0x3F);
    i += n;
    unsigned char b = '?';
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
      b = static_cast<unsigned char>(cp);
    else if (auto it = special.find(cp); it != special.end())
      b = it->second;
    if (b == '(' || b == ')' || b == '\\') out += '\\';
    out += static_cast<char>(b);
  }
  return out;
}

}  // namespace

void MiniPdf::textPage(const std::vector<Text>& texts, const std::vector<Rule>& rules, double width,
                       double height) {
  Page p;
  p.width = width;
  p.height = height;
  for (const auto& t : texts)
    p.content += "BT /F1 " + num(t.size) + " Tf " + num(t.x) + " " + num(height - t.y) + " Td (" +
                 winAnsi(t.utf8) + ") Tj ET\n";
  for (const auto& r : rules)
    p.content += std::string("1 w 0 0 0 RG ") + (r.dotted ? "[1 3] 0 d " : "[] 0 d ") + num(r.x0) +
                 " " + num(height - r.y0) + " m " + num(r.x1) + " " + num(height - r.y1) + " l S\n";
  pages_.push_back(std::move(p));
}

void MiniPdf::imagePage(const std::string& jpeg, int pixelWidth, int pixelHeight, double width,
                        double height) {
  Page p;
  p.width = width;
  p.height = height;
  p.jpeg = jpeg;
  p.pw = pixelWidth;
  p.ph = pixelHeight;
  p.content = "q " + num(width) + " 0 0 " + num(height) + " 0 0 cm /Im1 Do Q\n";
  pages_.push_back(std::move(p));
}

std::string MiniPdf::bytes() const {
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  auto object = [&](const std::string& body) {
    offsets.push_back(out.size());
    out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  // 1 catalog, 2 pages, 3 font; then per page: page, contents, [image].
  std::vector<int> pageIds;
  int next = 4;
  for (const auto& p : pages_) {
    pageIds.push_back(next);
    next += p.jpeg.empty() ? 2 : 3;
  }
  object("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (int id : pageIds) kids += std::to_string(id) + " 0 R ";
  object("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages_.size()) + " >>");
  object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    const Page& p = pages_[i];
    const int id = pageIds[i];
    std::string resources = "/Font << /F1 3 0 R >>";
    if (!p.jpeg.empty()) resources += " /XObject << /Im1 " + std::to_string(id + 2) + " 0 R >>";
    object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + num(p.width) + " " + num(p.height) +
           "] /Resources << " + resources + " >> /Contents " + std::to_string(id + 1) + " 0 R >>");
    object("<< /Length " + std::to_string(p.content.size()) + " >>\nstream\n" + p.content +
           "\nendstream");
    if (!p.jpeg.empty())
      object("<< /Type /XObject /Subtype /Image /Width " + std::to_string(p.pw) + " /Height " +
             std::to_string(p.ph) +
             " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length " +
             std::to_string(p.jpeg.size()) + " >>\nstream\n" + p.jpeg + "\nendstream");
  }
  const std::size_t xref = out.size();
  out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace liseur::test
