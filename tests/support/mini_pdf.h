// Small PDF files written by the tests themselves, so each test shows what its PDF holds: pages of
// text (Helvetica, WinAnsi encoding: French accents, œ, ’, •), ruled answer lines (solid or dotted)
// and pages that are a scan (one JPEG drawn over the whole page, no text). Coordinates are PDF
// points (1/72 inch) from the page's top-left corner, as a reader sees the page.
#pragma once

#include <string>
#include <vector>

namespace liseur::test {

class MiniPdf {
 public:
  struct Text {
    double x = 72, y = 72;  // the baseline's start
    double size = 12;       // points
    std::string utf8;       // characters outside WinAnsi become '?'
  };
  struct Rule {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool dotted = false;
  };
  // A page (A4 unless told) with text and rules.
  void textPage(const std::vector<Text>& texts, const std::vector<Rule>& rules = {},
                double width = 595, double height = 842);
  // A scanned page: the JPEG (its size in pixels) fills the page; no text layer.
  void imagePage(const std::string& jpeg, int pixelWidth, int pixelHeight, double width = 595,
                 double height = 842);
  // The whole file, with its cross-reference table.
  std::string bytes() const;

 private:
  struct Page {
    std::string content;
    std::string jpeg;
    int pw = 0, ph = 0;
    double width = 595, height = 842;
  };
  std::vector<Page> pages_;
};

}  // namespace liseur::test
