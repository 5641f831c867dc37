#include "app/manual.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "config/config_schema.h"
#include "config/config_value.h"

#ifndef LISEUR_VERSION
#define LISEUR_VERSION "unknown"
#endif

namespace liseur::app {
namespace {

// Validator names carry the completion hint: "complete:KIND:word,word".
constexpr std::string_view kHintPrefix = "complete:";

std::string_view kindName(Complete kind) {
  switch (kind) {
    case Complete::kNothing:
      return "nothing";
    case Complete::kFiles:
      return "files";
    case Complete::kProfiles:
      return "profiles";
    case Complete::kKeys:
      return "keys";
    case Complete::kValues:
      return "values";
  }
  return "nothing";
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = text.find(sep, start);
    out.emplace_back(text.substr(start, at == std::string_view::npos ? text.npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
  return out;
}

// One option or positional as the generators see it.
struct Arg {
  std::vector<std::string> names;  // "-o", "--output"; a positional: its name ("SOURCE")
  bool positional = false;
  bool takesValue = false;
  bool required = false;
  int minCount = 0, maxCount = 1;  // a positional's number of words; maxCount < 0: no limit
  std::string metavar;             // "FILE", "INT": what the value is
  std::string help;
  std::string constraint;  // "from 80 to 450"
  std::string defaultValue;
  Complete kind = Complete::kNothing;
  std::vector<std::string> words;  // fixed words offered (IsMember choices, hint words)
  bool choicesOnly = false;        // words are the only valid values (IsMember)
};

struct Command {
  std::vector<std::string> path;  // {"liseur", "profile", "set"}
  std::string help;
  std::vector<Arg> options;  // flags and options, --help included
  std::vector<Arg> positionals;
  std::vector<Command> subcommands;
  bool needsSubcommand = false;

  std::string pathText() const { return join(path, " "); }
};

Arg describe(CLI::Option& opt) {
  Arg a;
  a.positional = opt.get_positional() && !opt.nonpositional();
  if (a.positional) {
    a.names = {opt.get_name(true, false)};
  } else {
    for (const auto& s : opt.get_snames()) a.names.push_back("-" + s);
    for (const auto& l : opt.get_lnames()) a.names.push_back("--" + l);
  }
  a.takesValue = a.positional || opt.get_items_expected_max() > 0;
  a.required = opt.get_required();
  a.minCount = opt.get_items_expected_min();
  int max = opt.get_items_expected_max();
  a.maxCount = max >= CLI::detail::expected_max_vector_size / 2 ? -1 : max;
  a.help = opt.get_description();
  a.defaultValue = opt.get_default_str();
  std::string type = opt.get_type_name();
  a.metavar = type.substr(0, type.find(':'));
  for (int i = 0;; ++i) {
    CLI::Validator* v = nullptr;
    try {
      v = opt.get_validator(i);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
    if (!v) break;
    const std::string& name = v->get_name();
    const std::string desc = v->get_description();
    if (name.rfind(kHintPrefix, 0) == 0) {
      auto parts = split(std::string_view(name).substr(kHintPrefix.size()), ':');
      for (Complete k : {Complete::kFiles, Complete::kProfiles, Complete::kKeys, Complete::kValues})
        if (!parts.empty() && parts[0] == kindName(k)) a.kind = k;
      if (parts.size() > 1)
        for (auto& w : split(parts[1], ',')) a.words.push_back(std::move(w));
    } else if (desc.size() > 2 && desc.front() == '{' && desc.back() == '}') {
      // CLI::IsMember describes itself as "{a,b,c}".
      for (auto& w : split(std::string_view(desc).substr(1, desc.size() - 2), ','))
        a.words.push_back(std::move(w));
      a.choicesOnly = true;
    } else if (auto in = desc.find(" in ["); in != std::string::npos && desc.back() == ']') {
      // CLI::Range: "INT in [80 - 450]".
      std::string range = desc.substr(in + 5, desc.size() - in - 6);
      auto dash = range.find(" - ");
      a.constraint = dash == std::string::npos
                         ? range
                         : "from " + range.substr(0, dash) + " to " + range.substr(dash + 3);
    } else if (!desc.empty()) {
      a.constraint = desc;
    }
  }
  if (a.kind == Complete::kFiles && (a.metavar == "TEXT" || a.metavar.empty())) a.metavar = "FILE";
  if (a.kind == Complete::kProfiles && (a.metavar == "TEXT" || a.metavar.empty()))
    a.metavar = "PROFILE";
  return a;
}

Command describe(CLI::App& app, std::vector<std::string> path) {
  Command c;
  c.path = std::move(path);
  c.help = app.get_description();
  c.needsSubcommand = app.get_require_subcommand_min() > 0;
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    Arg a = describe(*opt);
    (a.positional ? c.positionals : c.options).push_back(std::move(a));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_group().empty() || sub->get_name().empty()) continue;  // hidden
    auto p = c.path;
    p.push_back(sub->get_name());
    c.subcommands.push_back(describe(*sub, std::move(p)));
  }
  return c;
}

template <typename F>
void forEach(const Command& c, F&& f) {
  f(c);
  for (const auto& s : c.subcommands) forEach(s, f);
}

// ---- roff

// Text for a roff line: backslashes and hyphens escaped, non-ASCII as \[uXXXX] (the page is
// read by groff and mandoc whatever the locale), a leading '.' or '\'' made literal.
std::string roff(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      std::uint32_t cp = 0;
      int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      cp = c & (0x3F >> extra);
      for (int k = 0; k < extra && i + 1 < text.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F);
      out += fmt::format("\\[u{:04X}]", cp);
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

// The page with its text lines longer than 80 bytes broken at spaces (filled text: the reader
// sees no difference; man(7) sources are kept short). Requests, the tag line after .TP and
// example blocks (.EX/.EE: no fill) are left as they are.
std::string refill(const std::string& page) {
  std::string out;
  bool keep = false, example = false;
  std::size_t start = 0;
  while (start < page.size()) {
    std::size_t end = page.find('\n', start);
    if (end == std::string::npos) end = page.size();
    std::string line = page.substr(start, end - start);
    start = end + 1;
    const bool request = !line.empty() && (line[0] == '.' || line[0] == '\'');
    if (request || keep || example || line.size() <= 80) {
      if (line.rfind(".EX", 0) == 0) example = true;
      if (line.rfind(".EE", 0) == 0) example = false;
      keep = line.rfind(".TP", 0) == 0;
      out += line + "\n";
      continue;
    }
    keep = false;
    std::string current;
    std::size_t pos = 0;
    while (pos <= line.size()) {
      std::size_t space = line.find(' ', pos);
      if (space == std::string::npos) space = line.size();
      std::string word = line.substr(pos, space - pos);
      pos = space + 1;
      if (word.empty()) continue;
      if (!current.empty() && current.size() + 1 + word.size() > 80) {
        out += current + "\n";
        current.clear();
      }
      if (current.empty() && (word[0] == '.' || word[0] == '\'')) word.insert(0, "\\&");
      current += (current.empty() ? "" : " ") + word;
    }
    if (!current.empty()) out += current + "\n";
  }
  return out;
}

std::string sentence(std::string text) {
  if (!text.empty() && text.back() != '.') text += '.';
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

// A description as written in the table ("next-line, previous-word, ..." stays lower case).
std::string period(std::string text) {
  if (!text.empty() && text.back() != '.') text += '.';
  return text;
}

std::string bold(std::string_view s) {
  return "\\fB" + roff(s) + "\\fR";
}
std::string italic(std::string_view s) {
  return "\\fI" + roff(s) + "\\fR";
}

// "\fB\-o\fR, \fB\-\-output\fR \fIFILE\fR", "\fISOURCE\fR..."
std::string argTerm(const Arg& a) {
  if (a.positional) return italic(a.names[0]) + (a.maxCount != 1 ? "\\&..." : "");
  std::vector<std::string> names;
  for (const auto& n : a.names) names.push_back(bold(n));
  std::string term = join(names, ", ");
  if (a.takesValue) {
    if (a.choicesOnly) {
      std::vector<std::string> choices;
      for (const auto& w : a.words) choices.push_back(bold(w));
      term += " " + join(choices, "|");
    } else {
      term += " " + italic(a.metavar.empty() ? "VALUE" : a.metavar);
    }
  }
  return term;
}

std::string argHelp(const Arg& a) {
  std::string help = period(a.help);
  if (!a.constraint.empty()) help += " " + sentence("Value " + a.constraint);
  if (!a.defaultValue.empty()) help += " Default: " + a.defaultValue + ".";
  if (a.required && !a.positional) help += " Required.";
  std::string out = roff(help);
  if (a.positional && a.choicesOnly) {  // an option shows its choices in its synopsis
    std::vector<std::string> choices;
    for (const auto& w : a.words) choices.push_back(bold(w));
    out += "\nOne of: " + join(choices, ", ") + ".";
  }
  return out;
}

void writeArgs(std::string& out, const std::vector<Arg>& args) {
  for (const auto& a : args) out += ".TP\n" + argTerm(a) + "\n" + argHelp(a) + "\n";
}

// "\fBliseur profile set\fR [\fIoptions\fR] \fINAME\fR \fIKEY\fR [\fIVALUE\fR]"
std::string usage(const Command& c) {
  std::string line = bold(c.pathText());
  bool options = std::any_of(c.options.begin(), c.options.end(),
                             [](const Arg& a) { return a.names.back() != "--help"; });
  if (options) line += " [" + italic("options") + "]";
  if (!c.subcommands.empty()) line += " " + italic("command");
  for (const auto& p : c.positionals) {
    std::string term = argTerm(p);
    line += " " + (p.required ? term : "[" + term + "]");
  }
  return line;
}

void writeCommand(std::string& out, const Command& c) {
  out += ".SS \"" + roff(c.pathText().substr(c.path[0].size() + 1)) + "\"\n";
  out += usage(c) + "\n.br\n" + roff(period(c.help)) + "\n";
  std::vector<Arg> args = c.positionals;
  for (const auto& o : c.options)
    if (o.names.back() != "--help") args.push_back(o);
  if (!args.empty()) out += ".RS\n";
  writeArgs(out, args);
  if (!args.empty()) out += ".RE\n";
  for (const auto& s : c.subcommands) writeCommand(out, s);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

std::string header(std::string_view name, int section, std::string_view title,
                   std::string_view source) {
  return fmt::format(
      ".\\\" {}({}): generated by `{}`; do not edit.\n"
      ".\\\" Regenerate with packaging/regenerate-docs.sh (see README.md).\n"
      ".TH \"{}\" \"{}\" \"{}\" \"liseur {}\" \"{}\"\n",
      name, section, source, upper(name), section, manualDate(), LISEUR_VERSION, title);
}

// ---- shell quoting

std::string singleQuoted(std::string_view s) {  // bash, zsh
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fishQuoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A shell function name part for a command path: "liseur profile set" -> "liseur_profile_set".
std::string ident(const Command& c) {
  std::string out = join(c.path, "_");
  for (char& ch : out)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return out;
}

// Positional slot patterns: for each positional, the indexes (0-based) it takes; the last one of
// an unlimited positional is "*".
std::vector<std::pair<std::vector<std::string>, const Arg*>> slots(const Command& c) {
  std::vector<std::pair<std::vector<std::string>, const Arg*>> out;
  int index = 0;
  for (const auto& p : c.positionals) {
    std::vector<std::string> idx;
    if (p.maxCount < 0) {
      idx.push_back(std::to_string(index) + "+");
    } else {
      for (int k = 0; k < p.maxCount; ++k) idx.push_back(std::to_string(index + k));
      index += p.maxCount;
    }
    out.emplace_back(std::move(idx), &p);
  }
  return out;
}

}  // namespace

CLI::Validator completes(Complete kind, std::vector<std::string> words) {
  std::string name = std::string(kHintPrefix) + std::string(kindName(kind));
  if (!words.empty()) name += ":" + join(words, ",");
  CLI::Validator v([](const std::string&) { return std::string(); }, "", name);
  v.non_modifying();
  return v;
}

std::string manPage(CLI::App& app, std::string_view name, int section, const ManText& text) {
  Command root = describe(app, {std::string(name)});
  std::string what = root.help;
  if (auto colon = what.find(": "); colon != std::string::npos) what = what.substr(colon + 2);
  std::string out = header(name, section, section == 8 ? "System Administration" : "User Commands",
                           std::string(name) + " --generate man");
  out += ".SH NAME\n" + roff(name) + " \\- " + roff(what) + "\n";
  out += ".SH SYNOPSIS\n" + usage(root) + "\n";
  if (!root.subcommands.empty()) out += "[" + italic("arguments") + "]\n";
  out += text.description;
  out += ".SH OPTIONS\n";
  writeArgs(out, root.options);
  if (!root.subcommands.empty()) {
    out += ".SH COMMANDS\nEvery command takes " + bold("--help") + " (also " + bold("-h") +
           "): its own options.\n";
    for (const auto& s : root.subcommands) writeCommand(out, s);
  }
  out += text.trailer;
  return refill(out);
}

std::string configManPage(const ManText& text) {
  namespace cfg = liseur::config;
  const auto& schema = cfg::ConfigSchema::instance();
  std::string out = header("liseur.toml", 5, "File Formats", "liseur --generate config-man");
  out += ".SH NAME\nliseur.toml \\- configuration and profiles of liseur\n";
  out +=
      ".SH SYNOPSIS\n"
      "/etc/liseur/liseur.toml\n.br\n"
      "$XDG_CONFIG_HOME/liseur/liseur.toml\n.br\n"
      "$XDG_CONFIG_HOME/liseur/profiles/\\fINAME\\fR.toml\n";
  out += text.description;
  out +=
      ".SH KEYS\n"
      "Every key liseur understands, by section, as " +
      bold("liseur config schema") + " lists them.\n";
  for (const auto& section : schema.sections()) {
    out += ".SS \"[" + roff(section) + "]\"\n";
    for (const auto& k : schema.keys()) {
      if (k.key.substr(0, k.key.find('.')) != section) continue;
      out += ".TP\n" + bold(k.key) + " (" + italic(cfg::valueTypeName(k.type)) + ")\n";
      std::string body = period(k.help) + " " + sentence(k.expectedText());
      if (k.type != cfg::ValueType::kTable)
        body += " Default: " + cfg::formatValueToml(k.defaultValue) + ".";
      if (k.scope == cfg::KeyScope::kMainOnly) body += " Only in liseur.toml, not in a profile.";
      if (k.scope == cfg::KeyScope::kProfileOnly) body += " Only in a profile.";
      if (!k.lockable) body += " Cannot be locked.";
      // "a|b|c" spaced, so that a long list of choices can be broken and adjusted.
      std::string spaced;
      for (char ch : body) spaced += ch == '|' ? std::string(" | ") : std::string(1, ch);
      out += roff(spaced) + "\n";
    }
  }
  out += text.trailer;
  return refill(out);
}

// ---- bash

std::string bashCompletion(CLI::App& app, std::string_view name) {
  Command root = describe(app, {std::string(name)});
  const std::string fn = "_" + ident(root);
  std::string out = fmt::format(
      "# bash completion for {0}: generated by `{0} --generate bash`; do not edit.\n"
      "# Regenerate with packaging/regenerate-docs.sh (see README.md).\n\n",
      name);

  // The command table: per command path, its subcommands, options and options taking a value.
  out += fn + "_table() {\n  case $1 in\n";
  forEach(root, [&](const Command& c) {
    std::vector<std::string> subs, opts, valued;
    for (const auto& s : c.subcommands) subs.push_back(s.path.back());
    for (const auto& o : c.options)
      for (const auto& n : o.names) {
        opts.push_back(n);
        if (o.takesValue) valued.push_back(n);
      }
    out += "    " + singleQuoted(c.pathText()) + ")\n      subs=" + singleQuoted(join(subs, " ")) +
           "\n      opts=" + singleQuoted(join(opts, " ")) +
           "\n      valued=" + singleQuoted(join(valued, " ")) + " ;;\n";
  });
  out += "    *) return 1 ;;\n  esac\n}\n\n";

  // What to offer for an option's value ("PATH --opt") or a positional ("PATH @N").
  out += fn + "_slot() {\n  case $1 in\n";
  auto action = [&](const Arg& a) {
    std::string act;
    if (!a.words.empty()) act += fn + "_words " + singleQuoted(join(a.words, " ")) + "; ";
    switch (a.kind) {
      case Complete::kFiles:
        act += fn + "_files; ";
        break;
      case Complete::kProfiles:
        act += fn + "_dynamic profiles; ";
        break;
      case Complete::kKeys:
        act += fn + "_dynamic keys; ";
        break;
      case Complete::kValues:
        act += fn + "_dynamic values \"$2\"; ";
        break;
      case Complete::kNothing:
        break;
    }
    return act.empty() ? std::string(":") : act.substr(0, act.size() - 2);
  };
  forEach(root, [&](const Command& c) {
    for (const auto& o : c.options) {
      if (!o.takesValue) continue;
      std::vector<std::string> pats;
      for (const auto& n : o.names) pats.push_back(singleQuoted(c.pathText() + " " + n));
      out += "    " + join(pats, "|") + ") " + action(o) + " ;;\n";
    }
    for (const auto& [idx, arg] : slots(c)) {
      std::vector<std::string> pats;
      for (const auto& i : idx)
        pats.push_back(i.back() == '+' ? singleQuoted(c.pathText() + " @") + "*"
                                       : singleQuoted(c.pathText() + " @" + i));
      out += "    " + join(pats, "|") + ") " + action(*arg) + " ;;\n";
    }
  });
  out += "  esac\n}\n\n";

  out += fmt::format(R"sh({0}_words() {{
  local IFS=$' \t\n'
  COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}}

{0}_files() {{
  if declare -F _filedir >/dev/null; then
    _filedir
  else
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -- "$cur"))
  fi
}}

# Profiles, voices, keys and values come from the system at completion time: asked of {1} itself.
{0}_dynamic() {{
  local IFS=$'\n' prog=${{COMP_WORDS[0]}}
  COMPREPLY+=($(compgen -W "$("$prog" __complete "$@" 2>/dev/null)" -- "$cur"))
}}

{0}() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} path={2} npos=0 i w slot= prevword=
  local subs opts valued
  COMPREPLY=()
  {0}_table "$path" || return 0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if [[ $w == -* ]]; then
      if [[ " $valued " == *" $w "* ]]; then
        # The option's value: the next word, or the one after "=" (split off by bash).
        ((i + 1 < COMP_CWORD)) && [[ ${{COMP_WORDS[i + 1]}} == = ]] && ((i++))
        if ((i + 1 >= COMP_CWORD)); then
          slot="$path $w"
          break
        fi
        ((i++))
      fi
      continue
    fi
    if ((npos == 0)) && [[ " $subs " == *" $w "* ]]; then
      path="$path $w"
      {0}_table "$path" || return 0
      continue
    fi
    ((npos++))
    prevword=$w
  done
  [[ $cur == = ]] && cur=
  if [[ -n $slot ]]; then
    {0}_slot "$slot" "$prevword"
    return 0
  fi
  if [[ $cur == -* ]]; then
    {0}_words "$opts"
    return 0
  fi
  ((npos == 0)) && {0}_words "$subs"
  {0}_slot "$path @$npos" "$prevword"
  return 0
}}

complete -F {0} {1}
)sh",
                     fn, name, singleQuoted(name));
  return out;
}

