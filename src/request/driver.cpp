#include "request/driver.h"

#include "core/strings.h"
#include "http/uri.h"
#include "expr/request_context.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/core/signature.h"
#include "request/dir_checks.h"
#include "request/error_page.h"
#include "request/hook_services.h"
#include "request/input_chain.h"
#include "request/output_chain.h"
#include "request/subrequest.h"
#include "request/static_file.h"

#include <sonora/exchange.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>

namespace sonora::request {

using modules::core::core_module;
using modules::core::CoreDirConfig;
using modules::core::CoreServerConfig;

namespace {

constexpr int kMaxInternalRedirects = 10;

const CoreDirConfig& core_dir(const Request& r) { return *r.dir_config->get<CoreDirConfig>(core_module.index); }
const CoreServerConfig& core_server(const Request& r) { return modules::core::server_config(*r.server); }


// translate_name: core's DocumentRoot mapping, the phase's last hook
// (core's post_config gave every server a DocumentRoot).
int core_translate(Request& r, Services&) {
    const auto& document_root = core_server(r).document_root;
    std::string_view root = document_root ? std::string_view(*document_root) : std::string_view{};
    r.filename.assign(root);
    if (!r.filename.empty() && r.filename.back() == '/' && !r.uri.empty() && r.uri.front() == '/') {
        r.filename.pop_back();
    }
    r.filename.append(r.uri);
    return kOk;
}

// map_to_storage: find the longest existing prefix of the filename; what
// follows a regular file is PATH_INFO. Then the per-dir config, and what
// httpd's directory walk refuses (symlinks, .htaccess files: dir_checks.h).
int map_to_storage(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& entry) {
    r.path_info.clear();
    entry = ctx.files.lookup(r.filename, ctx.now_ms);
    // httpd's r->finfo of a missing file holds the deepest directory its walk
    // found (whose owner %{SCRIPT_USER} names).
    std::shared_ptr<const FileEntry> found_dir;
    if (!entry->exists() && (entry->error == ENOTDIR || entry->error == ENOENT)) {
        // Walk back to an existing file; httpd's directory walk does the same.
        std::size_t cut = r.filename.size();
        while (true) {
            std::size_t slash = r.filename.rfind('/', cut - 1);
            if (slash == std::string::npos) {
                break;
            }
            auto parent = ctx.files.lookup(slash == 0 ? std::string_view("/") : std::string_view(r.filename).substr(0, slash),
                                           ctx.now_ms);
            if (parent->exists()) {
                if (parent->is_regular()) {
                    r.path_info.assign(std::string_view(r.filename).substr(slash));
                    r.filename.resize(slash);
                    entry = std::move(parent);
                    break;
                }
                if (cut < r.filename.size()) {
                    // httpd's directory walk stops at the first missing
                    // segment: it ends the filename, the rest is PATH_INFO
                    // (what %{REQUEST_FILENAME} and mod_rewrite's per-dir
                    // matching see).
                    r.path_info.assign(std::string_view(r.filename).substr(cut));
                    r.filename.resize(cut);
                }
                if (parent->is_dir() && slash != 0) {  // the walk never stats "/" itself
                    found_dir = std::move(parent);
                }
                break;
            }
            if (slash == 0) {
                break;
            }
            cut = slash;
        }
    }
    r.has_finfo = entry->exists();
    if (r.has_finfo) {
        r.finfo = entry->st;
    } else if (found_dir != nullptr) {
        r.finfo = found_dir->st;
    } else {
        r.finfo = {};
    }
    // The per-dir config and httpd's directory walk: symlink refusals and
    // the access files, before any access check can grant.
    static thread_local std::vector<AccessFileHit> access_files;
    if (int status = check_directory_walk(r, ctx.walker, *entry, access_files); status != 0) {
        return status;
    }
    ctx.walker.export_match_env(r);
    if (!entry->exists() && entry->error == EACCES) {
        return 403;
    }
    return 0;
}

// LimitInternalRecursion's first number (httpd's default 10).
int max_redirects(const Request& r) {
    return r.server != nullptr ? core_server(r).limit_internal_redirects.value_or(kMaxInternalRedirects)
                               : kMaxInternalRedirects;
}

// Makes `target` (a local URL path, possibly with a query) the request's URI
// and runs the phases again, as httpd's internal redirect does. The first
// redirect that is not a fast one remembers what the access log calls the
// original request.
bool redirect_internally(Request& r, std::string_view target, bool fast = false) {
    const int limit = max_redirects(r);
    if (++r.redirects > limit) {
        modules::core::log_request_error(
            r, LogLevel::Error, "core", "SN00124",
            "Request exceeded the limit of " + std::to_string(limit) +
                " internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase "
                "the limit if necessary. Use 'LogLevel debug' to get a backtrace.");
        return false;
    }
    // httpd runs post_read_request for the new request (mod_setenvif's
    // server-level rules see it), unless the redirect is a fast one.
    r.post_read_pending = !fast;
    r.as_subrequest = fast;
    r.prev_dir_config = r.dir_config;
    if (!fast && !r.redirected) {
        r.redirected = true;
        r.original_uri = r.keep(r.uri);
        r.original_query = r.query;
        r.original_handler = r.keep(r.handler);
        r.original_status = r.status;
    }
    if (!fast) {
        // httpd's new request sees the old one's environment as REDIRECT_*,
        // and the status it ended with as REDIRECT_STATUS.
        for (Header& h : r.env) {
            std::pmr::string renamed("REDIRECT_", r.arena);
            renamed.append(h.name);
            h.name = r.keep(renamed);
        }
        char digits[8];
        const auto end = std::to_chars(digits, digits + sizeof digits, r.status).ptr;
        r.env_set("REDIRECT_STATUS", std::string_view(digits, static_cast<std::size_t>(end - digits)));
    }
    auto q = target.find('?');
    r.uri.assign(target.substr(0, q));
    // The new request's path is decoded as a client's (httpd's
    // ap_internal_redirect parses the URL afresh); a fast redirect's target
    // is a path already decoded (a DirectoryIndex, a negotiated variant).
    if (!fast) {
        decode_uri(r);
    }
    if (q != std::string_view::npos) {
        r.query = r.keep(target.substr(q + 1));
    } else if (!fast) {
        r.query = {};  // the new request has the target's query, here none
    }
    return true;
}

// core's fixup: ForceType and SetHandler override what the type checker found.
int core_override_type(Request& r, Services&) {
    const CoreDirConfig& core = core_dir(r);
    if (core.force_type && !equals_nocase(*core.force_type, "none")) {
        r.content_type.assign(*core.force_type);
    }
    if (core.set_handler && !equals_nocase(*core.set_handler, "none")) {
        r.handler.assign(*core.set_handler);
    }
    return kOk;
}

int run_first(std::span<const HookFn> hooks, Request& r, Services& s) {
    for (HookFn fn : hooks) {
        int rc = fn(r, s);
        if (rc != kDeclined) {
            return rc;
        }
    }
    return kDeclined;
}

int run_all(std::span<const HookFn> hooks, Request& r, Services& s) {
    for (HookFn fn : hooks) {
        int rc = fn(r, s);
        if (rc != kOk && rc != kDeclined) {
            return rc;
        }
    }
    return kOk;
}

// httpd's "configuration error" for an auth phase nobody answered.
int nobody_answered(const Request& r, std::string_view phase) {
    modules::core::log_request_error(r, LogLevel::Crit, "core", "SN00025",
                                     "configuration error:  couldn't " + std::string(phase) + ": " +
                                         std::string(r.uri));
    return 500;
}

// Authentication, then authorization with the user known: what httpd runs
// when access_checker_ex says it needs a user.
int check_user(const Pipeline& p, Request& r, Services& s) {
    int rc = run_first(p.phase(Phase::CheckUserId), r, s);
    if (rc == kDeclined) {
        return nobody_answered(r, "check user");
    }
    if (rc != kOk) {
        return rc;
    }
    if (!r.user) {
        modules::core::log_request_error(
            r, LogLevel::Error, "core", "SN00027",
            "No authentication done but request not allowed without authentication for " + std::string(r.uri) +
                ". Authentication not configured?");
        return 500;
    }
    rc = run_first(p.phase(Phase::AuthChecker), r, s);
    return rc == kDeclined ? nobody_answered(r, "check authorization") : rc;
}

// httpd's access phases under Satisfy: with All (the default) the host-based
// checks and the requirements must both pass; with Any, passing the host-based
// checks is enough, and failing them leaves the decision to the requirements.
// Requirements that need a user (access_checker_ex declines) send the request
// through authentication and authorization.
int check_access(const Pipeline& p, Request& r, Services& s) {
    const bool any = run_first(p.phase(Phase::Satisfies), r, s) == kSatisfyAny;
    int host_based = run_all(p.phase(Phase::AccessChecker), r, s);
    if (host_based == kAwaitHostName) {
        // Under Any, requirements that grant without a user settle it without
        // the name; anything else (a refusal, a password prompt) waits for it.
        auto requirements = p.phase(Phase::AccessCheckerEx);
        return any && !requirements.empty() && run_first(requirements, r, s) == kOk ? kOk : kAwaitHostName;
    }
    if (host_based == kOk && any) {
        return kOk;
    }
    if (host_based != kOk && !any) {
        return host_based;
    }
    auto requirements = p.phase(Phase::AccessCheckerEx);
    if (requirements.empty()) {
        return kOk;  // without mod_authz_core nothing is required
    }
    int rc = run_first(requirements, r, s);
    return rc == kDeclined ? check_user(p, r, s) : rc;
}

}  // namespace

HookServices::FileProbe HookServices::probe(std::string_view path) {
    auto e = ctx_.files.lookup(path, ctx_.now_ms);
    return FileProbe{e->exists(), e->is_dir(), e->is_regular()};
}

HookServices::OpenFile HookServices::open_file(std::string_view path) {
    auto e = ctx_.files.lookup(path, ctx_.now_ms);
    if (!e->exists()) {
        return OpenFile{e->error, -1, {}, 0};
    }
    if (!e->is_regular()) {
        return OpenFile{EISDIR, -1, {}, 0};
    }
    if (e->fd < 0) {
        return OpenFile{e->open_error != 0 ? static_cast<int>(e->open_error) : EACCES, -1, {}, 0};
    }
    OpenFile out{0, e->fd, e->has_content ? std::string_view(e->content) : std::string_view(),
                 static_cast<std::uint64_t>(e->st.st_size)};
    opened_ = std::move(e);
    return out;
}

bool HookServices::internal_redirect(Request& r, std::string_view target) { return redirect_internally(r, target); }

bool HookServices::internal_fast_redirect(Request& r, std::string_view target) {
    return redirect_internally(r, target, true);
}

std::unique_ptr<Subrequest> HookServices::run_subrequest(Request& r, std::string_view uri) {
    return start_subrequest(ctx_, r, uri);
}

void HookServices::note_auth_failure(Request& r) {
    if (run_first(ctx_.pipeline->phase(Phase::NoteAuthFailure), r, *this) == kDeclined) {
        modules::core::log_request_error(r, LogLevel::Error, "core", "SN00571",
                                         "need AuthType to note auth failure: " + std::string(r.uri));
    }
}

namespace {

// The phases that find the resource and decide whether it may be had:
// translate_name .. type_checker. Returns kOk or the status to answer.
// `trusted`: the merged configuration whose access decision (and user)
// carries over, as httpd trusts the request before an internal redirect and
// a subrequest's main request when they land under the same configuration.
// `file_lookup`: the filename is known (httpd's file subrequest), so neither
// the first <Location> walk nor translate_name runs.
int resolve(Request& r, Context& ctx, Services& services, std::shared_ptr<const FileEntry>& entry,
            const ConfigVector* trusted, bool file_lookup = false) {
    const Pipeline& p = *ctx.pipeline;
    int status = kOk;
    if (!file_lookup) {
        // httpd walks the <Location> sections before translate_name: its
        // hooks (mod_alias's one-argument forms) read them.
        r.dir_config = ctx.walker.location_config(*r.server, r.uri);
        ctx.walker.export_match_env(r);
        status = run_first(p.phase(Phase::TranslateName), r, services);
    }
    if (status == kOk) {
        status = map_to_storage(r, ctx, entry);
    }
    if (status == kOk) {
        // httpd's ap_if_walk: <If> sections merge last, after the walks.
        expr::RequestContext expr_ctx(r);
        r.dir_config = ctx.walker.if_config(r.dir_config, expr_ctx);
        status = run_all(p.phase(Phase::HeaderParser), r, services);
    }
    if (status == kOk && (trusted == nullptr || r.dir_config != trusted)) {
        r.user.reset();
        r.auth_type = {};
        status = check_access(p, r, services);
    }
    if (status == kOk) {
        status = run_first(p.phase(Phase::TypeChecker), r, services);
        status = status == kDeclined ? kOk : status;
    }
    return status;
}

}  // namespace

int decode_uri(Request& r) {
    const std::string raw(r.uri);
    r.uri.resize(raw.size() + 1);
    http::NormalizeOptions options;
    options.merge_slashes = modules::core::server_config(*r.server).merge_slashes.value_or(true);
    const http::PathResult pr = http::decode_request_path(raw, r.uri.data(), r.uri.size(), options);
    if (pr.status != http::PathStatus::kOk) {
        r.uri.assign(raw);
        return http::http_status(pr.status);
    }
    r.uri.resize(pr.length);
    return 0;
}

void init_subrequest(Request& sub, const Request& r, std::string_view uri) {
    sub.main = &r;
    sub.method_name = "GET";
    sub.method = Method::Get;
    sub.target = uri;
    sub.version = r.version;
    sub.headers = r.headers;
    sub.host = r.host;
    sub.time_us = r.time_us;
    sub.time_s = r.time_s;
    sub.server = r.server;
    sub.local_port = r.local_port;
    sub.host_port = r.host_port;
    sub.server_name = r.server_name;
    sub.client_ip = r.client_ip;
    sub.client_port = r.client_port;
    sub.connection = r.connection;
    sub.the_request = r.the_request;
    sub.env.assign(r.env.begin(), r.env.end());
    const std::size_t q = uri.find('?');
    sub.uri.assign(uri.substr(0, q));
    if (q != std::string_view::npos) {
        sub.query = uri.substr(q + 1);
    }
    sub.user = r.user;
    sub.auth_type = r.auth_type;
}

namespace {

// httpd's ap_sub_req_lookup_file: the file's path (apr_filepath_merge of a
// relative one onto the directory of the request's file, `.` and `..`
// resolved), and its URI: beside the request's own file, the name under
// the request's URI directory; elsewhere none.
void init_file_lookup(Request& sub, const Request& r, std::string_view target) {
    const std::string_view file = r.filename;
    const std::string_view fdir = file.substr(0, file.rfind('/') + 1);
    const std::string merged =
        resolve_file_path(!target.empty() && target.front() == '/' ? std::string(target)
                                                                   : std::string(fdir) + std::string(target));
    sub.filename.assign(merged);
    const std::string_view rest = std::string_view(merged).substr(std::min(fdir.size(), merged.size()));
    if (!fdir.empty() && merged.starts_with(fdir) && !rest.empty() && rest.find('/') == std::string_view::npos) {
        const std::string_view udir = std::string_view(r.uri).substr(0, r.uri.rfind('/') + 1);
        sub.uri.assign(std::string(udir) + std::string(rest));
    } else {
        sub.uri.clear();
    }
    sub.query = {};
}

}  // namespace

// Runs a lookup's phases on `sub`; a type_checker may make the subrequest
// another URI (MultiViews' fast redirect to the chosen variant), and the
// lookup reports where it lands. Returns 200 or the error status.
int HookServices::run_lookup(Request& sub, const Request& r, LookupBy by, std::string_view target,
                             std::shared_ptr<const FileEntry>& entry) {
    init_subrequest(sub, r, by == LookupBy::Uri ? target : std::string_view());
    if (by == LookupBy::File) {
        init_file_lookup(sub, r, target);
    }
    int status = resolve(sub, ctx_, *this, entry, r.dir_config, by == LookupBy::File);
    while (status == kRedirected) {
        sub.content_type.clear();
        sub.handler.clear();
        sub.content_encoding.clear();
        sub.content_language.clear();
        status = resolve(sub, ctx_, *this, entry, r.dir_config);
    }
    return status == kOk ? 200 : status;
}

void HookServices::inspect_lookup(const Request& r, LookupBy by, std::string_view target,
                                  const std::function<void(const Request& sub)>& visit) {
    Request sub(r.arena);
    std::shared_ptr<const FileEntry> entry;
    sub.status = run_lookup(sub, r, by, target, entry);
    visit(sub);
}

Services::Lookup HookServices::lookup_uri(const Request& r, std::string_view uri) {
    Request sub(r.arena);
    std::shared_ptr<const FileEntry> entry;
    const int status = run_lookup(sub, r, LookupBy::Uri, uri, entry);
    Lookup out;
    out.status = status;
    out.is_regular = sub.has_finfo && S_ISREG(sub.finfo.st_mode);
    out.is_dir = sub.has_finfo && S_ISDIR(sub.finfo.st_mode);
    if (auto location = find_header(sub.headers_out, "Location")) {
        out.location = *location;
    }
    out.filename = r.keep(sub.filename);
    out.path_info = sub.path_info.empty() ? std::string_view() : r.keep(sub.path_info);
    out.content_type = sub.content_type.empty() ? std::string_view() : r.keep(sub.content_type);
    out.content_encoding = sub.content_encoding.empty() ? std::string_view() : r.keep(sub.content_encoding);
    if (sub.has_finfo) {
        out.finfo = sub.finfo;
    }
    out.dir_config = sub.dir_config;
    out.user = sub.user;
    out.auth_type = sub.auth_type;
    // The strings are in the shared arena already; only the tables are copied.
    auto copy_table = [&](const std::pmr::vector<Header>& table) -> std::span<const Header> {
        if (table.empty()) {
            return {};
        }
        auto* copy = static_cast<Header*>(r.arena->allocate(sizeof(Header) * table.size(), alignof(Header)));
        std::uninitialized_copy(table.begin(), table.end(), copy);
        return {copy, table.size()};
    };
    out.err_headers_out = copy_table(sub.err_headers_out);
    out.notes = copy_table(sub.notes);
    return out;
}

namespace {

// httpd's ap_send_error_response: an error page goes out with
// err_headers_out, not with what the handler had set (a 416 loses the
// file's validators); a redirect keeps its Location, 405 and 501 their Allow.
void take_error_headers(Request& r, int status) {
    std::string_view location;
    std::string_view allow;
    for (const Header& h : r.headers_out) {
        if (location.empty() && equals_nocase(h.name, "Location")) {
            location = h.value;
        } else if (allow.empty() && equals_nocase(h.name, "Allow")) {
            allow = h.value;
        }
    }
    r.headers_out.swap(r.err_headers_out);
    r.err_headers_out.clear();
    if (((status >= 300 && status < 400) || status == 201) && !location.empty()) {
        r.headers_out.push_back({"Location", location});
    }
    if ((status == 405 || status == 501) && !allow.empty()) {
        r.headers_out.push_back({"Allow", allow});
    }
}

}  // namespace

void error_response(Request& r, Context& ctx, int status, std::string_view detail,
                    std::shared_ptr<const FileEntry>* file_ref) {
    r.status = status;
    r.error_path = true;
    r.body.kind = Body::Kind::None;
    r.body.pieces.clear();
    // A local ErrorDocument that failed in turn has made its own error page,
    // which took the headers already.
    bool headers_taken = false;
    // ErrorDocument: a text, a local URL (served with the error status) or a
    // remote URL (a redirect).
    if (r.dir_config != nullptr && r.redirects < max_redirects(r)) {
        const auto& docs = core_dir(r).error_documents;
        auto it = docs.find(status);
        if (it != docs.end()) {
            const std::string& doc = it->second;
            if (!doc.empty() && doc.front() == '/') {
                Method original = r.method;
                if (r.method != Method::Head) {
                    r.method = Method::Get;
                }
                std::shared_ptr<const FileEntry> ref;
                if (redirect_internally(r, doc)) {
                    r.headers_out.clear();
                    r.status = 200;
                    r.error_path = false;
                    process_request(r, ctx, ref);
                    r.method = original;
                    if (r.awaiting_host_name) {
                        return;  // the connection runs the request again
                    }
                    if (r.status == 200) {
                        r.status = status;  // the handler's response, as httpd's internal redirect
                        if (file_ref != nullptr) {
                            *file_ref = std::move(ref);
                        }
                        return;
                    }
                    headers_taken = r.error_path;
                    r.status = status;
                    r.error_path = true;
                }
            } else if (doc.find("://") != std::string::npos) {
                r.status = 302;
                take_error_headers(r, 302);
                r.add_header("Location", r.keep(doc));
                std::pmr::string body(r.arena);
                canned_error_body(302, r.method_name, doc, {}, {}, body);
                r.content_type.assign("text/html; charset=iso-8859-1");
                r.body.kind = Body::Kind::Memory;
                r.body.memory = r.keep(body);
                return;
            } else {
                take_error_headers(r, status);
                std::string_view text = doc;
                if (!text.empty() && text.front() == '"') {
                    text.remove_prefix(1);
                }
                r.content_type.assign("text/html; charset=iso-8859-1");
                r.body.kind = Body::Kind::Memory;
                r.body.memory = r.keep(text);
                return;
            }
        }
    }
    if (!headers_taken) {
        take_error_headers(r, status);
    }
    std::string_view location;
    for (const Header& h : r.headers_out) {
        if (equals_nocase(h.name, "Location")) {
            location = h.value;
        }
    }
    if ((status == 300 || status == 406) && detail.empty()) {
        // httpd's 300 and 406 pages end with the list a module left in this
        // note (mod_speling, mod_negotiation).
        detail = find_header(r.notes, "variant-list").value_or(std::string_view());
    }
    std::pmr::string body(r.arena);
    const auto* admin = r.server != nullptr ? &core_server(r).server_admin : nullptr;
    canned_error_body(status, r.method_name, location, detail,
                      admin != nullptr && *admin ? std::string_view(**admin) : std::string_view(), body,
                      modules::core::server_signature(r, ctx.server_banner, "<hr>\n"));
    r.content_type.assign("text/html; charset=iso-8859-1");
    r.body.kind = Body::Kind::Memory;
    r.body.memory = r.keep(body);
}

void process_request(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& file_ref) {
    HookServices services(ctx);
    const Pipeline& p = *ctx.pipeline;
    r.server_name = core_server(r).server_name ? std::string_view(*core_server(r).server_name) : std::string_view();
    if (r.redirects == 0 && r.main == nullptr) {
        run_all(p.phase(Phase::PostReadRequest), r, services);
    }
    for (;;) {
        if (r.post_read_pending) {
            r.post_read_pending = false;
            run_all(p.phase(Phase::PostReadRequest), r, services);
        }
        r.content_type.clear();
        r.handler.clear();
        r.content_encoding.clear();
        r.content_language.clear();
        r.output_filters.clear();
        r.input_filters.clear();
        r.no_local_copy = false;
        r.deferred_ranges.pending = false;
        r.context_prefix = {};
        r.context_document_root = {};
        std::shared_ptr<const FileEntry> entry;
        // After an internal redirect under the same merged configuration the
        // access decision stands (an ErrorDocument beside the refused file is
        // served) and the user is kept.
        int status = resolve(r, ctx, services, entry, r.redirects == 0 ? nullptr : r.prev_dir_config);
        if (status == kOk) {
            status = run_all(p.phase(Phase::Fixups), r, services);
        }
        if (status == kRedirected) {
            continue;
        }
        if (status == kAwaitHostName) {
            r.awaiting_host_name = true;  // the connection looks it up and runs the request again
            return;
        }
        if (status == kOk) {
            r.reached_handler = true;
            insert_output_filters(r, ctx, services);
            status = run_first(p.phase(Phase::Handler), r, services);
            if (status == kOk) {
                file_ref = services.take_opened();
            } else if (status == kDeclined) {
                status = serve_file(r, entry);  // the default handler comes last
                if (status == kOk) {
                    file_ref = std::move(entry);
                }
            }
            if (status == kRedirected) {
                continue;
            }
            if (status == kSuspended) {
                attach_output_filters(r, ctx, services);
                attach_input_filters(r, ctx, services, false);
                return;  // the connection drives r.exchange, then resume_exchange()
            }
            if (status == kOk) {
                status = attach_output_filters(r, ctx, services);
                status = status == 0 ? kOk : status;
                if (status == kOk) {
                    attach_input_filters(r, ctx, services, true);
                }
            }
        }
        if (status != kOk) {
            error_response(r, ctx, status, {}, &file_ref);
        }
        return;
    }
}

int exchange_ready(Request& r, Context& ctx, Exchange& exchange, std::int64_t now_ms) {
    HookServices services(ctx);
    return exchange.on_ready(r, services, now_ms);
}

void resume_exchange(Request& r, Context& ctx, int status, std::shared_ptr<const FileEntry>& file_ref) {
    if (status == kRedirected) {
        process_request(r, ctx, file_ref);
    } else if (status != kOk && status != kFinished) {
        error_response(r, ctx, status, {}, &file_ref);
    }
    if (r.exchange == nullptr && !r.awaiting_host_name) {
        finish_headers(r, ctx);
    }
}

// httpd's fixup_vary: the Vary fields of the response become one (tokens joined by ","), each
// token once (compared without case, the first spelling kept), so that
// modules adding the same field name (mod_rewrite on every pass, mod_deflate)
// do not repeat it.
void fixup_vary(Request& r) {
    auto is_vary = [](const Header& h) { return equals_nocase(h.name, "Vary"); };
    std::size_t fields = 0;
    for (const auto* table : {&r.err_headers_out, &r.headers_out}) {
        fields += static_cast<std::size_t>(std::count_if(table->begin(), table->end(), is_vary));
    }
    if (fields == 0) {
        return;
    }
    std::vector<std::string_view> tokens;
    for (const auto* table : {&r.err_headers_out, &r.headers_out}) {
        for (const Header& h : *table) {
            if (!is_vary(h)) {
                continue;
            }
            std::string_view rest = h.value;
            while (!rest.empty()) {
                const std::size_t comma = rest.find(',');
                std::string_view token = rest.substr(0, comma);
                while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) {
                    token.remove_prefix(1);
                }
                while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) {
                    token.remove_suffix(1);
                }
                const bool seen = std::any_of(tokens.begin(), tokens.end(),
                                              [&](std::string_view t) { return equals_nocase(t, token); });
                if (!token.empty() && !seen) {
                    tokens.push_back(token);
                }
                rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            }
        }
    }
    std::pmr::string joined(r.arena);
    for (std::string_view t : tokens) {
        joined.append(joined.empty() ? "" : ",").append(t);
    }
    // The first field keeps its place (apr_table_setn), the others go.
    const std::string_view value = r.keep(joined);
    bool placed = false;
    for (auto* table : {&r.headers_out, &r.err_headers_out}) {
        for (auto it = table->begin(); it != table->end();) {
            if (!is_vary(*it)) {
                ++it;
            } else if (!placed) {
                it->value = value;
                placed = true;
                ++it;
            } else {
                it = table->erase(it);
            }
        }
    }
}

