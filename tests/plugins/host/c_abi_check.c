/* Compiled as C99 with -pedantic-errors: proves liseur_plugin.h is plain C, and reports the
 * struct layout as C sees it so that the C++ side can compare. */
#include <stddef.h>

#include "liseur_plugin.h"

static liseur_status c_adapt(liseur_plugin_instance* instance, const char* request, size_t length,
                             liseur_output* out) {
  (void)instance;
  return out->write(out, request, length);
}

size_t liseur_c_sizeof_plugin(void) {
  return sizeof(liseur_plugin);
}
size_t liseur_c_offsetof_render(void) {
  return offsetof(liseur_plugin, render);
}
size_t liseur_c_sizeof_output(void) {
  return sizeof(liseur_output);
}

/* A plugin struct filled by C code, with only the fields of ABI 1. */
int liseur_c_has_render(void) {
  static const liseur_plugin p = {sizeof(liseur_plugin),
                                  LISEUR_PLUGIN_ABI_VERSION,
                                  "c-test",
                                  "1",
                                  NULL,
                                  NULL,
                                  c_adapt,
                                  NULL,
                                  NULL};
  return LISEUR_HAS_FIELD(&p, liseur_plugin, render) && p.adapt != NULL && LISEUR_OK == 0 &&
         LISEUR_ERR_INTERNAL == 6;
}

/* An older, smaller struct (as a plugin built before `render` existed would have). */
int liseur_c_truncated_has_render(void) {
  liseur_plugin p = {0};
  p.struct_size = (uint32_t)offsetof(liseur_plugin, render);
  return LISEUR_HAS_FIELD(&p, liseur_plugin, render);
}
