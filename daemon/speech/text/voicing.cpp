#include "speech/text/voicing.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "config/config.h"
#include "core/paths.h"
#include "speech/text/speakable.h"
#include "speech/text/speech_chunks.h"

namespace liseur::speech {

namespace {

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\n\r") == std::string_view::npos;
}

}  // namespace

Utterance sliceUtterance(const Utterance& u, std::size_t begin, std::size_t end) {
  Utterance out;
  out.lang = u.lang;
  out.block = u.block;
  out.text = u.text.substr(begin, end - begin);
  for (const WordRef& w : u.words) {
    auto off = static_cast<std::size_t>(w.offset);
    if (off < begin || off >= end) continue;
    WordRef r = w;
    r.offset -= static_cast<int>(begin);
    r.length = std::min(r.length, static_cast<int>(end - off));
    out.words.push_back(r);
  }
  return out;
}

VoicingOptions voicingOptions(const config::Config& c) {
  VoicingOptions s;
  s.voice_fr = c.getString("speech.voice_fr");
  s.voice_en = c.getString("speech.voice_en");
  s.auto_language = c.getBool("speech.auto_language");
  const std::string& fixed = c.getString("ocr.language");
  if (fixed == "fr" || fixed == "en") {
    s.default_lang = fixed;
    s.auto_language = false;
  }
  s.rate = static_cast<int>(c.getInt("speech.rate"));
  s.pitch = static_cast<int>(c.getInt("speech.pitch"));
  s.volume = static_cast<int>(c.getInt("speech.volume"));
  s.word_gap = static_cast<int>(c.getInt("speech.word_gap"));
  s.punctuation = c.getString("speech.punctuation");
  // Keys the configuration sets itself win over the values of a voice preset.
  auto isSet = [&c](std::string_view key) {
    const config::Setting* v = c.find(key);
    return v && v->origin.kind != config::Origin::Kind::kDefault;
  };
  s.rate_set = isSet("speech.rate");
  s.pitch_set = isSet("speech.pitch");
  s.volume_set = isSet("speech.volume");
  s.word_gap_set = isSet("speech.word_gap");
  s.punctuation_set = isSet("speech.punctuation");
  s.doubtful_threshold = static_cast<int>(c.getInt("speech.doubtful_threshold"));
  s.doubtful_signal = c.getString("speech.doubtful_signal");
  return s;
}

void Voicing::configure(VoicingOptions options, const std::function<void(const Error&)>& problem) {
  namespace fs = std::filesystem;
  opts_ = std::move(options);
  const std::string dir = opts_.voices_dir.empty() ? shippedVoicesDir() : opts_.voices_dir;
  VoicePresets presets;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto p = loadVoicePreset(f.string());
    if (!p) {
      if (problem) problem(p.error());
      continue;
    }
    presets[p->name] = std::move(p).value();
  }
  presets_ = std::move(presets);
  for (const std::string lang : {"fr", "en"}) {
    auto lex = opts_.voices_dir.empty()
                   ? loadLexiconForLanguage(lang)
                   : loadLexiconForLanguage(lang, opts_.voices_dir, userConfigDir());
    if (!lex) {
      if (problem) problem(lex.error());  // the last good lexicon of that language stays
      continue;
    }
    lexicons_[lang] = std::move(lex).value();
  }
}

VoiceChoice Voicing::choose(const std::string& lang) const {
  VoiceChoice v;
  v.lang = opts_.auto_language && !lang.empty() ? lang : opts_.default_lang;
  if (v.lang != "en") v.lang = "fr";
  const std::string& name = v.lang == "en" ? opts_.voice_en : opts_.voice_fr;
  v.voice = name;
  v.rate = opts_.rate, v.pitch = opts_.pitch, v.volume = opts_.volume, v.word_gap = opts_.word_gap;
  if (!parsePunctuationLevel(opts_.punctuation, v.punctuation))
    v.punctuation = PunctuationLevel::kSome;
  if (auto it = presets_.find(name); it != presets_.end()) {
    const VoicePreset& p = it->second;
    v.voice = p.espeakVoice();
    v.preset = p.name;
    if (!opts_.rate_set) v.rate = p.rate;
    if (!opts_.pitch_set) v.pitch = p.pitch;
    if (!opts_.volume_set) v.volume = p.volume;
    if (!opts_.word_gap_set) v.word_gap = p.word_gap;
    if (!opts_.punctuation_set) v.punctuation = p.punctuation;
  }
  return v;
}