// ---- zsh

std::string zshCompletion(CLI::App& app, std::string_view name) {
  Command root = describe(app, {std::string(name)});
  const std::string fn = "_" + ident(root);
  std::string out = fmt::format(
      "#compdef {0}\n"
      "# zsh completion for {0}: generated by `{0} --generate zsh`; do not edit.\n"
      "# Regenerate with packaging/regenerate-docs.sh (see README.md).\n\n"
      "# Profiles, voices, keys and values come from the system at completion time: asked of\n"
      "# {0} itself.\n"
      "{1}_dynamic() {{\n"
      "  local -a found\n"
      "  found=(${{(f)\"$(_call_program values ${{{1}_program:-{0}}} __complete \"$@\" "
      "2>/dev/null)\"}})\n"
      "  compadd -a found\n"
      "}}\n\n",
      name, fn);
  auto esc = [](std::string_view s) {  // inside [...] of an _arguments spec
    std::string o;
    for (char c : s) {
      if (c == '[' || c == ']' || c == ':' || c == '\\') o += '\\';
      o += c;
    }
    return o;
  };
  auto action = [&](const Arg& a) {
    std::vector<std::string> alts;
    if (!a.words.empty()) alts.push_back("(" + join(a.words, " ") + ")");
    switch (a.kind) {
      case Complete::kFiles:
        alts.push_back("_files");
        break;
      case Complete::kProfiles:
        alts.push_back("{" + fn + "_dynamic profiles}");
        break;
      case Complete::kKeys:
        alts.push_back("{" + fn + "_dynamic keys}");
        break;
      case Complete::kValues:
        alts.push_back("{" + fn + "_dynamic values ${words[CURRENT-1]}}");
        break;
      case Complete::kNothing:
        break;
    }
    if (alts.empty()) return std::string(" ");
    if (alts.size() == 1) return alts[0];
    // Fixed words and another source together.
    std::string act = "{_alternative";
    int n = 0;
    for (const auto& alt : alts)
      act += " \"a" + std::to_string(n++) +
             ":value:" + (alt[0] == '{' ? alt.substr(1, alt.size() - 2) : alt) + "\"";
    return act + "}";
  };
  std::vector<const Command*> all;
  forEach(root, [&](const Command& c) { all.push_back(&c); });
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const Command& c = **it;
    std::vector<std::string> specs;
    for (const auto& o : c.options) {
      std::string excl = o.names.size() > 1 ? "(" + join(o.names, " ") + ")" : "";
      if (o.names.back() == "--help" || o.names.back() == "--version") excl = "(- *)";
      for (const auto& n : o.names) {
        std::string spec = excl + n;
        if (o.takesValue) spec += n.size() == 2 ? "+" : "=";
        spec += "[" + esc(o.help) + "]";
        if (o.takesValue) {
          std::string meta = o.metavar.empty() ? "value" : o.metavar;
          for (char& ch : meta)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          spec += ":" + meta + ":" + action(o);
        }
        specs.push_back(singleQuoted(spec));
      }
    }
    if (!c.subcommands.empty()) {
      specs.push_back(singleQuoted("1:command:->command"));
      specs.push_back(singleQuoted("*::argument:->argument"));
    } else {
      int index = 1;
      for (const auto& p : c.positionals) {
        std::string meta = p.names[0];
        for (char& ch : meta) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (p.maxCount < 0) {
          specs.push_back(singleQuoted("*:" + meta + ":" + action(p)));
          break;
        }
        for (int k = 0; k < p.maxCount; ++k, ++index)
          specs.push_back(singleQuoted(std::to_string(index) + ":" +
                                       (k < (p.required ? std::max(p.minCount, 1) : 0) ? "" : ":") +
                                       meta + ":" + action(p)));
      }
    }
    out += fn.substr(0, 1) + ident(c) + "() {\n";
    if (&c == &root) out += "  local " + fn + "_program=${words[1]}  # as typed: the one to ask\n";
    if (!c.subcommands.empty()) out += "  local curcontext=$curcontext state line\n";
    out += "  _arguments -s -S" + std::string(c.subcommands.empty() ? "" : " -C");
    for (const auto& s : specs) out += " \\\n    " + s;
    out += "\n";
    if (!c.subcommands.empty()) {
      out += "  case $state in\n    command)\n      local -a commands=(\n";
      for (const auto& s : c.subcommands)
        out += "        " + singleQuoted(s.path.back() + ":" + s.help) + "\n";
      out += "      )\n      _describe -t commands " + singleQuoted(c.pathText() + " command") +
             " commands ;;\n    argument)\n      curcontext=${curcontext%:*:*}:" + ident(c) +
             "-$words[1]:\n      case $words[1] in\n";
      for (const auto& s : c.subcommands)
        out += "        " + s.path.back() + ") _" + ident(s) + " ;;\n";
      out += "      esac ;;\n  esac\n";
    }
    out += "}\n\n";
  }
  out += fn + " \"$@\"\n";
  return out;
}

