#include "ipc/ipc_protocol.h"

#include <limits>

#include "core/utf8.h"

namespace liseur {
namespace {

// nlohmann's DOM parser gives no position when exceptions are off, so a failed parse is run a
// second time through this SAX that only records where it stopped. Only the offset is reported:
// the library's own message quotes the input, which may be screen text.
struct ErrorPositionSax : nlohmann::json_sax<nlohmann::json> {
  std::size_t position = 0;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception&) override {
    position = pos;
    return false;
  }
};

// Depth of [ and { outside strings. Checked before parsing so a line of 60000 '[' costs a scan,
// not a deep tree.
int maxNesting(std::string_view s) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
  return deepest;
}

bool isCommandName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const char* typeName(const nlohmann::json& j) {
  // json::type_name() says "number" for every number; requests care about integers.
  if (j.is_number_float()) return "a fractional number";
  if (j.is_number()) return "a number";
  return j.type_name();
}

Status badRequest(std::string message) {
  return makeError(ErrorCode::kBadRequest, std::move(message));
}

}  // namespace

bool isValidUtf8(std::string_view s, std::size_t* bad_offset) {
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (char32_t cp = 0; i < n;) {
    const std::size_t len = decodeUtf8(s, i, cp);
    if (len == 0) break;  // a stray continuation byte, an overlong form, a surrogate, > U+10FFFF
    i += len;
  }
  if (i == n) return true;
  if (bad_offset) *bad_offset = i;
  return false;
}

Status parseRequestLine(std::string_view line, IpcRequestLine& out) {
  out = IpcRequestLine{};
  if (line.empty()) return badRequest("empty request line");
  if (line.size() > kIpcMaxLineBytes)
    return makeError(ErrorCode::kLineTooLong,
                     "request line longer than " + std::to_string(kIpcMaxLineBytes) + " bytes");
  std::size_t bad = 0;
  if (!isValidUtf8(line, &bad))
    return badRequest("request is not valid UTF-8 (bad byte at offset " + std::to_string(bad) +
                      ")");
  if (maxNesting(line) > kIpcMaxNestingDepth)
    return badRequest("request nests arrays/objects deeper than " +
                      std::to_string(kIpcMaxNestingDepth) + " levels");

  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    ErrorPositionSax sax;
    nlohmann::json::sax_parse(line, &sax, nlohmann::json::input_format_t::json, /*strict=*/true);
    // nlohmann counts characters read (1-based); report the 0-based offset like the UTF-8 check.
    std::size_t offset = sax.position > 0 ? sax.position - 1 : 0;
    return badRequest("request is not valid JSON (syntax error at byte offset " +
                      std::to_string(offset) + ")");
  }
  if (!j.is_object())
    return badRequest(std::string("request must be a JSON object, not ") + typeName(j));

  auto id = j.find("id");
  if (id == j.end()) return badRequest("request has no \"id\"");
  if (id->is_number_integer() && !id->is_number_unsigned()) {
    out.id = id->get<int64_t>();
  } else if (id->is_number_unsigned() &&
             id->get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max())) {
    out.id = static_cast<int64_t>(id->get<uint64_t>());
  } else {
    return badRequest(std::string("\"id\" must be an integer, not ") + typeName(*id));
  }
  out.has_id = true;

  auto cmd = j.find("cmd");
  if (cmd == j.end()) return badRequest("request has no \"cmd\"");
  if (!cmd->is_string())
    return badRequest(std::string("\"cmd\" must be a string, not ") + typeName(*cmd));
  if (!isCommandName(cmd->get_ref<const std::string&>()))
    return badRequest("\"cmd\" must be a command name (1 to 64 of a-z, A-Z, 0-9, '-', '_', '.')");
  out.cmd = cmd->get<std::string>();

  auto args = j.find("args");
  if (args != j.end() && !args->is_null()) {
    if (!args->is_object())
      return badRequest(std::string("\"args\" must be an object, not ") + typeName(*args));
    out.args = std::move(*args);
  }
  return okStatus();
}

std::string encodeIpcLine(const nlohmann::json& message) {
  std::string s = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  s.push_back('\n');
  return s;
}

nlohmann::json makeOkReply(int64_t id, const nlohmann::json& fields) {
  nlohmann::json r = fields.is_object() ? fields : nlohmann::json::object();
  r["id"] = id;
  r["ok"] = true;
  return r;
}

nlohmann::json makeErrorReply(const int64_t* id, const Error& error) {
  nlohmann::json r = nlohmann::json::object();
  r["id"] = id ? nlohmann::json(*id) : nlohmann::json(nullptr);
  r["ok"] = false;
  r["error"] = {{"code", std::string(error.name())}, {"message", error.message}};
  return r;
}

nlohmann::json makeEvent(std::string_view name, const nlohmann::json& fields) {
  nlohmann::json e = fields.is_object() ? fields : nlohmann::json::object();
  e["event"] = std::string(name);
  return e;
}

bool boolField(const nlohmann::json& obj, const char* key, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::string stringField(const nlohmann::json& obj, const char* key, std::string fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

int64_t intField(const nlohmann::json& obj, const char* key, int64_t fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace liseur
