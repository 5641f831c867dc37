// liseur-ocr-lab: prints the text of one image in reading order, recognised by OcrEngine in this
// process. A development tool for measuring recognition quality with ../shared/bench/ocr_eval.py:
//
//   ocr_eval.py --corpus corpus-dev --cmd 'liseur-ocr-lab {img}'
//
// Options: --json (the document), --timings (stage times on stderr), --mode auto|screen|block|line,
// --lang eng+fra.
#include <leptonica/allheaders.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ocr/image_loader.h"
#include "ocr/ocr_engine.h"

int main(int argc, char** argv) {
  // libgomp reads OMP_THREAD_LIMIT when it is loaded, before main: set it and start again.
  if (!std::getenv("OMP_THREAD_LIMIT")) {
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    std::perror("execv");
    return 1;
  }
  CLI::App app{"Print the text of an image in reading order (liseur OCR engine)"};
  std::string path, lang = "eng+fra", mode_name = "auto";
  bool json = false, timings = false;
  int readers = 1;
  app.add_option("image", path, "image file")->required();
  app.add_option("--lang", lang, "Tesseract models");
  app.add_option("--mode", mode_name, "auto | screen | block | line")
      ->check(CLI::IsMember({"auto", "screen", "block", "line"}));
  app.add_flag("--json", json, "print the document as JSON");
  app.add_flag("--timings", timings, "print stage times on stderr");
  app.add_option("--readers", readers, "1, or 2 to read a screen's blocks on two threads")
      ->check(CLI::Range(1, 2));
  int repeat = 1;
  app.add_option("--repeat", repeat,
                 "recognise the image this many times (timings of each; the text of the last): "
                 "the first run of a worker pays one-time set-ups the others do not")
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  // CPU time of this process: on a loaded 2-core machine it tells the work done apart from the
  // time spent waiting for a core.
  auto cpuMs = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  };
  auto t0 = std::chrono::steady_clock::now();
  auto engine = liseur::ocr::OcrEngine::create(lang, readers);
  if (!engine.ok()) {
    std::cerr << engine.error().name() << ": " << engine.error().message << "\n";
    return 1;
  }
  // The second reader loads in the background; the lab measures the warm engine.
  while ((*engine)->readers() < readers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto t_init = std::chrono::steady_clock::now();
  // The worker's own loader: header checks, normalisation and the EXIF orientation.
  auto loaded = liseur::ocr::loadImageFile(path);
  if (!loaded.ok()) {
    std::cerr << loaded.error().name() << ": " << loaded.error().message << "\n";
    return 1;
  }
  Pix* pix = loaded->release();
  liseur::ocr::RecogniseMode mode = liseur::ocr::RecogniseMode::kAuto;
  if (mode_name == "block") mode = liseur::ocr::RecogniseMode::kBlock;
  if (mode_name == "line") mode = liseur::ocr::RecogniseMode::kLine;
  if (mode_name == "screen") mode = liseur::ocr::RecogniseMode::kScreen;

  for (int run = 1; run <= repeat; ++run) {
    const bool last = run == repeat;
    liseur::Document doc;
    doc.source = path;
    double first_block_ms = -1;
    auto t_start = std::chrono::steady_clock::now();
    const double cpu_start = cpuMs();
    liseur::ocr::RecogniseCallbacks cb;
    cb.on_layout = [&](int w, int h, int) {
      doc.width = w;
      doc.height = h;
    };
    cb.on_block = [&](liseur::Block&& block) {
      if (first_block_ms < 0)
        first_block_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_start)
                .count();
      if (!json && last) {
        if (!doc.blocks.empty()) std::cout << "\n";
        std::cout << block.text() << "\n" << std::flush;
      }
      doc.blocks.push_back(std::move(block));
    };
    std::atomic<bool> cancelled{false};
    auto r = (*engine)->recognise(pix, mode, cb, cancelled);
    const double cpu_recognise = cpuMs() - cpu_start;
    const double wall_recognise =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_start)
            .count();
    if (last) pixDestroy(&pix);
    if (!r.ok()) {
      std::cerr << r.error().name() << ": " << r.error().message << "\n";
      if (!last) pixDestroy(&pix);
      return 1;
    }
    if (json && last) std::cout << liseur::toJson(doc).dump(2) << "\n";
    if (timings) {
      auto ms = [](auto a, auto b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
      };
      std::fprintf(
          stderr,
          "init %.1f ms, preprocess %.1f ms, layout %.1f ms, recognise %.1f ms, first block "
          "%.1f ms, blocks %zu, warm total %.1f ms (cpu %.1f ms)\n",
          ms(t0, t_init), r->preprocess_ms, r->layout_ms, r->recognise_ms, first_block_ms,
          doc.blocks.size(), wall_recognise, cpu_recognise);
    }
  }
  return 0;
}