void finish_headers(Request& r, Context& ctx) {
    if (ctx.pipeline == nullptr) {
        return;
    }
    const auto hooks = ctx.pipeline->phase(r.error_path ? Phase::ErrorHeadersOut : Phase::HeadersOut);
    if (hooks.empty()) {
        fixup_vary(r);
        return;
    }
    HookServices services(ctx);
    for (HookFn fn : hooks) {
        fn(r, services);
    }
    fixup_vary(r);
}

void log_transaction(Request& r, Context& ctx) {
    if (ctx.pipeline == nullptr || ctx.pipeline->phase(Phase::LogTransaction).empty()) {
        return;
    }
    HookServices services(ctx);
    run_all(ctx.pipeline->phase(Phase::LogTransaction), r, services);
}

Pipeline::Pipeline(const config::Generation& gen) {
    HookRegistry registry;
    registry.add(Phase::TranslateName, core_translate, HookOrder::ReallyLast);
    registry.add(Phase::Fixups, core_override_type, HookOrder::ReallyFirst);
    for (const auto& l : gen.modules.loaded()) {
        if (l.module->register_hooks != nullptr) {
            l.module->register_hooks(registry);
        }
    }
    for (std::size_t i = 0; i < phases_.size(); ++i) {
        phases_[i] = registry.frozen(static_cast<Phase>(i));
    }
    filters_ = registry.output_filters();
    input_filters_ = registry.input_filters();
}

}  // namespace sonora::request
