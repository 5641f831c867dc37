#include "plugins/plugin_chain.h"

#include "core/log.h"

namespace liseur::plugins {
namespace {

using nlohmann::json;

Error invalid(std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message));
}

Result<json> parseObject(const std::string& reply) {
  json j = json::parse(reply, nullptr, false);
  if (j.is_discarded()) return invalid("the reply is not valid JSON");
  if (!j.is_object()) return invalid("the reply is not a JSON object");
  return j;
}

std::string dumpSafe(const json& j) {
  // OCR text may hold invalid UTF-8: replace it rather than fail the whole job.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

Result<Document> adaptReplyDocument(const std::string& reply) {
  auto j = parseObject(reply);
  if (!j) return j.error();
  auto it = j->find("document");
  if (it == j->end()) return invalid("the reply has no \"document\"");
  auto doc = documentFromJson(*it);
  if (!doc) return invalid("the reply's document is invalid: " + doc.error().message);
  // Blocks are numbered by position after a plugin moved them around: speech and word refs rely
  // on block.index being the position.
  for (std::size_t i = 0; i < doc->blocks.size(); ++i) doc->blocks[i].index = static_cast<int>(i);
  return doc;
}

Result<std::vector<Utterance>> speakReplyUtterances(const std::string& reply, const Document& doc) {
  auto j = parseObject(reply);
  if (!j) return j.error();
  auto it = j->find("utterances");
  if (it == j->end() || !it->is_array()) return invalid("the reply has no \"utterances\" array");
  std::vector<Utterance> out;
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto u = utteranceFromJson((*it)[i]);
    const std::string where = "utterances[" + std::to_string(i) + "]";
    if (!u) return invalid(where + ": " + u.error().message);
    for (const auto& w : u->words) {
      if (w.block < 0) continue;  // synthetic text ("Tableau", a pause marker)
      bool ok = static_cast<std::size_t>(w.block) < doc.blocks.size();
      if (ok && w.line >= 0) {
        const Block& b = doc.blocks[w.block];
        ok = static_cast<std::size_t>(w.line) < b.lines.size() &&
             (w.word < 0 || static_cast<std::size_t>(w.word) < b.lines[w.line].words.size());
      }
      if (!ok)
        return invalid(where + ": a word ref (block " + std::to_string(w.block) + ", line " +
                       std::to_string(w.line) + ", word " + std::to_string(w.word) +
                       ") is outside the document");
    }
    out.push_back(std::move(u).value());
  }
  return out;
}

