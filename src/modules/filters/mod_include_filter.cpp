// mod_include's INCLUDES output filter: drives the SSI processor
// (include/ssi_processor.h) over the response body. `include` and `exec cgi`
// run subrequests (Services::run_subrequest) whose output is passed on in
// place, a script's included as it comes; `exec cmd` runs the command with
// the shell. Also httpd's include_fixup: the server-parsed handler and
// XBitHack add the filter. Beyond httpd, a file's scan is kept per thread
// (include/ssi_document_cache.h) and replayed while the file is unchanged.

#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/filters/include/ssi_document_cache.h"
#include "modules/filters/mod_include.h"
#include "modules/generators/mod_cgi_env.h"
#include "core/strings.h"
#include "expr/request_context.h"
#include "os/reaper.h"
#include "os/spawn.h"

#include <sonora/filter.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace sonora::modules::filters {

namespace {

using core::core_module;
using core::CoreDirConfig;

// httpd's default LimitInternalRecursion for subrequests: nested includes
// (an include loop) stop here.
constexpr int kMaxNesting = 10;

constexpr std::string_view kFilterName = "INCLUDES";

bool is_directory_uri(std::string_view uri) { return !uri.empty() && uri.back() == '/'; }

// The SSI processor's view of the request: its environment, lookups
// through subrequests, its error log. Bound to the request for each call:
// the connection moves the Request between calls.
class RequestHost final : public ssi::SsiHost {
public:
    void bind(request::Request& r, Services* services) {
        r_ = &r;
        services_ = services;
        expr_.emplace(r);
    }

    std::optional<std::string> env_get(std::string_view name) override {
        if (auto v = r_->env_get(name)) {
            return std::string(*v);
        }
        return std::nullopt;
    }
    void env_set(std::string_view name, std::string_view value) override { r_->env_set(name, value); }
    std::vector<std::pair<std::string, std::string>> env_list() override {
        std::vector<std::pair<std::string, std::string>> out;
        for (const request::Header& h : r_->env) {
            out.emplace_back(std::string(h.name), std::string(h.value));
        }
        return out;
    }
    std::optional<ssi::FileFacts> stat_file(ssi::FileRef ref, std::string_view path) override {
        if (services_ == nullptr) {
            return std::nullopt;
        }
        const Services::Lookup found = services_->lookup_uri(*r_, target_uri(*r_, ref, path));
        if (found.status >= 400 || !found.is_regular) {
            return std::nullopt;
        }
        return ssi::FileFacts{static_cast<std::int64_t>(found.finfo.st_size), found.finfo.st_mtime};
    }
    bool uri_accessible(std::string_view uri) override {
        return services_ != nullptr && services_->lookup_uri(*r_, uri).status < 400;
    }
    expr::Context& expr_context() override { return *expr_; }
    void log(LogLevel level, std::string_view id, std::string_view message) override {
        core::log_request_error(*r_, level, "include", id, std::string(message));
    }

    // A `file=` path is relative to the document's directory; httpd looks it
    // up as a file beside the document, which maps to the same URL there.
    static std::string target_uri(const request::Request& r, ssi::FileRef ref, std::string_view path) {
        if (ref == ssi::FileRef::Virtual && !path.empty() && path.front() == '/') {
            return std::string(path);
        }
        std::string_view dir = r.uri;
        return std::string(dir.substr(0, dir.rfind('/') + 1)).append(path);
    }

private:
    request::Request* r_ = nullptr;
    std::optional<expr::RequestContext> expr_;
    Services* services_ = nullptr;
};

int nesting(const request::Request& r) {
    int depth = 0;
    for (const request::Request* m = r.main; m != nullptr; m = m->main) {
        ++depth;
    }
    return depth;
}

class IncludeFilter final : public OutputFilter {
public:
    // With a key, the document is the file it names: its scan is replayed
    // from the cache, or recorded for it.
    IncludeFilter(request::Request& r, Services& services, ssi::Settings settings, ssi::Document document,
                  std::optional<ssi::DocumentKey> key)
        : processor_((host_.bind(r, &services), std::move(settings)), std::move(document), host_),
          key_(std::move(key)) {
        if (!key_) {
            return;
        }
        if (auto scan = ssi::DocumentCache::for_this_thread().find(*key_)) {
            processor_.replay(std::move(scan));
            key_.reset();
        } else {
            processor_.record(static_cast<std::uint64_t>(key_->size));
        }
    }

