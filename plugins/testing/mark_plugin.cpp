// test-mark: a well-behaved plugin for the host tests, built with the C++ helper. adapt appends a
// text block holding one word (option "word"), so a test sees which plugins of a chain ran; speak
// says that word; render returns a tiny page. With option "throw" set, every hook throws, to
// show that exceptions stop at the boundary.
#include <stdexcept>

#include "liseur_plugin.hpp"

namespace {

class Mark {
 public:
  explicit Mark(const nlohmann::json& o)
      : word_(o.value("word", "mark")), throw_(o.value("throw", false)) {}

  nlohmann::json adapt(nlohmann::json doc) {
    if (throw_) throw std::runtime_error("test-mark was asked to throw");
    nlohmann::json word{{"text", word_}, {"box", {0, 0, 0, 0}}, {"conf", 100}, {"lang", ""}};
    doc["blocks"].push_back({{"index", doc["blocks"].size()},
                             {"kind", "text"},
                             {"box", {0, 0, 0, 0}},
                             {"lang", ""},
                             {"conf", 100},
                             {"lines", {{{"box", {0, 0, 0, 0}}, {"words", {word}}}}}});
    return doc;
  }

  nlohmann::json speak(const nlohmann::json& doc) {
    if (throw_) throw std::runtime_error("test-mark was asked to throw");
    (void)doc;
    return nlohmann::json::array(
        {{{"text", word_}, {"lang", "fr"}, {"block", -1}, {"words", nlohmann::json::array()}}});
  }

  std::string render(const nlohmann::json& request) {
    if (throw_) throw std::runtime_error("test-mark was asked to throw");
    return "<p>" + word_ + " " + std::to_string(request["document"]["blocks"].size()) + "</p>";
  }

 private:
  std::string word_;
  bool throw_;
};

}  // namespace

LISEUR_PLUGIN_EXPORT(Mark, "test-mark", "0.0.1")
