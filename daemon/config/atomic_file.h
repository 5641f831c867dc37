// Atomic file replacement: a reader (or a crash, or a full disk) sees either the whole old file
// or the whole new one, never a mix, and no temporary file is left behind.
//
// The new content goes to an unnamed file in the target's directory (O_TMPFILE; a named
// ".NAME.tmp-PID-XXXXXX" where the filesystem lacks it), is written and fsync'ed, given a
// temporary name, renamed over the target, and the directory is fsync'ed. A process killed
// while writing leaves nothing (an unnamed file vanishes with its descriptor); one killed in
// the instant between naming and renaming leaves a temporary name that the next save of the
// same file removes.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace liseur::config {

enum class SaveStep { kOpen, kWrite, kFsync, kLink, kRename, kFsyncDir };
std::string_view saveStepName(SaveStep step);  // "open", "write", ...

// Test hooks: called before each step (kWrite once per chunk). Returning a non-zero errno makes
// that step fail as if the system call had (EIO, ENOSPC...). A hook may also block, to let a
// test kill the process mid-save.
struct SaveHooks {
  std::function<int(SaveStep step)> beforeStep;
};

struct AtomicWriteOptions {
  // Mode of a new file; an existing file keeps its own mode.
  mode_t mode = 0644;
  std::size_t chunkBytes = 64 * 1024;  // bytes per write() call
  const SaveHooks* hooks = nullptr;
};

// Replaces (or creates) `path` with `content`; a symbolic link is kept and the file it points to
// is replaced. The directory must exist. On any failure before
// the rename the old file is untouched and the temporary file is removed; the error (code
// config-write-failed) names the file, the step and the system's reason. A failure of the
// final directory fsync is reported too, although the new content is then already in place.
Status atomicWriteFile(const std::string& path, std::string_view content,
                       const AtomicWriteOptions& options = {});

// Removes temporary files of `path` left by saves whose process no longer exists. Returns how
// many were removed. atomicWriteFile calls it first.
std::size_t removeStaleTempFiles(const std::string& path);

// True when `fileName` (no directory) is a temporary name made by atomicWriteFile.
bool isAtomicTempName(std::string_view fileName);

}  // namespace liseur::config
