// The wire format shared by the IPC server and the client library: JSON lines over a Unix stream
// socket, described for humans in daemon/ipc/PROTOCOL.md (keep the two in step; bump
// kIpcProtocolVersion and add a changelog entry there for any incompatible change).
//
// Everything here is pure (no I/O, no globals): safe from any thread, and the request-line parser
// is the fuzz target tests/fuzz/ipc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace liseur {

inline constexpr int kIpcProtocolVersion = 1;
// Longest request line the server accepts, newline excluded.
inline constexpr std::size_t kIpcMaxLineBytes = 64 * 1024;
// Deepest nesting of arrays/objects accepted in a request (keeps parsing and destruction cheap).
inline constexpr int kIpcMaxNestingDepth = 64;

// One parsed request line: {"id":7,"cmd":"read","args":{...}}.
struct IpcRequestLine {
  bool has_id = false;  // true as soon as a valid id was found, even when the line is rejected
  int64_t id = 0;
  std::string cmd;
  nlohmann::json args = nlohmann::json::object();  // always an object
};

// Parses one line (without its newline). On error returns bad-request with a message naming what
// was wrong (never quoting the line: it may carry screen text); `out.has_id`/`out.id` are still set
// when the id itself was valid, so the error reply can carry it. Never throws.
Status parseRequestLine(std::string_view line, IpcRequestLine& out);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). On failure
// *bad_offset (when given) is the byte offset of the first bad sequence.
bool isValidUtf8(std::string_view s, std::size_t* bad_offset = nullptr);

// Serialises a message as one line ending in '\n'. Invalid UTF-8 in strings is replaced (U+FFFD),
// never thrown about.
std::string encodeIpcLine(const nlohmann::json& message);

// {"id":id,"ok":true, ...fields}. `fields` must be an object or null; "id" and "ok" in it are
// overridden.
nlohmann::json makeOkReply(int64_t id, const nlohmann::json& fields);
// {"id":id|null,"ok":false,"error":{"code":"<kebab-case>","message":"..."}}
nlohmann::json makeErrorReply(const int64_t* id, const Error& error);
// {"event":name, ...fields}
nlohmann::json makeEvent(std::string_view name, const nlohmann::json& fields);

// Reading fields of a received message without exceptions: the fallback when `obj` is not an
// object, lacks `key`, or holds another type there.
bool boolField(const nlohmann::json& obj, const char* key, bool fallback);
std::string stringField(const nlohmann::json& obj, const char* key, std::string fallback = {});
int64_t intField(const nlohmann::json& obj, const char* key, int64_t fallback);

}  // namespace liseur
