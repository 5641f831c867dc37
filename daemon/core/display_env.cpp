#include "core/display_env.h"

#include <array>
#include <cstdlib>
#include <utility>

namespace liseur {

namespace {

using Field = std::string DisplayEnv::*;
constexpr std::array<std::pair<const char*, Field>, 8> kFields{{
    {"DISPLAY", &DisplayEnv::display},
    {"XAUTHORITY", &DisplayEnv::xauthority},
    {"WAYLAND_DISPLAY", &DisplayEnv::wayland_display},
    {"XDG_RUNTIME_DIR", &DisplayEnv::runtime_dir},
    {"DBUS_SESSION_BUS_ADDRESS", &DisplayEnv::dbus_address},
    {"XDG_CURRENT_DESKTOP", &DisplayEnv::current_desktop},
    {"SWAYSOCK", &DisplayEnv::swaysock},
    {"HYPRLAND_INSTANCE_SIGNATURE", &DisplayEnv::hyprland},
}};

constexpr std::size_t kMaxValue = 256;

bool printable(const std::string& s) {
  if (s.size() > kMaxValue) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

}  // namespace

DisplayEnv DisplayEnv::fromProcess() {
  DisplayEnv env;
  for (const auto& [name, field] : kFields) {
    const char* v = std::getenv(name);
    if (v && printable(v)) env.*field = v;
  }
  return env;
}

Result<DisplayEnv> DisplayEnv::fromJson(const nlohmann::json& j) {
  DisplayEnv env;
  if (!j.is_object())
    return makeError(ErrorCode::kInvalidArgument,
                     "hello: 'session' must be an object of environment variables");
  for (const auto& [name, field] : kFields) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string() || !printable(it->get_ref<const std::string&>()))
      return makeError(ErrorCode::kInvalidArgument,
                       std::string("hello: session.") + name + " must be a string of at most " +
                           std::to_string(kMaxValue) + " printable ASCII characters");
    env.*field = it->get<std::string>();
  }
  return env;
}

nlohmann::json DisplayEnv::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, field] : kFields)
    if (!(this->*field).empty()) j[name] = this->*field;
  return j;
}

std::string DisplayEnv::waylandSocket() const {
  if (wayland_display.empty()) return {};
  if (wayland_display.front() == '/') return wayland_display;
  if (runtime_dir.empty()) return {};
  return runtime_dir + "/" + wayland_display;
}

std::string DisplayEnv::desktopName() const {
  if (!swaysock.empty()) return "sway";
  if (!hyprland.empty()) return "Hyprland";
  if (!current_desktop.empty()) {
    // "ubuntu:GNOME" → "GNOME": the last entry names the desktop itself.
    auto colon = current_desktop.rfind(':');
    return colon == std::string::npos ? current_desktop : current_desktop.substr(colon + 1);
  }
  return "this desktop";
}

}  // namespace liseur
