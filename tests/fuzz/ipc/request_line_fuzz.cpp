// Fuzzes parseRequestLine (daemon/ipc/ipc_protocol.h): every line a client can send reaches it.
// Besides crashes, sanitizers and exceptions, it checks the parser's promises: an accepted request
// has a command name and an object of arguments, replies always serialise as one line, and an
// error message never grows with (quotes) the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ipc/ipc_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  liseur::IpcRequestLine req;
  liseur::Status st = liseur::parseRequestLine(line, req);
  if (st.ok()) {
    if (req.cmd.empty() || req.cmd.size() > 64 || !req.args.is_object() || !req.has_id)
      std::abort();
    if (!liseur::isValidUtf8(line)) std::abort();  // accepted lines are valid UTF-8
    std::string reply = liseur::encodeIpcLine(liseur::makeOkReply(req.id, {{"args", req.args}}));
    if (reply.empty() || reply.back() != '\n' || reply.find('\n') != reply.size() - 1) std::abort();
  } else {
    const liseur::Error& e = st.error();
    if (e.code != liseur::ErrorCode::kBadRequest && e.code != liseur::ErrorCode::kLineTooLong)
      std::abort();
    // The message is built from fixed text and numbers only, never from the input, so it stays
    // short whatever the input is.
    if (e.message.empty() || e.message.size() > 160) std::abort();
    std::string reply =
        liseur::encodeIpcLine(liseur::makeErrorReply(req.has_id ? &req.id : nullptr, e));
    if (reply.find('\n') != reply.size() - 1) std::abort();
  }
  return 0;
}
