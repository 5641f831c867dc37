// Global hotkeys on X11: key specs ("Super+Shift+R", "Control+Alt+KP_5") grabbed on the root
// window, whatever the state of NumLock, CapsLock and ScrollLock.
//
// Actions are plain names ("read-window", "mark-corner"); what they do is the daemon's business.
// A key that another program already grabbed is reported by spec and action, never skipped
// silently.
//
// Threads: a Hotkeys object belongs to one thread (the daemon's main thread); it has its own X
// connection. The event loop polls fd() for input and calls dispatch(), which calls the callback
// on that thread. Xlib may read events into its queue while bind() waits for the server, so call
// dispatch() once after binding too (it returns at once when nothing is pending).
//
// Errors: kHotkeyTaken when another program already grabbed the key (the message names the spec
// and the action); kInvalidArgument with a message naming the spec (unknown key or modifier, a
// key that is not on the keyboard, a spec bound twice); see X11Display::open for the display and
// Wayland errors (kDisplayUnavailable).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capture/x11_display.h"
#include "core/result.h"

namespace liseur {

// Logical modifiers of a key spec, mapped to the keyboard's real modifier bits when grabbing.
enum KeyModifier : unsigned {
  kModShift = 1u << 0,
  kModControl = 1u << 1,
  kModAlt = 1u << 2,
  kModSuper = 1u << 3,
  kModHyper = 1u << 4,
};

struct KeySpec {
  unsigned modifiers = 0;    // KeyModifier bits
  unsigned long keysym = 0;  // X keysym of the key
  std::string canonical;     // normalised spelling, e.g. "Shift+Super+r"
};

// Parses "Mod+Mod+Key". Modifiers (case-insensitive): Shift, Control/Ctrl, Alt/Meta/Mod1,
// Super/Win/Mod4, Hyper. The key is an X keysym name (r, F5, KP_5, space, Return, Left...);
// letters may be given in either case, and Enter, Esc, Del, PageUp, PageDown are accepted.
// Needs no display. Errors name the spec and the part, e.g.
//   hotkey 'Shfit+R': unknown key name 'Shfit'
Result<KeySpec> parseKeySpec(std::string_view spec);

struct HotkeyBinding {
  std::string spec;    // as written in the configuration
  std::string action;  // passed to the callback
};

class Hotkeys {
 public:
  // `action` is the binding's action; `repeat` is true for auto-repeat while the key is held
  // (useful for nudging the pointer, to be ignored for "read").
  using Callback = std::function<void(const std::string& action, bool repeat)>;

  static Result<std::unique_ptr<Hotkeys>> open(const std::string& display = "");
  ~Hotkeys();  // releases every grab
  Hotkeys(const Hotkeys&) = delete;
  Hotkeys& operator=(const Hotkeys&) = delete;

  void setCallback(Callback cb) { callback_ = std::move(cb); }

  // Grabs the binding's key with its lock variants. On a conflict nothing of this binding stays
  // grabbed and the error says "hotkey 'Super+Shift+R' (action 'read-window') is already grabbed
  // by another program".
  Status bind(const HotkeyBinding& binding);
  // Binds each; returns the errors of those that failed (the others stay bound).
  std::vector<Error> bindAll(const std::vector<HotkeyBinding>& bindings);
  void unbindAll();
  // Releases every key bound to `action` (e.g. the arrow keys grabbed only while a rectangle is
  // being marked); nothing when none is.
  void unbindAction(const std::string& action);

  // The X connection's fd, for the event loop (EPOLLIN).
  int fd() const { return dpy_.fd(); }
  // Reads every pending event and calls the callback for each bound key press. Never blocks.
  void dispatch();
  // The X server went away (checked by dispatch()): the fd stays readable forever, so remove it
  // from the event loop and drop this object; bind() fails with an error naming the display.
  bool lost() const { return dpy_.lost(); }

 private:
  struct Grab {
    KeySpec spec;
    std::string action;
    std::string written;  // the spec as given, for messages
    unsigned keycode = 0;
    unsigned mask = 0;  // real modifier bits
  };
  explicit Hotkeys(X11Display dpy);
  void readModifierMapping();
  unsigned realMask(unsigned logical) const;
  std::vector<unsigned> lockVariants() const;
  Status grab(Grab& g);
  void ungrab(const Grab& g);

  X11Display dpy_;
  Callback callback_;
  std::vector<Grab> grabs_;
  std::set<unsigned> held_;  // keycodes of bound keys currently down (auto-repeat detection)
  unsigned alt_ = 0, super_ = 0, hyper_ = 0, num_lock_ = 0, scroll_lock_ = 0;
};

}  // namespace liseur