    ~IncludeFilter() override { end_command(); }

    Exchange::Output pull(BodySource& upstream, request::Request& r, Services& services, std::int64_t now_ms) override {
        host_.bind(r, &services);
        for (;;) {
            if (sub_) {
                if (auto o = from_subrequest(now_ms)) {
                    return *o;
                }
                continue;
            }
            if (command_.pid > 0 || command_.out >= 0) {
                if (auto o = from_command(r)) {
                    return *o;
                }
                continue;
            }
            const ssi::Action a = processor_.next();
            switch (a.kind) {
                case ssi::Action::Kind::Output:
                    if (a.output.empty()) {
                        continue;
                    }
                    // httpd's mod_include passes its output on before the
                    // end: the response never gets a Content-Length.
                    return Exchange::Output{a.output, false, false, true};
                case ssi::Action::Kind::NeedInput: {
                    if (input_done_) {
                        processor_.finish();
                        continue;
                    }
                    const Exchange::Output in = upstream.pull(r, now_ms);
                    if (!in.bytes.empty()) {
                        processor_.feed(in.bytes);
                    } else if (in.end) {
                        input_done_ = true;
                        failed_ = in.failed;
                        processor_.finish();
                    } else {
                        return {};  // the source waits
                    }
                    continue;
                }
                case ssi::Action::Kind::Include:
                    start_include(r, services, a);
                    continue;
                case ssi::Action::Kind::Exec:
                    if (a.exec == ssi::ExecKind::Cgi) {
                        start_include(r, services, a);
                    } else {
                        start_command(r, services, a.target);
                    }
                    continue;
                case ssi::Action::Kind::Done:
                    keep_scan();
                    return Exchange::Output{{}, true, failed_};
            }
        }
    }

    Exchange::Watch watch() const override {
        if (sub_) {
            return sub_->watch();
        }
        Exchange::Watch w;
        w.output = command_.out;
        w.errors = command_.err;
        return w;
    }

    std::int64_t deadline_ms() const override { return sub_ ? sub_->deadline_ms() : 0; }

    void on_ready(request::Request& r, Services& services, std::int64_t now_ms) override {
        host_.bind(r, &services);
        if (sub_) {
            sub_->poll(now_ms);
        }
        drain_errors(r);
    }

private:
    // Only a scan of the whole file as it was when the request began.
    void keep_scan() {
        if (key_ && !failed_) {
            if (auto scan = processor_.take_scan()) {
                ssi::DocumentCache::for_this_thread().insert(*key_, std::move(scan));
            }
        }
        key_.reset();
    }

    void start_include(request::Request& r, Services& services, const ssi::Action& a) {
        if (nesting(r) + 1 > kMaxNesting) {
            core::log_request_error(r, LogLevel::Error, "core", "SN00125",
                                    "Request exceeded the limit of " + std::to_string(kMaxNesting) +
                                        " subrequest nesting levels due to probable configuration error. Use "
                                        "'LimitInternalRecursion' to increase the limit if necessary. Use "
                                        "'LogLevel debug' to get a backtrace.");
            processor_.resume(ssi::IncludeOutcome{ssi::IncludeOutcome::Status::SetupFailed, 500});
            return;
        }
        const std::string uri = RequestHost::target_uri(r, a.ref, a.target);
        if (is_directory_uri(uri) && a.ref == ssi::FileRef::File) {
            processor_.resume(ssi::IncludeOutcome{ssi::IncludeOutcome::Status::SetupFailed, 404});
            return;
        }
        sub_ = services.run_subrequest(r, uri);
        sub_no_exec_ = a.no_exec;
        sub_started_ = false;
    }

