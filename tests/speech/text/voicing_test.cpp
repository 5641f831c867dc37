// Voicing: the profile's speech keys made into chunks, voices and the doubtful-word signals (the
// one place the daemon and `liseur adapt` share), and ChunkAudio's tones and word positions.
#include "speech/text/voicing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_env.h"

namespace liseur::speech {
namespace {

namespace fs = std::filesystem;

// A document of one block, one line: the words with their confidences.
Document page(const std::vector<std::pair<std::string, float>>& words, const std::string& lang) {
  Document d;
  Block b;
  b.lang = lang;
  Line l;
  for (const auto& [text, conf] : words) {
    Word w;
    w.text = text;
    w.confidence = conf;
    l.words.push_back(w);
  }
  b.lines.push_back(l);
  d.blocks.push_back(b);
  return d;
}

// The block's words joined by spaces, one ref each.
Utterance utteranceOf(const Document& d) {
  Utterance u;
  u.lang = d.blocks[0].lang;
  u.block = 0;
  const auto& words = d.blocks[0].lines[0].words;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (!u.text.empty()) u.text += ' ';
    u.words.push_back(WordRef{static_cast<int>(u.text.size()),
                              static_cast<int>(words[i].text.size()), 0, 0, static_cast<int>(i)});
    u.text += words[i].text;
  }
  return u;
}

class VoicingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path("voices"));
    std::ofstream(dir_.path("voices/slow.toml")) << "language = \"fr\"\nstyle = \"child\"\n"
                                                    "voice = \"fr\"\nvariant = \"f3\"\n"
                                                    "rate = 120\npitch = 60\nvolume = 90\n"
                                                    "word_gap = 4\npunctuation = \"all\"\n";
    std::ofstream(dir_.path("voices/broken.toml")) << "language = \"fr\"\nrate = 9000\n";
    std::ofstream(dir_.path("voices/lexicon-fr.txt")) << "M. = Monsieur\n";
  }
  Voicing make(VoicingOptions o) {
    o.voices_dir = dir_.path("voices");
    Voicing v;
    v.configure(o, [this](const Error& e) { problems_.push_back(e.message); });
    return v;
  }
  liseur::test::TempXdg dir_;
  std::vector<std::string> problems_;
};

TEST_F(VoicingTest, APresetGivesItsSettingsUnlessTheProfileSetsThem) {
  VoicingOptions o;
  o.voice_fr = "slow";
  VoiceChoice v = make(o).choose("fr");
  EXPECT_EQ(v.voice, "fr+f3");
  EXPECT_EQ(v.preset, "slow");
  EXPECT_EQ(v.rate, 120);
  EXPECT_EQ(v.pitch, 60);
  EXPECT_EQ(v.volume, 90);
  EXPECT_EQ(v.word_gap, 4);
  EXPECT_EQ(v.punctuation, PunctuationLevel::kAll);
  // The broken preset is named, not used.
  ASSERT_EQ(problems_.size(), 1u);
  EXPECT_NE(problems_[0].find("broken.toml"), std::string::npos) << problems_[0];

  o.rate = 200;
  o.rate_set = true;
  o.punctuation = "none";
  o.punctuation_set = true;
  v = make(o).choose("fr");
  EXPECT_EQ(v.rate, 200);
  EXPECT_EQ(v.pitch, 60);
  EXPECT_EQ(v.punctuation, PunctuationLevel::kNone);
}

TEST_F(VoicingTest, TheLanguageChoosesTheVoiceUnlessOneVoiceIsForAll) {
  VoicingOptions o;
  o.voice_fr = "fr";
  o.voice_en = "en-us";
  Voicing v = make(o);
  EXPECT_EQ(v.choose("en").voice, "en-us");
  EXPECT_EQ(v.choose("fr").voice, "fr");
  EXPECT_EQ(v.choose("de").lang, "fr");  // neither: French, the default
  EXPECT_EQ(v.choose("").voice, "fr");
  o.auto_language = false;
  o.default_lang = "en";
  v = make(o);
  EXPECT_EQ(v.choose("fr").voice, "en-us");
}

TEST_F(VoicingTest, ChunksAreSentencesOfAtMost400BytesWithTheirRefs) {
  std::vector<std::pair<std::string, float>> words;
  for (int s = 0; s < 30; ++s)
    for (const char* w : {"Le", "petit", "chat", "dort", "au", "soleil", "du", "matin."})
      words.push_back({w, 95});
  const Document d = page(words, "fr");
  const std::vector<SpokenChunk> chunks = make({}).chunks(utteranceOf(d), d, false);
  ASSERT_GT(chunks.size(), 1u);
  std::size_t refs = 0;
  for (const SpokenChunk& c : chunks) {
    EXPECT_LE(c.u.text.size(), kChunkBytes);
    EXPECT_EQ(c.lang, "fr");
    EXPECT_TRUE(c.endPause);
    EXPECT_TRUE(c.doubtful.empty());  // every word is sure
    for (const WordRef& w : c.u.words)
      EXPECT_EQ(c.u.text.substr(w.offset, w.length), d.blocks[0].lines[0].words[w.word].text);
    refs += c.u.words.size();
  }
  EXPECT_EQ(refs, words.size());
}

