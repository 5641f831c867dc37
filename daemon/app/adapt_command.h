// `liseur adapt FILE... [--profile NAME] -o OUT.html [--no-narration] [--json]`: images or PDFs
// made into one self-contained HTML view with its narration, by control/adapt_job.h, without
// liseurd. Several files (a worksheet photographed page by page), a multi-page TIFF and a PDF's
// pages make one page, the sheets one after the other.
//
// The profile is read like the daemon reads it (config_store.h layers, with NAME active instead
// of daemon.profile; the active profile without --profile). An unknown NAME fails with the list
// of profiles; a profile with errors fails with every error (file, line, key). Warnings (a plugin
// skipped, a sentence espeak-ng refused) go to stderr as "liseur: warning: CODE: message" and the
// page is still written. stdout gets one summary line, or with --json the report of
// adapt::reportJson (the adapted document, the narration's word timings, the warnings, timings).
// Exit status: 0 written, 1 error ("liseur: CODE: message" on stderr).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace liseur::app {

class AdaptCommand {
 public:
  // Adds the `adapt` subcommand to `app`.
  explicit AdaptCommand(CLI::App& app);

  bool parsed() const { return sub_->parsed(); }
  int run();

 private:
  CLI::App* sub_ = nullptr;
  std::vector<std::string> files_;
  std::string profile_, output_;
  bool noNarration_ = false;
  int ocrWorkers_ = 0;
  bool json_ = false;
};

}  // namespace liseur::app