    // The include's next bytes, or nullopt once it has ended (resumed).
    std::optional<Exchange::Output> from_subrequest(std::int64_t now_ms) {
        if (!sub_started_) {
            const int status = sub_->poll(now_ms);
            if (status == kDeclined) {
                return Exchange::Output{};
            }
            sub_started_ = true;
            const request::Request& sr = sub_->request();
            if (status != 200) {
                finish_include(sr.reached_handler ? ssi::IncludeOutcome::Status::RunFailed
                                                  : ssi::IncludeOutcome::Status::SetupFailed,
                               status);
                return std::nullopt;
            }
            if (sub_no_exec_ && !starts_with_nocase(sr.content_type, "text/")) {
                finish_include(ssi::IncludeOutcome::Status::NotText, 0);
                return std::nullopt;
            }
        }
        sub_->poll(now_ms);  // keeps a script's error output flowing
        const Exchange::Output o = sub_->next_output(now_ms);
        if (!o.bytes.empty()) {
            return Exchange::Output{o.bytes, false, false, true};
        }
        if (!o.end) {
            return Exchange::Output{};
        }
        finish_include(o.failed ? ssi::IncludeOutcome::Status::RunFailed : ssi::IncludeOutcome::Status::Ok, 0);
        return std::nullopt;
    }

    void finish_include(ssi::IncludeOutcome::Status status, int code) {
        sub_.reset();
        processor_.resume(ssi::IncludeOutcome{status, code});
    }

    // httpd's include_cmd: the shell runs the command in the document's
    // directory with the SSI variables as its environment.
    void start_command(request::Request& r, Services&, std::string_view cmd) {
        processor_.materialize_lazy();
        os::SpawnRequest req;
        req.path = "/bin/sh";
        req.argv = {"/bin/sh", "-c", std::string(cmd)};
        for (const request::Header& h : r.env) {
            req.env.push_back(std::string(h.name).append("=").append(h.value));
        }
        std::string_view file = r.filename;
        req.cwd = std::string(file.substr(0, file.rfind('/') + 1));
        req.want_stdin = false;
        command_ = os::spawn(req);
        if (command_.pid < 0) {
            core::log_request_error(r, LogLevel::Error, "include", "SN01238",
                                    "couldn't create child process: " + std::to_string(command_.error) + ": " +
                                        std::string(cmd));
            processor_.resume(ssi::IncludeOutcome{ssi::IncludeOutcome::Status::RunFailed, 500});
        }
    }

    std::optional<Exchange::Output> from_command(request::Request& r) {
        if (command_.out >= 0) {
            buffer_.resize(16384);
            const ssize_t n = ::read(command_.out, buffer_.data(), buffer_.size());
            if (n > 0) {
                return Exchange::Output{std::string_view(buffer_.data(), static_cast<std::size_t>(n)), false, false,
                                        true};
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                return Exchange::Output{};
            }
        }
        // The command is done: what it said on stderr before its end is
        // logged now, before its pipes close (httpd's shell writes to the
        // error log itself).
        drain_errors(r);
        end_command();
        processor_.resume(ssi::IncludeOutcome{});
        return std::nullopt;
    }

    void drain_errors(request::Request& r) {
        if (command_.err < 0) {
            return;
        }
        char buf[4096];
        ssize_t n;
        while ((n = ::read(command_.err, buf, sizeof buf)) > 0) {
            std::string_view text(buf, static_cast<std::size_t>(n));
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
                text.remove_suffix(1);
            }
            if (!text.empty()) {
                core::log_request_error(r, LogLevel::Error, "include", "SN01215", std::string(text));
            }
        }
        if (n == 0) {
            os::close_descriptor(command_.err);
        }
    }

