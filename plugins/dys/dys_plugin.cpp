// dys: the speak and render plugin for dyspraxic and dyslexic pupils.
//
// speak: the document in short chunks a young listener can follow (dys_speak.h).
// render: the worksheet re-laid out as one self-contained offline HTML page with syllables,
// coloured lines, spacing presets, line focus, one exercise per screen and the narration with
// the word being heard highlighted (dys_render.h).
//
// Options are those of manifest.json; a render call's "options" (the profile's [view] table)
// override the ones this plugin knows and are checked the same way.
#include "dys_model.h"
#include "dys_render.h"
#include "dys_speak.h"
#include "liseur_plugin.hpp"

namespace {

using nlohmann::json;

class DysPlugin {
 public:
  explicit DysPlugin(const json& options) : options_(liseur::dys::Options::fromJson(options)) {}

  json speak(const json& document) {
    return liseur::dys::speakUtterances(liseur::dys::readDocument(document), options_);
  }

  std::string render(const json& request) {
    const json* overrides = nullptr;
    if (auto it = request.find("options"); it != request.end()) overrides = &*it;
    const liseur::dys::Options o = overrides ? options_.merged(*overrides) : options_;
    const json* narration = nullptr;
    if (auto it = request.find("narration"); it != request.end() && !it->is_null()) {
      if (!it->is_object())
        throw liseur::sdk::PluginError(LISEUR_ERR_INVALID_INPUT, "narration: expected an object");
      narration = &*it;
    }
    return liseur::dys::renderPage(liseur::dys::readDocument(request.at("document")), o, narration);
  }

 private:
  liseur::dys::Options options_;
};

}  // namespace

LISEUR_PLUGIN_EXPORT(DysPlugin, "dys", "0.1.0")
