// DisplayEnv: the graphical session a client sends in hello, checked before Xlib, libwayland or
// GDBus see it.
#include "core/display_env.h"

#include <gtest/gtest.h>

#include <string>

namespace liseur {
namespace {

using nlohmann::json;

TEST(DisplayEnv, RoundTripsThroughHelloJson) {
  DisplayEnv env;
  env.display = ":1";
  env.wayland_display = "wayland-1";
  env.runtime_dir = "/run/user/1000";
  env.swaysock = "/run/user/1000/sway-ipc.1000.42.sock";
  json j = env.toJson();
  EXPECT_EQ(j["DISPLAY"], ":1");
  EXPECT_FALSE(j.contains("XAUTHORITY")) << "empty variables are left out";
  auto back = DisplayEnv::fromJson(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, env);
  EXPECT_TRUE(back->wayland());
  EXPECT_TRUE(back->x11());
}

TEST(DisplayEnv, IgnoresUnknownVariablesAndRefusesBadValuesByName) {
  auto ok = DisplayEnv::fromJson({{"DISPLAY", ":0"}, {"LD_PRELOAD", "/tmp/evil.so"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->toJson().dump(), R"({"DISPLAY":":0"})");

  for (const json& bad : {json{{"WAYLAND_DISPLAY", 3}}, json{{"WAYLAND_DISPLAY", "a\nb"}},
                          json{{"WAYLAND_DISPLAY", std::string(300, 'w')}}}) {
    auto r = DisplayEnv::fromJson(bad);
    ASSERT_FALSE(r) << bad.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("session.WAYLAND_DISPLAY"), std::string::npos)
        << r.error().message;
  }
  EXPECT_FALSE(DisplayEnv::fromJson(json::array()));
}

TEST(DisplayEnv, FindsTheWaylandSocketAndNamesTheDesktop) {
  DisplayEnv env;
  EXPECT_EQ(env.waylandSocket(), "");
  env.wayland_display = "wayland-0";
  EXPECT_EQ(env.waylandSocket(), "") << "relative, and no XDG_RUNTIME_DIR to find it in";
  env.runtime_dir = "/run/user/1000";
  EXPECT_EQ(env.waylandSocket(), "/run/user/1000/wayland-0");
  env.wayland_display = "/tmp/w/wayland-9";
  EXPECT_EQ(env.waylandSocket(), "/tmp/w/wayland-9");

  EXPECT_EQ(env.desktopName(), "this desktop");
  env.current_desktop = "ubuntu:GNOME";
  EXPECT_EQ(env.desktopName(), "GNOME");
  env.swaysock = "/run/user/1000/sway-ipc.sock";
  EXPECT_EQ(env.desktopName(), "sway");
}

}  // namespace
}  // namespace liseur
