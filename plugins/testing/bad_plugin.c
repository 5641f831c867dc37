/* Deliberately bad plugins for the plugin host's fault tests, written in plain C against
 * liseur_plugin.h (which also shows the ABI works without the C++ helper). One source, built
 * once per fault with -DLISEUR_TEST_FAULT=<n>; never installed. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "liseur_plugin.h"

#define FAULT_CRASH 1     /* adapt raises SIGSEGV: the host dies */
#define FAULT_HANG 2      /* adapt sleeps for ever */
#define FAULT_SPIN 3      /* adapt burns CPU for ever */
#define FAULT_FLOOD 4     /* adapt writes until the host says stop */
#define FAULT_BAD_JSON 5  /* adapt returns text that is not JSON */
#define FAULT_BAD_DOC 6   /* adapt returns JSON that is not a document */
#define FAULT_BAD_LOAD 7  /* create() refuses its options */
#define FAULT_HANG_LOAD 8 /* create() never returns */

#ifndef LISEUR_TEST_FAULT
#error "define LISEUR_TEST_FAULT"
#endif
#ifndef LISEUR_TEST_ID
#error "define LISEUR_TEST_ID"
#endif

static int instance_token;

static liseur_status create(const char* options, size_t length, liseur_plugin_instance** instance,
                            liseur_output* err) {
  (void)options;
  (void)length;
  if (LISEUR_TEST_FAULT == FAULT_HANG_LOAD)
    for (;;) pause();
  if (LISEUR_TEST_FAULT == FAULT_BAD_LOAD) {
    static const char msg[] = "option 'level' must be between 1 and 3";
    err->set_error(err, msg, sizeof msg - 1);
    return LISEUR_ERR_INVALID_OPTIONS;
  }
  *instance = (liseur_plugin_instance*)&instance_token;
  return LISEUR_OK;
}

static liseur_status adapt(liseur_plugin_instance* instance, const char* request, size_t length,
                           liseur_output* out) {
  (void)instance;
  switch (LISEUR_TEST_FAULT) {
    case FAULT_CRASH:
      raise(SIGSEGV);
      break;
    case FAULT_HANG:
      for (;;) pause();
    case FAULT_SPIN: {
      volatile uint64_t n = 0;
      for (;;) ++n;
    }
    case FAULT_FLOOD: {
      static char chunk[1 << 20];
      memset(chunk, 'x', sizeof chunk);
      out->write(out, "{\"document\":\"", 13);
      while (out->write(out, chunk, sizeof chunk) == LISEUR_OK) {
      }
      return LISEUR_OK; /* pretends all went well: the host must still refuse the reply */
    }
    case FAULT_BAD_JSON: {
      static const char reply[] =
          "{\"document\": {\"format\": \"liseur-document/1\", \"blocks\": [";
      out->write(out, reply, sizeof reply - 1);
      return LISEUR_OK;
    }
    case FAULT_BAD_DOC: {
      static const char reply[] =
          "{\"document\": {\"format\": \"liseur-document/1\", \"blocks\": [{\"lines\": "
          "\"none\"}]}}";
      out->write(out, reply, sizeof reply - 1);
      return LISEUR_OK;
    }
    default:
      break;
  }
  out->write(out, request, length);
  return LISEUR_OK;
}

static const liseur_plugin table = {sizeof(liseur_plugin),
                                    LISEUR_PLUGIN_ABI_VERSION,
                                    LISEUR_TEST_ID,
                                    "0.0.1",
                                    create,
                                    NULL,
                                    adapt,
                                    NULL,
                                    NULL};

const liseur_plugin* liseur_plugin_entry(uint32_t host_abi) {
  (void)host_abi;
  return &table;
}