std::vector<SpokenChunk> Voicing::chunks(const Utterance& utterance, const Document& document,
                                         bool literal) const {
  const VoiceChoice v = choose(utterance.lang);
  Utterance spoken;
  if (literal) {
    spoken = utterance;
  } else {
    SpeakOptions so;
    so.punctuation = v.punctuation;
    auto lex = lexicons_.find(v.lang);
    so.lexicon = lex == lexicons_.end() || lex->second.empty() ? nullptr : &lex->second;
    so.lang = v.lang;
    spoken = makeSpeakable(utterance, so);
  }
  std::vector<SpokenChunk> out;
  const bool tone = opts_.doubtful_signal == "tone", pitch = opts_.doubtful_signal == "pitch";
  const auto threshold = static_cast<float>(opts_.doubtful_threshold);
  for (Utterance& chunk : splitUtterance(spoken, kChunkBytes)) {
    if (blank(chunk.text)) continue;
    std::vector<int> doubtful;
    if (tone || pitch) doubtful = doubtfulWords(chunk, document, threshold);
    auto push = [&](Utterance&& u, int shift, bool endPause, std::vector<int> offsets) {
      if (blank(u.text)) return;
      SpokenChunk c;
      c.u = std::move(u);
      c.lang = v.lang;
      c.literal = literal;
      c.pitchShift = shift;
      c.endPause = endPause;
      c.doubtful = std::move(offsets);
      out.push_back(std::move(c));
    };
    if (doubtful.empty() || tone) {
      std::vector<int> offsets;
      for (int i : doubtful) offsets.push_back(chunk.words[i].offset);
      push(std::move(chunk), 0, true, std::move(offsets));
      continue;
    }
    // Pitch: the doubtful words are said apart, higher (lower for a high voice), with no
    // sentence pause between the pieces.
    const int shift =
        v.pitch + kDoubtfulPitchShift <= 99 ? kDoubtfulPitchShift : -kDoubtfulPitchShift;
    const std::size_t before = out.size();
    std::size_t at = 0;
    for (int i : doubtful) {
      const WordRef& w = chunk.words[i];
      const auto b = static_cast<std::size_t>(w.offset), e = b + static_cast<std::size_t>(w.length);
      if (b < at) continue;
      if (b > at) push(sliceUtterance(chunk, at, b), 0, false, {});
      push(sliceUtterance(chunk, b, e), shift, false, {});
      at = e;
    }
    if (at < chunk.text.size())
      push(sliceUtterance(chunk, at, chunk.text.size()), 0, true, {});
    else if (out.size() > before)
      out.back().endPause = true;
  }
  return out;
}

nlohmann::json speakRequest(const SpokenChunk& chunk, const VoiceChoice& v, uint64_t gen, int utt) {
  nlohmann::json req{{"op", "speak"},      {"gen", gen},
                     {"utt", utt},         {"voice", v.voice},
                     {"rate", v.rate},     {"pitch", std::clamp(v.pitch + chunk.pitchShift, 0, 99)},
                     {"volume", v.volume}, {"wordgap", v.word_gap}};
  if (!chunk.endPause) req["end_pause"] = false;
  return req;
}

std::vector<int16_t> doubtfulTone(int sampleRate) {
  const int n = sampleRate * 45 / 1000, edge = sampleRate * 5 / 1000, gap = sampleRate * 35 / 1000;
  std::vector<int16_t> out(static_cast<std::size_t>(n + gap), 0);
  constexpr double kPi = 3.14159265358979323846;
  for (int i = 0; i < n; ++i) {
    double env = 1.0;
    if (i < edge) env = 0.5 - 0.5 * std::cos(kPi * i / edge);
    if (i >= n - edge) env = 0.5 - 0.5 * std::cos(kPi * (n - 1 - i) / edge);
    out[i] =
        static_cast<int16_t>(std::lround(7000 * env * std::sin(2 * kPi * 1200.0 * i / sampleRate)));
  }
  return out;
}

void ChunkAudio::pcm(const int16_t* in, std::size_t n, const std::vector<int16_t>& tone,
                     const std::function<void(const int16_t*, std::size_t)>& out) {
  auto give = [&out](const int16_t* p, std::size_t k) {
    if (k) out(p, k);  // an empty frame's data() may be null: nothing from it
  };
  std::size_t i = 0;
  while (!tones_.empty() && tones_.front() < workerSamples_ + n) {
    const auto cut =
        static_cast<std::size_t>(std::max(tones_.front(), workerSamples_) - workerSamples_);
    give(in + i, cut - i);
    i = cut;
    give(tone.data(), tone.size());
    added_ += tone.size();
    tones_.pop_front();
  }
  give(in + i, n - i);
  workerSamples_ += n;
}

ChunkAudio::Mark ChunkAudio::mark(const SpokenChunk& chunk, int offset, uint64_t sample,
                                  std::size_t toneSamples) {
  Mark m;
  const Utterance& u = chunk.u;
  // A mark belongs to the ref whose [offset, offset + length) holds it.
  for (std::size_t k = 0; k < u.words.size(); ++k) {
    const WordRef& w = u.words[k];
    if (w.length > 0 && offset >= w.offset && offset < w.offset + w.length) {
      m.ref = static_cast<int>(k);
      break;
    }
  }
  if (m.ref >= 0 && m.ref == lastRef_) {
    m.repeat = true;
    return m;
  }
  if (m.ref >= 0) lastRef_ = m.ref;
  if (m.ref >= 0 && std::find(chunk.doubtful.begin(), chunk.doubtful.end(),
                              u.words[m.ref].offset) != chunk.doubtful.end())
    tones_.push_back(std::max(sample, workerSamples_));
  // Every tone waiting comes before this word (marks come in sample order).
  m.at = sample + added_ + tones_.size() * toneSamples;
  return m;
}

}  // namespace liseur::speech
