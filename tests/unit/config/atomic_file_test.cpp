#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/atomic_file.h"
#include "support/test_env.h"

namespace liseur::config {
namespace {
namespace fs = std::filesystem;
using liseur::test::readFile;
using liseur::test::TempXdg;
using liseur::test::writeFile;

// Every entry of `dir` other than `keep`: temporary files a save must not leave behind.
std::vector<std::string> strayFiles(const std::string& dir, const std::string& keep) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != keep) out.push_back(e.path().filename().string());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + " ";
  return s.empty() ? "(none)" : s;
}

const std::string kOld = "[speech]\nrate = 120\n# the teacher's note: keep this slow\n";
const std::string kNew = "[speech]\nrate = 300\n";

TEST(AtomicFile, CreatesAFileWithMode0644) {
  TempXdg xdg;
  const std::string path = xdg.path("config/new.toml");
  Status s = atomicWriteFile(path, kNew);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(readFile(path), kNew);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(joined(strayFiles(xdg.path("config"), "new.toml")), "(none)");
}

TEST(AtomicFile, ReplacesAndKeepsTheExistingMode) {
  TempXdg xdg;
  const std::string path = xdg.path("config/p.toml");
  writeFile(path, kOld);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(atomicWriteFile(path, kNew).ok());
  EXPECT_EQ(readFile(path), kNew);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AtomicFile, ALinkedFileIsReplacedWhereItLivesAndTheLinkKept) {
  TempXdg xdg;
  fs::create_directories(xdg.path("dotfiles"));
  const std::string real = xdg.path("dotfiles/liseur.toml");
  const std::string link = xdg.path("config/liseur.toml");
  writeFile(real, kOld);
  fs::create_symlink(real, link);
  ASSERT_TRUE(atomicWriteFile(link, kNew).ok());
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(readFile(real), kNew);
  EXPECT_EQ(joined(strayFiles(xdg.path("dotfiles"), "liseur.toml")), "(none)");
}

TEST(AtomicFile, EmptyContentIsAValidSave) {
  TempXdg xdg;
  const std::string path = xdg.path("config/p.toml");
  writeFile(path, kOld);
  ASSERT_TRUE(atomicWriteFile(path, "").ok());
  EXPECT_EQ(readFile(path), "");
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingTheFile) {
  TempXdg xdg;
  const std::string path = xdg.path("nowhere/p.toml");
  Status s = atomicWriteFile(path, kNew);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(std::strerror(ENOENT)), std::string::npos) << s.error().message;
}

class AtomicFileFault : public ::testing::TestWithParam<SaveStep> {};

