#include "input/hotkeys.h"

#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "core/log.h"

// Xlib's `#define Status int` would hide liseur::Status below.
#undef Status

namespace liseur {

namespace {

struct ModifierName {
  const char* name;
  unsigned bit;
};

constexpr std::array<ModifierName, 11> kModifierNames{{
    {"shift", kModShift},
    {"control", kModControl},
    {"ctrl", kModControl},
    {"alt", kModAlt},
    {"meta", kModAlt},
    {"mod1", kModAlt},
    {"super", kModSuper},
    {"win", kModSuper},
    {"mod4", kModSuper},
    {"hyper", kModHyper},
    {"logo", kModSuper},
}};

// Friendly spellings people type in configuration files, mapped to X keysym names.
constexpr std::array<std::pair<const char*, const char*>, 8> kKeyAliases{{
    {"enter", "Return"},
    {"esc", "Escape"},
    {"del", "Delete"},
    {"ins", "Insert"},
    {"pageup", "Prior"},
    {"pagedown", "Next"},
    {"pgup", "Prior"},
    {"pgdn", "Next"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

unsigned modifierBit(std::string_view part) {
  const std::string l = lower(part);
  for (const auto& m : kModifierNames) {
    if (l == m.name) return m.bit;
  }
  return 0;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

KeySym lookupKeysym(const std::string& name) {
  const std::string l = lower(name);
  for (const auto& [alias, real] : kKeyAliases) {
    if (l == alias) return XStringToKeysym(real);
  }
  std::vector<std::string> tries{name, l};
  std::string cap = l;
  if (!cap.empty()) cap[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(cap[0])));
  tries.push_back(cap);
  std::string up = name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  tries.push_back(up);
  if (l.rfind("kp_", 0) == 0) tries.push_back("KP_" + cap.substr(3));  // kp_enter -> KP_Enter
  for (const std::string& t : tries) {
    const KeySym k = XStringToKeysym(t.c_str());
    if (k != NoSymbol) return k;
  }
  return NoSymbol;
}

}  // namespace

Result<KeySpec> parseKeySpec(std::string_view spec) {
  const std::string written(spec);
  auto fail = [&](const std::string& why) {
    return Result<KeySpec>::fail(ErrorCode::kInvalidArgument, "hotkey '" + written + "': " + why);
  };
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t plus = spec.find('+', start);
    parts.push_back(
        trim(spec.substr(start, plus == std::string_view::npos ? spec.npos : plus - start)));
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  if (trim(spec).empty()) return fail("empty key spec");
  for (char c : spec)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return fail("a control character is not part of a key name");
  KeySpec out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty()) {
      return fail("empty part (write 'plus' for the + key, e.g. 'Control+plus')");
    }
    const bool last = i + 1 == parts.size();
    if (const unsigned bit = modifierBit(part); bit != 0) {
      if (last) return fail("'" + part + "' is a modifier; the last part must be a key");
      out.modifiers |= bit;
      continue;
    }
    if (!last) {
      if (lookupKeysym(part) != NoSymbol) {
        return fail("'" + part +
                    "' is a key, not a modifier (modifiers are Shift, Control, Alt, Super, Hyper; "
                    "the key comes last)");
      }
      std::string hint;
      for (const char* m : {"Shift", "Control", "Alt", "Super", "Hyper"}) {
        if (editDistance(lower(part), lower(m)) <= 2) {
          hint = fmt::format(" (did you mean '{}'?)", m);
          break;
        }
      }
      return fail("unknown key name '" + part + "'" + hint);
    }
    KeySym k = lookupKeysym(part);
    if (k == NoSymbol) return fail("unknown key name '" + part + "'");
    KeySym lower_k = k, upper_k = k;
    XConvertCase(k, &lower_k, &upper_k);
    out.keysym = lower_k;  // "R" and "r" are the same key; Shift is written out when meant
  }
  static constexpr std::array<std::pair<unsigned, const char*>, 5> kOrder{{{kModShift, "Shift"},
                                                                           {kModControl, "Control"},
                                                                           {kModAlt, "Alt"},
                                                                           {kModSuper, "Super"},
                                                                           {kModHyper, "Hyper"}}};
  for (const auto& [bit, name] : kOrder) {
    if (out.modifiers & bit) out.canonical += std::string(name) + "+";
  }
  // A key written by number ("0x1008ff11") or code point ("U20AC") keeps that spelling: Xlib
  // names such keysyms in a string it allocates and never frees (found by fuzz_specs).
  const std::string& key = parts.back();
  auto allHex = [&](std::size_t from) {
    return key.size() > from && std::all_of(key.begin() + from, key.end(),
                                            [](unsigned char c) { return std::isxdigit(c) != 0; });
  };
  const bool numeric =
      (key.rfind("0x", 0) == 0 && allHex(2)) || ((key[0] == 'U' || key[0] == 'u') && allHex(1));
  const char* key_name = numeric ? nullptr : XKeysymToString(out.keysym);
  out.canonical += key_name ? key_name : key;
  return out;
}

Hotkeys::Hotkeys(X11Display dpy) : dpy_(std::move(dpy)) {}

Result<std::unique_ptr<Hotkeys>> Hotkeys::open(const std::string& display) {
  auto dpy = X11Display::open(display);
  if (!dpy) return dpy.error();
  std::unique_ptr<Hotkeys> h(new Hotkeys(std::move(dpy.value())));
  // With detectable auto-repeat a held key sends presses without releases in between, so a
  // repeat is a press of a key already down.
  Bool supported = False;
  XkbSetDetectableAutoRepeat(h->dpy_.get(), True, &supported);
  h->readModifierMapping();
  return h;
}

Hotkeys::~Hotkeys() {
  if (dpy_.get() != nullptr && !dpy_.lost()) {
    unbindAll();
    XSync(dpy_.get(), False);
  }
}

void Hotkeys::readModifierMapping() {
  Display* d = dpy_.get();
  alt_ = super_ = hyper_ = num_lock_ = scroll_lock_ = 0;
  XModifierKeymap* map = XGetModifierMapping(d);
  if (map == nullptr) return;
  for (int mod = Mod1MapIndex; mod <= Mod5MapIndex; ++mod) {
    const unsigned bit = 1u << mod;
    for (int k = 0; k < map->max_keypermod; ++k) {
      const KeyCode kc = map->modifiermap[mod * map->max_keypermod + k];
      if (kc == 0) continue;
      for (int level = 0; level < 4; ++level) {
        switch (XkbKeycodeToKeysym(d, kc, 0, level)) {
          case XK_Alt_L:
          case XK_Alt_R:
          case XK_Meta_L:
          case XK_Meta_R:
            alt_ |= alt_ ? 0 : bit;
            break;
          case XK_Super_L:
          case XK_Super_R:
            super_ |= super_ ? 0 : bit;
            break;
          case XK_Hyper_L:
          case XK_Hyper_R:
            hyper_ |= hyper_ ? 0 : bit;
            break;
          case XK_Num_Lock:
            num_lock_ = bit;
            break;
          case XK_Scroll_Lock:
            scroll_lock_ = bit;
            break;
          default:
            break;
        }
      }
    }
  }
  XFreeModifiermap(map);
  // The usual layout, for keyboards whose map lacks the keys (e.g. a bare Xvfb without XKB).
  if (alt_ == 0) alt_ = Mod1Mask;
  if (super_ == 0) super_ = Mod4Mask;
  if (num_lock_ == 0) num_lock_ = Mod2Mask;
}

unsigned Hotkeys::realMask(unsigned logical) const {
  unsigned m = 0;
  if (logical & kModShift) m |= ShiftMask;
  if (logical & kModControl) m |= ControlMask;
  if (logical & kModAlt) m |= alt_;
  if (logical & kModSuper) m |= super_;
  if (logical & kModHyper) m |= hyper_;
  return m;
}

std::vector<unsigned> Hotkeys::lockVariants() const {
  std::vector<unsigned> locks;
  for (unsigned l : {static_cast<unsigned>(LockMask), num_lock_, scroll_lock_}) {
    if (l != 0 && std::find(locks.begin(), locks.end(), l) == locks.end()) locks.push_back(l);
  }
  std::vector<unsigned> out;
  for (unsigned subset = 0; subset < (1u << locks.size()); ++subset) {
    unsigned m = 0;
    for (std::size_t i = 0; i < locks.size(); ++i) {
      if (subset & (1u << i)) m |= locks[i];
    }
    out.push_back(m);
  }
  return out;
}

Status Hotkeys::grab(Grab& g) {
  Display* d = dpy_.get();
  const std::string who = fmt::format("hotkey '{}' (action '{}')", g.written, g.action);
  if ((g.spec.modifiers & kModHyper) && hyper_ == 0) {
    return makeError(ErrorCode::kInvalidArgument, who + ": this keyboard has no Hyper modifier");
  }
  g.keycode = XKeysymToKeycode(d, g.spec.keysym);
  if (g.keycode == 0) {
    return makeError(ErrorCode::kInvalidArgument,
                     who + ": the key is not on this keyboard's layout");
  }
  g.mask = realMask(g.spec.modifiers);
  const Window root = DefaultRootWindow(d);
  int err = 0;
  {
    X11ErrorTrap trap(d);
    for (unsigned locks : lockVariants()) {
      if (locks & g.mask) continue;  // a lock bit shared with a wanted modifier
      XGrabKey(d, static_cast<int>(g.keycode), g.mask | locks, root, False, GrabModeAsync,
               GrabModeAsync);
    }
    err = trap.sync();
  }
  if (err == BadAccess) {
    ungrab(g);  // the variants that did succeed
    return makeError(ErrorCode::kHotkeyTaken,
                     who +
                         " is already grabbed by another program; choose another key in the "
                         "configuration or free it in that program");
  }
  if (err != 0) {
    ungrab(g);
    return makeError(ErrorCode::kInternal,
                     fmt::format("{}: XGrabKey failed (X error {})", who, err));
  }
  return okStatus();
}

void Hotkeys::ungrab(const Grab& g) {
  Display* d = dpy_.get();
  X11ErrorTrap trap(d);
  for (unsigned locks : lockVariants()) {
    if (locks & g.mask) continue;
    XUngrabKey(d, static_cast<int>(g.keycode), g.mask | locks, DefaultRootWindow(d));
  }
  trap.sync();
}

Status Hotkeys::bind(const HotkeyBinding& binding) {
  if (dpy_.lost()) return dpy_.lostError();
  auto spec = parseKeySpec(binding.spec);
  if (!spec) return spec.error();
  for (const Grab& g : grabs_) {
    if (g.spec.keysym == spec->keysym && g.spec.modifiers == spec->modifiers) {
      return makeError(ErrorCode::kInvalidArgument,
                       fmt::format("hotkey '{}' (action '{}') is already bound to action '{}'",
                                   binding.spec, binding.action, g.action));
    }
  }
  Grab g{*spec, binding.action, binding.spec};
  if (Status s = grab(g); !s) return s;
  grabs_.push_back(std::move(g));
  return okStatus();
}

std::vector<Error> Hotkeys::bindAll(const std::vector<HotkeyBinding>& bindings) {
  std::vector<Error> errors;
  for (const HotkeyBinding& b : bindings) {
    if (Status s = bind(b); !s) errors.push_back(s.error());
  }
  return errors;
}

void Hotkeys::unbindAll() {
  for (const Grab& g : grabs_) ungrab(g);
  grabs_.clear();
  held_.clear();
}

void Hotkeys::unbindAction(const std::string& action) {
  std::erase_if(grabs_, [&](const Grab& g) {
    if (g.action != action) return false;
    ungrab(g);
    held_.erase(g.keycode);
    return true;
  });
}

void Hotkeys::dispatch() {
  Display* d = dpy_.get();
  const unsigned relevant =
      (ShiftMask | ControlMask | Mod1Mask | Mod2Mask | Mod3Mask | Mod4Mask | Mod5Mask) &
      ~(num_lock_ | scroll_lock_);
  while (!dpy_.lost() && XPending(d) > 0) {
    XEvent ev;
    XNextEvent(d, &ev);
    if (ev.type == MappingNotify) {
      // The layout or the modifier map changed (setxkbmap, xmodmap): keycodes and modifier bits
      // may have moved, so grab everything again.
      XRefreshKeyboardMapping(&ev.xmapping);
      if (ev.xmapping.request == MappingKeyboard || ev.xmapping.request == MappingModifier) {
        std::vector<Grab> old = std::move(grabs_);
        grabs_.clear();
        for (const Grab& g : old) ungrab(g);
        readModifierMapping();
        for (Grab& g : old) {
          if (Status s = grab(g); !s) {
            spdlog::warn("hotkeys: after a keyboard change: {}", s.error().message);
          } else {
            grabs_.push_back(std::move(g));
          }
        }
      }
      continue;
    }
    if (ev.type == KeyRelease) {
      held_.erase(ev.xkey.keycode);
      continue;
    }
    if (ev.type != KeyPress) continue;
    const unsigned state = ev.xkey.state & relevant;
    for (const Grab& g : grabs_) {
      if (g.keycode == ev.xkey.keycode && g.mask == state) {
        const bool repeat = !held_.insert(ev.xkey.keycode).second;
        if (callback_) callback_(g.action, repeat);
        break;
      }
    }
  }
}

}  // namespace liseur
