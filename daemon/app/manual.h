// Manual pages and shell completion generated from the programs' own command tables (the CLI::App
// each main builds) and from the configuration schema, so that they cannot drift from the code.
//
// `liseur --generate man|config-man|bash|zsh|fish` and `liseurd --generate man` print them; the
// results are committed under packaging/man/ and packaging/completion/ and a test regenerates and
// compares them. The hand-written parts of the pages (DESCRIPTION, FILES, ENVIRONMENT, EXIT
// STATUS, SEE ALSO) are in manual_text.cpp, next to this generator.
//
// What a shell completes for an option or positional comes from the table: the words of a
// CLI::IsMember check, and otherwise a completion hint added to the option with completes()
// (an always-passing validator, invisible in --help). Dynamic values (profiles, voices,
// configuration keys and their values) are asked of `liseur __complete KIND` at completion time.
// Options and subcommands in the hidden group ("") are left out of pages and completion.
// Pure functions of their arguments; no thread affinity.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace liseur::app {

// What a shell offers for an option's value or a positional.
enum class Complete {
  kNothing,   // free text
  kFiles,     // file names
  kProfiles,  // `liseur __complete profiles`
  kKeys,      // `liseur __complete keys`: configuration keys a profile may set
  kValues,    // `liseur __complete values KEY`, KEY the word before it
};

// A completion hint for CLI::Option::check: offers `kind`, plus the fixed `words`.
CLI::Validator completes(Complete kind, std::vector<std::string> words = {});

// The hand-written parts of a page, in roff: `description` follows SYNOPSIS, `trailer` (FILES,
// ENVIRONMENT, EXIT STATUS, SEE ALSO...) ends the page.
struct ManText {
  std::string description;
  std::string trailer;
};
// The date in the pages' title line: when their hand-written text last changed (keep it current
// when editing manual_text.cpp; the pages are otherwise the same from one build to the next).
std::string_view manualDate();
ManText liseurManText();
ManText liseurdManText();
ManText configManText();

// The page of `app` named `name` in `section` ("liseur", 1): NAME from the app's description
// ("liseur: what it does"), SYNOPSIS, OPTIONS, COMMANDS (every visible subcommand, depth first,
// with its options and positionals), then `text`.
std::string manPage(CLI::App& app, std::string_view name, int section, const ManText& text);
// liseur.toml(5): every key of config/config_schema.h by section, with its type, what a value
// must be, its default, where it may be written and whether it may be locked.
std::string configManPage(const ManText& text);

// Completion scripts for the program `name` (its first word on the command line).
std::string bashCompletion(CLI::App& app, std::string_view name);
std::string zshCompletion(CLI::App& app, std::string_view name);
std::string fishCompletion(CLI::App& app, std::string_view name);

// `liseur __complete KIND [ARG]`: the words for a dynamic completion, one a line: "profiles"
// (installed profiles), "voices" (voice presets and installed espeak-ng voices), "keys", "values
// KEY" (the choices of KEY, true/false, voices or profiles). Empty for anything unknown: a
// completion never prints an error.
std::vector<std::string> completionWords(std::string_view kind, std::string_view arg);

}  // namespace liseur::app