    void end_command() {
        os::close_pipes(command_);
        if (command_.pid > 0) {
            os::reap_later(command_.pid);
            command_.pid = -1;
        }
    }

    RequestHost host_;
    ssi::Processor processor_;
    std::optional<ssi::DocumentKey> key_;  // the scan is being recorded for this file
    std::unique_ptr<Subrequest> sub_;
    bool sub_no_exec_ = false;
    bool sub_started_ = false;
    os::Spawned command_;
    std::string buffer_;
    bool input_done_ = false;
    bool failed_ = false;
};

// USER_NAME: the file owner's name. getpwuid_r reads /etc/passwd each
// time, so names are kept per thread (a renamed user shows at restart).
const std::string& owner_name(uid_t uid) {
    thread_local std::unordered_map<uid_t, std::string> names;
    auto it = names.find(uid);
    if (it != names.end()) {
        return it->second;
    }
    passwd pw{};
    passwd* found = nullptr;
    char buf[1024];
    std::string name = "<unknown>";
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
        name = found->pw_name;
    }
    return names.emplace(uid, std::move(name)).first->second;
}

// INCLUDES reads the handler's file itself only when no filter comes before
// it (one that would is of type Resource, or not known by name: mod_filter's).
bool reads_handler_body(const request::Request& r, Services& services) {
    bool seen = false;
    for (std::string_view name : r.output_filters) {
        if (equals_nocase(name, kFilterName)) {
            if (seen) {
                return false;  // twice: the second reads the first's output
            }
            seen = true;
            continue;
        }
        const OutputFilterSpec* spec = services.find_output_filter(name);
        if (!seen && (spec == nullptr || spec->type <= FilterType::Resource)) {
            return false;
        }
    }
    return seen;
}

// The document's cache key when it is a whole regular file small enough to
// keep a scan of. The stat is the one the handler's file cache entry holds,
// the same the body's bytes were read under.
std::optional<ssi::DocumentKey> document_key(const request::Request& r, Services& services,
                                             const ssi::Settings& settings) {
    const struct stat& st = r.finfo;
    const request::Body& body = r.body;
    if (!r.has_finfo || !S_ISREG(st.st_mode) || body.kind != request::Body::Kind::File || !body.pieces.empty() ||
        body.offset != 0 || body.length != static_cast<std::uint64_t>(st.st_size) ||
        st.st_size > ssi::DocumentCache::kMaxDocumentSize || !reads_handler_body(r, services)) {
        return std::nullopt;
    }
    constexpr std::int64_t kNs = 1'000'000'000;
    ssi::DocumentKey key;
    key.device = st.st_dev;
    key.inode = st.st_ino;
    key.start_tag = settings.start_tag;
    key.end_tag = settings.end_tag;
    key.size = st.st_size;
    key.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * kNs + st.st_mtim.tv_nsec;
    key.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * kNs + st.st_ctim.tv_nsec;
    return key;
}

bool group_executable(const request::Request& r) { return r.has_finfo && (r.finfo.st_mode & S_IXGRP) != 0; }

