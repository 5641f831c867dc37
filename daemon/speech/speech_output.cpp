#include "speech/speech_output.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "core/utf8.h"

namespace liseur::speech {

std::optional<OutputMode> outputModeFromName(std::string_view name) {
  if (name == "liseur") return OutputMode::kLiseur;
  if (name == "speech-dispatcher") return OutputMode::kSpeechDispatcher;
  if (name == "auto") return OutputMode::kAuto;
  return std::nullopt;
}

std::string_view outputModeName(OutputMode mode) {
  switch (mode) {
    case OutputMode::kLiseur:
      return "liseur";
    case OutputMode::kSpeechDispatcher:
      return "speech-dispatcher";
    case OutputMode::kAuto:
      return "auto";
  }
  return "auto";
}

namespace {

std::string readSmallFile(const std::string& path, std::size_t max = 4096) {
  std::ifstream in(path, std::ios::binary);
  std::string s;
  if (!in) return s;
  s.resize(max);
  in.read(s.data(), static_cast<std::streamsize>(max));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

std::string_view baseName(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Orca is a Python program: started through its script (/usr/bin/orca) its comm is "orca"; run
// as `python3 /usr/bin/orca` the script is the interpreter's first argument.
bool isOrca(const std::string& dir) {
  std::string comm = readSmallFile(dir + "/comm", 64);
  while (!comm.empty() && (comm.back() == '\n' || comm.back() == '\0')) comm.pop_back();
  if (comm == "orca") return true;
  if (comm.rfind("python", 0) != 0) return false;
  std::string cmdline = readSmallFile(dir + "/cmdline");
  std::string_view args(cmdline);
  auto first = args.find('\0');
  if (first == std::string_view::npos) return false;
  std::string_view rest = args.substr(first + 1);
  std::string_view script = rest.substr(0, rest.find('\0'));
  return baseName(script) == "orca";
}

}  // namespace

bool screenReaderRunning(uid_t uid, const std::string& procDir) {
  DIR* d = ::opendir(procDir.c_str());
  if (!d) return false;
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    const char* name = e->d_name;
    if (!std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const std::string dir = procDir + "/" + name;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || st.st_uid != uid) continue;
    if (isOrca(dir)) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

void SsmlBuilder::openSentence() {
  if (sentenceOpen_) return;
  out_ += "<s>";
  sentenceOpen_ = true;
  afterStop_ = false;
}

void SsmlBuilder::text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    char32_t cp = 0;
    const std::size_t n = decodeUtf8(s, i, cp);
    const bool space = n == 0 || c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
                       (n == 1 && std::iscntrl(static_cast<unsigned char>(c)));
    if (space) {
      // A sentence ends at a full stop and a space: the next one gets its own element.
      if (afterStop_ && !prosody_ && sentenceOpen_) {
        out_ += "</s>";
        sentenceOpen_ = false;
      }
      afterStop_ = false;
      out_ += c == '\n' ? '\n' : ' ';
      i += n == 0 ? 1 : n;
      continue;
    }
    openSentence();
    switch (c) {
      case '&':
        out_ += "&amp;";
        break;
      case '<':
        out_ += "&lt;";
        break;
      case '>':
        out_ += "&gt;";
        break;
      case '"':
        out_ += "&quot;";
        break;
      case '\'':
        out_ += "&apos;";
        break;
      default:
        out_.append(s.substr(i, n));
    }
    afterStop_ = c == '.' || c == '!' || c == '?' || s.substr(i, n) == "\xE2\x80\xA6";
    i += n;
  }
}

void SsmlBuilder::mark(std::string_view name) {
  openSentence();
  out_ += "<mark name=\"";
  for (char c : name)
    out_ +=
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  out_ += "\"/>";
}

void SsmlBuilder::raisedPitch(bool on) {
  if (on == prosody_) return;
  if (on) {
    openSentence();
    out_ += "<prosody pitch=\"+25%\">";
  } else {
    out_ += "</prosody>";
  }
  prosody_ = on;
}

std::string SsmlBuilder::take() {
  raisedPitch(false);
  if (sentenceOpen_) out_ += "</s>";
  std::string out = "<speak>" + std::move(out_) + "</speak>";
  out_.clear();
  sentenceOpen_ = afterStop_ = prosody_ = false;
  return out;
}

}  // namespace liseur::speech