Result<std::string> renderReplyHtml(const std::string& reply) {
  auto j = parseObject(reply);
  if (!j) return j.error();
  auto it = j->find("html");
  if (it == j->end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return invalid("the reply has no \"html\" text");
  return it->get<std::string>();
}

enum class JobKind { kAdapt, kSpeak, kRender };

struct PluginChain::Job {
  JobId id = 0;
  JobKind kind = JobKind::kAdapt;
  Document document;
  std::vector<std::string> steps;
  std::size_t next = 0;
  std::vector<PluginFault> faults;
  PluginHostClient::CallId call = 0;
  RenderRequest render;
  std::vector<Utterance> utterances;
  std::string producer;
  std::optional<std::string> html;
  bool done = false;  // speak/render: a plugin succeeded
  std::function<void(AdaptResult)> onAdapt;
  std::function<void(SpeakResult)> onSpeak;
  std::function<void(RenderResult)> onRender;
};

PluginChain::PluginChain(EventLoop& loop, PluginHostClient::Options hostOptions)
    : loop_(loop), host_(loop, std::move(hostOptions)) {}

PluginChain::~PluginChain() {
  *alive_ = false;
  jobs_.clear();
  host_.shutdown();
}

std::vector<Error> PluginChain::configure(std::vector<PluginSpec> chain) {
  std::vector<Error> problems;
  members_.clear();
  // The host applies the same search path and rules; reading the manifests here tells which
  // hooks each plugin has without asking the host, and lets `liseur plugins` explain a refusal.
  PluginScan scan = listPlugins(host_.options().extra_dirs);
  std::vector<PluginSpec> load;
  for (auto& spec : chain) {
    Member m;
    m.spec = spec;
    const PluginInfo* info = findPlugin(scan, spec.id);
    if (!info) {
      m.error = makeError(ErrorCode::kFileNotFound, "plugin '" + spec.id + "' is not installed");
    } else if (info->state != PluginState::kAvailable) {
      m.error = makeError(info->error->code, "plugin '" + spec.id + "': " + info->error->message);
    } else if (auto opts = resolveOptions(*info->manifest, spec.options); !opts) {
      m.error = opts.error();
    } else {
      m.manifest = info->manifest;
      load.push_back(spec);
    }
    if (m.error) {
      spdlog::warn("{}", m.error->message);
      problems.push_back(*m.error);
    }
    members_.push_back(std::move(m));
  }
  host_.setPlugins(std::move(load));
  return problems;
}

std::vector<std::string> PluginChain::withHook(const std::string& hook) const {
  std::vector<std::string> out;
  for (const auto& m : members_)
    if (m.manifest && m.manifest->hasHook(hook)) out.push_back(m.spec.id);
  return out;
}

PluginChain::JobId PluginChain::adapt(Document document, std::function<void(AdaptResult)> done) {
  auto job = std::make_shared<Job>();
  job->id = nextJob_++;
  job->kind = JobKind::kAdapt;
  job->document = std::move(document);
  job->steps = withHook("adapt");
  job->onAdapt = std::move(done);
  jobs_[job->id] = job;
  step(job);
  return job->id;
}

PluginChain::JobId PluginChain::speak(Document document, std::function<void(SpeakResult)> done) {
  auto job = std::make_shared<Job>();
  job->id = nextJob_++;
  job->kind = JobKind::kSpeak;
  job->document = std::move(document);
  job->steps = withHook("speak");
  job->onSpeak = std::move(done);
  jobs_[job->id] = job;
  step(job);
  return job->id;
}

PluginChain::JobId PluginChain::render(Document document, RenderRequest request,
                                       std::function<void(RenderResult)> done) {
  auto job = std::make_shared<Job>();
  job->id = nextJob_++;
  job->kind = JobKind::kRender;
  job->document = std::move(document);
  if (!request.plugin.empty())
    job->steps = {request.plugin};
  else
    job->steps = withHook("render");
  job->render = std::move(request);
  job->onRender = std::move(done);
  jobs_[job->id] = job;
  step(job);
  return job->id;
}

void PluginChain::cancel(JobId id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  host_.cancel(it->second->call);
  jobs_.erase(it);
}

void PluginChain::step(const std::shared_ptr<Job>& job) {
  if (job->done || job->next >= job->steps.size()) {
    // Always finish from the loop, so a callback never runs inside adapt()/speak()/render().
    auto alive = alive_;
    loop_.post([this, alive, job] {
      if (*alive) finish(job);
    });
    return;
  }
  const std::string plugin = job->steps[job->next++];
  const char* hook = job->kind == JobKind::kAdapt   ? "adapt"
                     : job->kind == JobKind::kSpeak ? "speak"
                                                    : "render";
  json request{{"document", toJson(job->document)}};
  std::chrono::milliseconds timeout{0};
  if (job->kind == JobKind::kRender) {
    request["options"] = job->render.options.is_object() ? job->render.options : json::object();
    if (!job->render.narration.is_null()) request["narration"] = job->render.narration;
    timeout = job->render.timeout;
  }
  auto alive = alive_;
  job->call = host_.call(
      plugin, hook, dumpSafe(request),
      [this, alive, job, plugin, hook = std::string(hook)](Result<std::string> reply) {
        if (!*alive || !jobs_.count(job->id)) return;  // cancelled
        std::optional<Error> err;
        if (!reply) {
          err = reply.error();
        } else if (job->kind == JobKind::kAdapt) {
          auto doc = adaptReplyDocument(*reply);
          if (doc)
            job->document = std::move(doc).value();
          else
            err = doc.error();
        } else if (job->kind == JobKind::kSpeak) {
          auto utts = speakReplyUtterances(*reply, job->document);
          if (utts) {
            job->utterances = std::move(utts).value();
            job->producer = plugin;
            job->done = true;
          } else {
            err = utts.error();
          }
        } else {
          auto html = renderReplyHtml(*reply);
          if (html) {
            job->html = std::move(html).value();
            job->producer = plugin;
            job->done = true;
          } else {
            err = html.error();
          }
        }
        if (err) {
          // Host errors already name the plugin; validation errors do not.
          if (err->message.find("plugin '" + plugin + "'") == std::string::npos)
            err->message = "plugin '" + plugin + "' " + hook + ": " + err->message;
          spdlog::warn("{}", err->message);
          job->faults.push_back(PluginFault{plugin, hook, *err});
        }
        step(job);
      },
      timeout);
}

void PluginChain::finish(const std::shared_ptr<Job>& job) {
  if (!jobs_.erase(job->id)) return;  // cancelled meanwhile
  switch (job->kind) {
    case JobKind::kAdapt:
      job->onAdapt(AdaptResult{std::move(job->document), std::move(job->faults)});
      break;
    case JobKind::kSpeak: {
      SpeakResult r;
      if (job->done) {
        r.utterances = std::move(job->utterances);
        r.plugin = job->producer;
      } else {
        for (const auto& b : job->document.blocks) {
          auto u = defaultUtterances(b);
          r.utterances.insert(r.utterances.end(), u.begin(), u.end());
        }
      }
      r.faults = std::move(job->faults);
      job->onSpeak(std::move(r));
      break;
    }
    case JobKind::kRender:
      job->onRender(RenderResult{std::move(job->html), job->producer, std::move(job->faults)});
      break;
  }
}

std::vector<PluginStatus> PluginChain::status() const {
  std::vector<PluginStatus> out;
  auto loads = host_.loadStatus();
  for (const auto& m : members_) {
    PluginStatus s;
    s.id = m.spec.id;
    if (!m.manifest) {
      s.state = "unavailable";
      s.error = m.error;
    } else {
      s.hooks = m.manifest->hooks;
      auto it = loads.find(m.spec.id);
      if (it == loads.end())
        s.state = "loading";
      else if (it->second)
        s.state = "ready";
      else {
        s.state = "failed";
        s.error = it->second.error();
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace liseur::plugins