TEST_P(AtomicFileFault, FailureLeavesTheOldFileByteIdenticalAndNoTempFile) {
  TempXdg xdg;
  const std::string dir = xdg.path("config");
  const std::string path = dir + "/p.toml";
  writeFile(path, kOld);
  const SaveStep failAt = GetParam();
  int writes = 0;
  SaveHooks hooks;
  hooks.beforeStep = [&](SaveStep step) {
    if (step == SaveStep::kWrite) ++writes;
    // Fail the second write chunk, so some data is already in the temporary file.
    if (step == failAt && (step != SaveStep::kWrite || writes == 2)) return EIO;
    return 0;
  };
  AtomicWriteOptions options;
  options.hooks = &hooks;
  options.chunkBytes = 8;
  Status s = atomicWriteFile(path, kNew, options);
  ASSERT_FALSE(s.ok()) << "step " << saveStepName(failAt);
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_EQ(s.error().name(), "config-write-failed");
  EXPECT_NE(s.error().message.find(std::strerror(EIO)), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(std::string(saveStepName(failAt)) + " failed"),
            std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("previous file is unchanged"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(readFile(path), kOld) << "step " << saveStepName(failAt);
  EXPECT_EQ(joined(strayFiles(dir, "p.toml")), "(none)") << "step " << saveStepName(failAt);
}

INSTANTIATE_TEST_SUITE_P(EveryStepBeforeTheRename, AtomicFileFault,
                         ::testing::Values(SaveStep::kOpen, SaveStep::kWrite, SaveStep::kFsync,
                                           SaveStep::kLink, SaveStep::kRename),
                         [](const auto& info) { return std::string(saveStepName(info.param)); });

TEST(AtomicFile, DirectoryFsyncFailureIsReportedAfterTheNewContentIsInPlace) {
  TempXdg xdg;
  const std::string path = xdg.path("config/p.toml");
  writeFile(path, kOld);
  SaveHooks hooks;
  hooks.beforeStep = [](SaveStep step) { return step == SaveStep::kFsyncDir ? EIO : 0; };
  AtomicWriteOptions options;
  options.hooks = &hooks;
  Status s = atomicWriteFile(path, kNew, options);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_NE(s.error().message.find("fsync of the directory failed"), std::string::npos)
      << s.error().message;
  EXPECT_EQ(s.error().message.find("unchanged"), std::string::npos) << s.error().message;
  EXPECT_EQ(readFile(path), kNew);
  EXPECT_EQ(joined(strayFiles(xdg.path("config"), "p.toml")), "(none)");
}

TEST(AtomicFile, StaleTempOfADeadWriterIsRemovedButALiveOneIsKept) {
  TempXdg xdg;
  const std::string dir = xdg.path("config");
  const std::string path = dir + "/p.toml";
  writeFile(path, kOld);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const std::string dead = dir + "/.p.toml.tmp-" + std::to_string(child) + "-abcdef";
  const std::string live = dir + "/.p.toml.tmp-" + std::to_string(::getppid()) + "-abcdef";
  const std::string other = dir + "/.q.toml.tmp-" + std::to_string(child) + "-abcdef";
  writeFile(dead, "half");
  writeFile(live, "busy");
  writeFile(other, "not ours");
  EXPECT_TRUE(isAtomicTempName(".p.toml.tmp-1-abcdef"));
  EXPECT_FALSE(isAtomicTempName("p.toml"));
  ASSERT_TRUE(atomicWriteFile(path, kNew).ok());
  EXPECT_FALSE(fs::exists(dead)) << dead;
  EXPECT_TRUE(fs::exists(live)) << live;
  EXPECT_TRUE(fs::exists(other)) << other;
}

TEST(AtomicFile, FullFilesystemKeepsTheOldFile) {
  TempXdg xdg;
  const std::string dir = xdg.path("small");
  fs::create_directories(dir);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0)
    GTEST_SKIP() << "cannot mount a 64 KiB tmpfs on " << dir << ": " << std::strerror(errno);
  struct Unmount {
    std::string dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{dir};
  const std::string path = dir + "/p.toml";
  writeFile(path, kOld);
  ASSERT_EQ(readFile(path), kOld);

  const std::string huge(256 * 1024, '#');  // four times the filesystem
  Status s = atomicWriteFile(path, huge);
  ASSERT_FALSE(s.ok()) << "a 256 KiB save succeeded on a 64 KiB filesystem";
  EXPECT_EQ(s.error().code, ErrorCode::kConfigWriteFailed) << s.error().message;
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("(the previous file is unchanged)"), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find(std::strerror(ENOSPC)), std::string::npos) << s.error().message;
  EXPECT_EQ(readFile(path), kOld);
  EXPECT_EQ(joined(strayFiles(dir, "p.toml")), "(none)");

  // The space of the failed attempt is given back: a normal save still fits.
  Status again = atomicWriteFile(path, kNew);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(readFile(path), kNew);
}

TEST(AtomicFile, ProcessKilledMidSaveLeavesTheOldFileAndNoTemp) {
  TempXdg xdg;
  const std::string dir = xdg.path("config");
  const std::string path = dir + "/p.toml";
  writeFile(path, kOld);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    int writes = 0;
    SaveHooks hooks;
    hooks.beforeStep = [&](SaveStep step) {
      // Half the data written: tell the parent, then wait to be killed.
      if (step == SaveStep::kWrite && ++writes == 3) {
        char c = 'x';
        (void)!::write(ready[1], &c, 1);
        for (;;) ::pause();
      }
      return 0;
    };
    AtomicWriteOptions options;
    options.hooks = &hooks;
    options.chunkBytes = 4;
    (void)atomicWriteFile(path, std::string(64, 'N'), options);
    ::_exit(3);  // not reached: the parent kills us first
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1) << "the child never reached the middle of the save";
  ::close(ready[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_EQ(readFile(path), kOld);
  EXPECT_EQ(joined(strayFiles(dir, "p.toml")), "(none)");
}

}  // namespace
}  // namespace liseur::config
