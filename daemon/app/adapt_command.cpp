#include "app/adapt_command.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "app/manual.h"
#include "config/config_store.h"
#include "config/diagnostic.h"
#include "control/adapt_job.h"

namespace liseur::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int fail(const Error& e) {
  std::cerr << "liseur: " << e.name() << ": " << e.message << "\n";
  return 1;
}

void warn(const Error& e) {
  std::cerr << "liseur: warning: " << e.name() << ": " << e.message << "\n";
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

}  // namespace

AdaptCommand::AdaptCommand(CLI::App& app) {
  sub_ = app.add_subcommand(
      "adapt",
      "Make images or a PDF into one HTML page to read and hear, offline (no daemon needed)");
  sub_->add_option("FILE", files_,
                   "Image or PDF files (a photographed or scanned worksheet, a teacher's PDF, a "
                   "screenshot); several files, a multi-page TIFF or PDF make one page, the "
                   "sheets one after the other")
      ->required()
      ->check(completes(Complete::kFiles));
  sub_->add_option("--profile", profile_,
                   "Profile whose plugins, view and voice to use (default: the active one)")
      ->check(completes(Complete::kProfiles));
  sub_->add_option("-o,--output", output_, "The HTML file to write")
      ->required()
      ->check(completes(Complete::kFiles));
  sub_->add_flag("--no-narration", noNarration_, "No audio: the text only");
  sub_->add_option("--ocr-workers", ocrWorkers_,
                   "Pages recognised side by side: 1 or 2 (default: 2 for several pages on a "
                   "machine of two cores or more; each takes about 150 MB)")
      ->check(CLI::Range(1, 2));
  sub_->add_flag("--json", json_,
                 "Print a JSON report: the adapted document, word timings, warnings, timings");
}

int AdaptCommand::run() {
  // The report is ours to print: library logs would repeat the warnings (and must never reach
  // stdout, which --json owns). The workers say only what matters.
  if (!std::getenv("LISEUR_LOG")) {
    spdlog::set_level(spdlog::level::off);
    ::setenv("LISEUR_LOG", "error", 1);
  }
  const config::ConfigDirs dirs = config::ConfigDirs::standard();
  config::BuildOptions bo;
  if (!profile_.empty()) {
    if (!config::findProfile(dirs, profile_)) {
      std::string names;
      for (const auto& n : config::profileNames(dirs)) names += (names.empty() ? "" : ", ") + n;
      return fail(makeError(ErrorCode::kFileNotFound,
                            "no profile named '" + profile_ + "'; the profiles are: " +
                                (names.empty() ? "(none)" : names) + " (see liseur profile list)"));
    }
    bo.profile = profile_;
  }
  config::BuildResult built = config::buildConfig(dirs, bo);
  if (!built.ok()) return fail(config::diagnosticsError(built.diagnostics));
  for (const auto& d : built.diagnostics)
    if (!d.isError()) std::cerr << "liseur: warning: " << d.toString() << "\n";

  adapt::AdaptOptions o;
  for (const auto& f : files_) o.images.push_back(absolute(f));
  o.output = absolute(output_);
  o.narration = !noNarration_;
  o.ocr_workers = ocrWorkers_;
  o.config = built.config;
  o.warn = warn;
  auto report = adapt::runAdapt(o);
  if (!report) return fail(report.error());

  if (json_) {
    std::cout
        << adapt::reportJson(*report, o.output).dump(2, ' ', false, json::error_handler_t::replace)
        << "\n";
  } else {
    std::size_t words = 0;
    for (const auto& b : report->adapted.blocks)
      for (const auto& l : b.lines) words += l.words.size();
    std::cout << o.output << ": " << report->adapted.blocks.size() << " blocks, " << words
              << " words";
    if (report->sample_rate && report->samples)
      std::cout << ", " << std::lround(double(report->samples) / report->sample_rate)
                << " s of narration";
    std::cout << " (profile " << built.config->profileName() << ", view by "
              << report->render_plugin << ")\n";
  }
  return std::cout.flush() ? 0 : 1;
}

}  // namespace liseur::app