// ---- fish

std::string fishCompletion(CLI::App& app, std::string_view name) {
  Command root = describe(app, {std::string(name)});
  const std::string fn = "__" + ident(root);
  std::vector<std::string> paths, valued;
  forEach(root, [&](const Command& c) {
    paths.push_back(fishQuoted(c.pathText()));
    for (const auto& o : c.options)
      if (o.takesValue)
        for (const auto& n : o.names) valued.push_back(fishQuoted(c.pathText() + " " + n));
  });
  std::string out = fmt::format(
      "# fish completion for {0}: generated by `{0} --generate fish`; do not edit.\n"
      "# Regenerate with packaging/regenerate-docs.sh (see README.md).\n\n"
      "set -g {1}_paths {2}\n"
      "set -g {1}_valued {3}\n\n"
      "# The command path, the number of positionals before the cursor, and whether an option's\n"
      "# value is expected: one line each.\n"
      "function {1}_state\n"
      "    set -l path {0}\n"
      "    set -l npos 0\n"
      "    set -l value 0\n"
      "    for w in (commandline -opc)[2..-1]\n"
      "        if test $value = 1\n"
      "            set value 0\n"
      "            continue\n"
      "        end\n"
      "        switch $w\n"
      "            case '--*=*'\n"
      "                continue\n"
      "            case '-*'\n"
      "                contains -- \"$path $w\" ${1}_valued; and set value 1\n"
      "                continue\n"
      "        end\n"
      "        if test $npos = 0; and contains -- \"$path $w\" ${1}_paths\n"
      "            set path \"$path $w\"\n"
      "            continue\n"
      "        end\n"
      "        set npos (math $npos + 1)\n"
      "    end\n"
      "    printf '%s\\n' $path $npos $value\n"
      "end\n\n"
      "# True at command PATH; with FIRST [LAST], when the next positional's index is in that\n"
      "# range (LAST -1: no limit) and no option's value is expected.\n"
      "function {1}_at\n"
      "    set -l s ({1}_state)\n"
      "    test \"$s[1]\" = \"$argv[1]\"; or return 1\n"
      "    set -q argv[2]; or return 0\n"
      "    test $s[3] = 0; or return 1\n"
      "    test $s[2] -ge $argv[2]; or return 1\n"
      "    set -q argv[3]; or return 0\n"
      "    test $argv[3] -lt 0; or test $s[2] -le $argv[3]\n"
      "end\n\n"
      "# Profiles, voices, keys and values come from the system at completion time: asked of\n"
      "# {0} itself.\n"
      "function {1}_dynamic\n"
      "    set -l prog (commandline -opc)[1]\n"
      "    $prog __complete $argv 2>/dev/null\n"
      "end\n\n"
      "complete -c {0} -f\n",
      name, fn, join(paths, " "), join(valued, " "));
  auto argsFor = [&](const Arg& a) {
    std::string s;
    std::vector<std::string> words = a.words;
    std::string dyn;
    switch (a.kind) {
      case Complete::kProfiles:
        dyn = "(" + fn + "_dynamic profiles)";
        break;
      case Complete::kKeys:
        dyn = "(" + fn + "_dynamic keys)";
        break;
      case Complete::kValues:
        dyn = "(" + fn + "_dynamic values (commandline -opc)[-1])";
        break;
      default:
        break;
    }
    std::string list = join(words, " ");
    if (!dyn.empty()) list += (list.empty() ? "" : " ") + dyn;
    if (!list.empty()) s += " -a " + fishQuoted(list);
    if (a.kind == Complete::kFiles) s += " -F";
    return s;
  };
  forEach(root, [&](const Command& c) {
    const std::string at = fishQuoted(fn + "_at " + fishQuoted(c.pathText()));
    out += "\n# " + c.pathText() + "\n";
    if (!c.subcommands.empty()) {
      const std::string first = fishQuoted(fn + "_at " + fishQuoted(c.pathText()) + " 0 0");
      for (const auto& s : c.subcommands)
        out += "complete -c " + std::string(name) + " -n " + first + " -a " +
               fishQuoted(s.path.back()) + " -d " + fishQuoted(s.help) + "\n";
    }
    for (const auto& o : c.options) {
      std::string line = "complete -c " + std::string(name) + " -n " + at;
      for (const auto& n : o.names)
        line += (n.size() == 2 ? " -s " : " -l ") + n.substr(n.size() == 2 ? 1 : 2);
      if (o.takesValue) line += o.kind == Complete::kFiles ? " -r" : " -x";
      if (o.takesValue) line += argsFor(o);
      out += line + " -d " + fishQuoted(o.help) + "\n";
    }
    for (const auto& [idx, arg] : slots(c)) {
      std::string first = idx.front(), last = idx.back();
      bool open = last.back() == '+';
      if (open) first = last.substr(0, last.size() - 1);
      std::string cond = fn + "_at " + fishQuoted(c.pathText()) + " " + first + " " +
                         (open ? std::string("-1") : last);
      std::string a = argsFor(*arg);
      if (a.empty()) continue;
      out += "complete -c " + std::string(name) + " -n " + fishQuoted(cond) + a + "\n";
    }
  });
  return out;
}

}  // namespace liseur::app