TEST_F(VoicingTest, ADoubtfulWordGetsATonePlaceOrIsSaidApartHigher) {
  const Document d = page({{"Le", 95}, {"chqt", 20}, {"dort.", 95}}, "fr");
  VoicingOptions o;
  o.doubtful_threshold = 60;
  o.doubtful_signal = "tone";
  std::vector<SpokenChunk> c = make(o).chunks(utteranceOf(d), d, false);
  ASSERT_EQ(c.size(), 1u);
  ASSERT_EQ(c[0].doubtful.size(), 1u);
  EXPECT_EQ(c[0].u.text.substr(c[0].doubtful[0], 4), "chqt");

  o.doubtful_signal = "pitch";
  c = make(o).chunks(utteranceOf(d), d, false);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[1].u.text, "chqt");
  EXPECT_EQ(c[1].pitchShift, kDoubtfulPitchShift);
  EXPECT_FALSE(c[0].endPause);  // no sentence pause inside the sentence
  EXPECT_FALSE(c[1].endPause);
  EXPECT_TRUE(c[2].endPause);
  EXPECT_EQ(speakRequest(c[1], make(o).choose("fr"), 7, 3)["pitch"], 50 + kDoubtfulPitchShift);
  EXPECT_EQ(speakRequest(c[1], make(o).choose("fr"), 7, 3)["end_pause"], false);

  o.doubtful_signal = "none";
  c = make(o).chunks(utteranceOf(d), d, false);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].doubtful.empty());
}

TEST_F(VoicingTest, LiteralTextIsNotMadeSpeakable) {
  const Document d = page({{"M.", 95}, {"Dupont", 95}}, "fr");
  EXPECT_EQ(make({}).chunks(utteranceOf(d), d, true)[0].u.text, "M. Dupont");
  EXPECT_EQ(make({}).chunks(utteranceOf(d), d, false)[0].u.text, "Monsieur Dupont");
}

// The tone goes in just before the doubtful word's first sample; the word's position counts it,
// a repeated mark (an expansion) is one word.
TEST(ChunkAudio, TheToneGoesJustBeforeTheDoubtfulWord) {
  SpokenChunk c;
  c.u.text = "Le chqt dort";
  c.u.words = {{0, 2, 0, 0, 0}, {3, 4, 0, 0, 1}, {8, 4, 0, 0, 2}};
  c.doubtful = {3};
  const std::vector<int16_t> tone(5, 7);
  ChunkAudio a;
  std::vector<int16_t> out;
  auto give = [&out](const int16_t* p, std::size_t n) { out.insert(out.end(), p, p + n); };
  std::vector<int16_t> pcm(10);
  for (int i = 0; i < 10; ++i) pcm[i] = static_cast<int16_t>(100 + i);

  EXPECT_EQ(a.mark(c, 0, 0, tone.size()).at, 0u);
  const ChunkAudio::Mark m = a.mark(c, 3, 4, tone.size());
  EXPECT_EQ(m.ref, 1);
  EXPECT_EQ(m.at, 4u + tone.size());  // after its tone
  EXPECT_TRUE(a.mark(c, 5, 5, tone.size()).repeat);
  a.pcm(pcm.data(), 6, tone, give);
  const ChunkAudio::Mark last = a.mark(c, 8, 8, tone.size());
  EXPECT_EQ(last.at, 8u + tone.size());
  a.pcm(pcm.data() + 6, 4, tone, give);
  const std::vector<int16_t> expected{100, 101, 102, 103, 7,   7,   7,  7,
                                      7,   104, 105, 106, 107, 108, 109};
  EXPECT_EQ(out, expected);
  EXPECT_EQ(a.samples(), 15u);
  EXPECT_EQ(a.added(), 5u);
  EXPECT_EQ(a.mark(c, -1, 9, tone.size()).ref, -1);
}

TEST(ChunkAudio, TheToneIsMadeWithoutAClick) {
  const std::vector<int16_t> t = doubtfulTone(22050);
  ASSERT_EQ(t.size(), static_cast<std::size_t>(22050 * 45 / 1000 + 22050 * 35 / 1000));
  EXPECT_EQ(t.front(), 0);
  EXPECT_LT(std::abs(t[22050 * 45 / 1000 - 1]), 200);
  int16_t peak = 0;
  for (int16_t s : t) peak = std::max<int16_t>(peak, static_cast<int16_t>(std::abs(s)));
  EXPECT_GT(peak, 6000);
}

}  // namespace
}  // namespace liseur::speech