std::unique_ptr<OutputFilter> make_includes(request::Request& r, Services& services) {
    const unsigned options = r.dir_config->get<CoreDirConfig>(core_module.index)->effective_options();
    if ((options & core::kOptIncludes) == 0) {
        core::log_request_error(r, LogLevel::Error, "include", "SN01374",
                                "mod_include: Options +Includes (or IncludesNoExec) wasn't set, INCLUDES filter "
                                "removed: " +
                                    std::string(r.uri));
        return nullptr;
    }
    const auto* dir = r.dir_config->get<IncludeDirConfig>(include_module.index);
    const auto* srv = r.server->module_config.get<IncludeServerConfig>(include_module.index);
    const bool no_exec = (options & core::kOptIncWithExec) == 0;
    const bool exec_available = true;  // Sonora's scripts need no mod_cgi for the shell
    ssi::Settings settings = ssi_settings(dir, srv, no_exec, exec_available);
    settings.nested = r.main != nullptr;
    if (!settings.nested) {
        // httpd's ap_add_common_vars and ap_add_cgi_vars: what printenv
        // shows and a command sees.
        for (const std::string& kv : generators::cgi_environment(r, services)) {
            const std::size_t eq = kv.find('=');
            if (eq != std::string::npos) {
                r.env_set(std::string_view(kv).substr(0, eq), std::string_view(kv).substr(eq + 1));
            }
        }
    }
    ssi::Document doc;
    doc.uri = r.uri;
    doc.filename = r.filename;
    doc.path_info = r.path_info;
    if (r.target.find('?') != std::string_view::npos) {
        doc.args = std::string(r.query);
    }
    doc.request_time = static_cast<std::time_t>(r.time_s);
    doc.mtime = r.has_finfo ? r.finfo.st_mtime : 0;
    doc.owner = r.has_finfo ? owner_name(r.finfo.st_uid) : "<unknown>";

    // The output is made per request: its length and validators are not
    // the file's (RFC 2616 13.3.4), unless configured otherwise.
    r.body.length_declared = false;
    const bool keep_last_modified = dir != nullptr && dir->last_modified.value_or(false);
    const bool full = dir != nullptr && dir->xbithack.value_or(XBitHack::Off) == XBitHack::Full;
    if (!keep_last_modified && !(full && group_executable(r))) {
        r.remove_header("Last-Modified");
    }
    if (dir == nullptr || !dir->etag.value_or(false)) {
        r.remove_header("ETag");
    }
    std::optional<ssi::DocumentKey> key = document_key(r, services, settings);
    return std::make_unique<IncludeFilter>(r, services, std::move(settings), std::move(doc), std::move(key));
}

// httpd's includes_setup, before the handler: the file's validators will not
// describe the parsed output, so no conditional answer (304) is made from
// them, unless XBitHack full vouches for the file; and no ETag unless SSIETag.
void init_includes(request::Request& r) {
    const auto* dir = r.dir_config->get<IncludeDirConfig>(include_module.index);
    const bool full = dir != nullptr && dir->xbithack.value_or(XBitHack::Off) == XBitHack::Full;
    if (!full || !group_executable(r)) {
        r.no_local_copy = true;
    }
    if (dir == nullptr || !dir->etag.value_or(false)) {
        r.notes.push_back({"no-etag", ""});
    }
}

const OutputFilterSpec kIncludes{kFilterName, FilterType::Resource, make_includes, init_includes};

// httpd's include_fixup: the legacy server-parsed handler and XBitHack
// (a user-executable text/html file) put INCLUDES on the response.
int include_fixup(request::Request& r, Services&) {
    if (equals_nocase(r.handler, "server-parsed")) {
        if (r.content_type.empty()) {
            r.content_type.assign("text/html");
        }
        r.handler.assign("default-handler");
    } else {
        const auto* dir = r.dir_config->get<IncludeDirConfig>(include_module.index);
        if (dir == nullptr || dir->xbithack.value_or(XBitHack::Off) == XBitHack::Off || !r.has_finfo ||
            !starts_with_nocase(r.content_type, "text/html")) {
            return kDeclined;
        }
        // The mode bits as they are now, as httpd reads them for each
        // request: a chmod is the switch, and the file cache may hold a
        // stat from before it.
        struct stat now {};
        if (::stat(r.filename.c_str(), &now) == 0) {
            r.finfo.st_mode = now.st_mode;
        }
        if ((r.finfo.st_mode & S_IXUSR) == 0) {
            return kDeclined;
        }
    }
    r.output_filters.push_back(kFilterName);
    return kDeclined;
}

}  // namespace

void include_register_hooks(HookRegistry& hooks) {
    hooks.add_output_filter(kIncludes);
    hooks.add(Phase::Fixups, include_fixup, HookOrder::Middle);
}

}  // namespace sonora::modules::filters
