// The C ABI header as C sees it (c_abi_check.c, compiled as C99) and as C++ sees it agree.
#include <gtest/gtest.h>

#include <cstddef>

#include "liseur_plugin.h"

extern "C" {
size_t liseur_c_sizeof_plugin(void);
size_t liseur_c_offsetof_render(void);
size_t liseur_c_sizeof_output(void);
int liseur_c_has_render(void);
int liseur_c_truncated_has_render(void);
}

TEST(PluginCAbi, LayoutIsTheSameInCAndCxx) {
  EXPECT_EQ(liseur_c_sizeof_plugin(), sizeof(liseur_plugin));
  EXPECT_EQ(liseur_c_offsetof_render(), offsetof(liseur_plugin, render));
  EXPECT_EQ(liseur_c_sizeof_output(), sizeof(liseur_output));
  // struct_size and abi_version come first, at fixed offsets, for every future version.
  EXPECT_EQ(offsetof(liseur_plugin, struct_size), 0u);
  EXPECT_EQ(offsetof(liseur_plugin, abi_version), 4u);
}

TEST(PluginCAbi, FieldPresenceFollowsStructSize) {
  EXPECT_TRUE(liseur_c_has_render());
  EXPECT_FALSE(liseur_c_truncated_has_render()) << "a struct that ends before render has no render";
}
