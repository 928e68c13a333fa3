#include "request/driver.h"

#include "core/strings.h"
#include "modules/aaa/mod_authz_core.h"
#include "modules/core/core_config.h"
#include "modules/mappers/mod_dir.h"
#include "modules/metadata/mod_mime.h"
#include "request/authz.h"
#include "request/error_page.h"
#include "request/static_file.h"

#include <cerrno>

namespace sonora::request {

using modules::core::core_module;
using modules::core::CoreDirConfig;
using modules::core::CoreServerConfig;

namespace {

constexpr int kMaxInternalRedirects = 10;
constexpr int kDone = -1;

const CoreDirConfig& core_dir(const Request& r) { return *r.dir_config->get<CoreDirConfig>(core_module.index); }
const CoreServerConfig& core_server(const Request& r) { return modules::core::server_config(*r.server); }

std::string_view document_root(const Request& r, const config::Generation& gen) {
    const auto& c = core_server(r);
    if (c.document_root) {
        return *c.document_root;
    }
    static thread_local std::string fallback;
    fallback = gen.server_root + "/htdocs";
    return fallback;
}

// translate_name: the core's DocumentRoot mapping.
void translate_name(Request& r, const config::Generation& gen) {
    std::string_view root = document_root(r, gen);
    r.filename.assign(root);
    if (!r.filename.empty() && r.filename.back() == '/' && !r.uri.empty() && r.uri.front() == '/') {
        r.filename.pop_back();
    }
    r.filename.append(r.uri);
}

// map_to_storage: find the longest existing prefix of the filename; what
// follows a regular file is PATH_INFO. Then the per-dir config.
int map_to_storage(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& entry) {
    r.path_info.clear();
    entry = ctx.files.lookup(r.filename, ctx.now_ms);
    if (!entry->exists() && (entry->error == ENOTDIR || entry->error == ENOENT)) {
        // Walk back to an existing file; httpd's directory walk does the same.
        std::size_t cut = r.filename.size();
        while (true) {
            std::size_t slash = r.filename.rfind('/', cut - 1);
            if (slash == std::string::npos || slash == 0) {
                break;
            }
            auto parent = ctx.files.lookup(std::string_view(r.filename).substr(0, slash), ctx.now_ms);
            if (parent->exists()) {
                if (parent->is_regular()) {
                    r.path_info.assign(std::string_view(r.filename).substr(slash));
                    r.filename.resize(slash);
                    entry = std::move(parent);
                }
                break;
            }
            cut = slash;
        }
    }
    r.has_finfo = entry->exists();
    if (r.has_finfo) {
        r.finfo = entry->st;
    }
    r.dir_config = ctx.walker.dir_config(*r.server, r.filename, entry->is_dir(), r.uri);
    if (!entry->exists() && entry->error == EACCES) {
        return 403;
    }
    return 0;
}

// access: mod_authz_core's requirement tree (providers all, method, ip,
// local; others are not evaluated yet and count as not granting).
int access_checker(Request& r) {
    using modules::aaa::authz_core_module;
    const auto* authz = r.dir_config->get<modules::aaa::AuthzCoreDirConfig>(authz_core_module.index);
    if (authz == nullptr || !authz->section) {
        return 0;
    }
    return authorize(*authz->section, r) == AuthzResult::Granted ? 0 : 403;
}

// type_checker: mod_mime by extensions (every dot-separated part of the
// name after the first), then ForceType / SetHandler.
void type_checker(Request& r) {
    using modules::metadata::mime_module;
    using modules::metadata::MimeDirConfig;
    using modules::metadata::MimeServerConfig;
    r.content_type.clear();
    r.handler.clear();
    r.content_encoding.clear();
    r.content_language.clear();
    if (r.has_finfo && S_ISDIR(r.finfo.st_mode)) {
        r.content_type.assign("httpd/unix-directory");
    } else {
        const auto* dir = r.dir_config->get<MimeDirConfig>(mime_module.index);
        const auto* srv = r.server->module_config.get<MimeServerConfig>(mime_module.index);
        std::string_view name = r.filename;
        name = name.substr(name.rfind('/') + 1);
        std::size_t dot = name.find('.');
        char lower[64];
        while (dot != std::string_view::npos) {
            std::size_t next = name.find('.', dot + 1);
            std::string_view ext = name.substr(dot + 1, next == std::string_view::npos ? std::string_view::npos
                                                                                        : next - dot - 1);
            dot = next;
            if (ext.empty() || ext.size() >= sizeof lower) {
                continue;
            }
            for (std::size_t i = 0; i < ext.size(); ++i) {
                char c = ext[i];
                lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            }
            std::string_view key(lower, ext.size());
            const modules::metadata::ExtensionInfo* info = dir != nullptr ? dir->find(key) : nullptr;
            if (info != nullptr && info->type) {
                r.content_type.assign(*info->type);
            } else if (srv != nullptr && srv->types) {
                if (const std::string* t = srv->types->find(key)) {
                    r.content_type.assign(*t);
                }
            }
            if (info != nullptr && info->handler) {
                r.handler.assign(*info->handler);
            }
            if (info != nullptr && info->encoding) {
                r.content_encoding.append(r.content_encoding.empty() ? "" : ", ").append(*info->encoding);
            }
            if (info != nullptr && info->language) {
                r.content_language.append(r.content_language.empty() ? "" : ", ").append(*info->language);
            }
            if (info != nullptr && info->charset && !r.content_type.empty()) {
                r.content_type.append("; charset=").append(*info->charset);
            }
        }
    }
    if (r.content_language.empty() && !(r.has_finfo && S_ISDIR(r.finfo.st_mode))) {
        const auto* dir = r.dir_config->get<modules::metadata::MimeDirConfig>(modules::metadata::mime_module.index);
        if (dir != nullptr && dir->default_language) {
            r.content_language.assign(*dir->default_language);
        }
    }
    const CoreDirConfig& core = core_dir(r);
    if (core.force_type && !equals_nocase(*core.force_type, "none")) {
        r.content_type.assign(*core.force_type);
    }
    if (core.set_handler && !equals_nocase(*core.set_handler, "none")) {
        r.handler.assign(*core.set_handler);
    }
}

// Makes `target` (a local URL path, possibly with a query) the request's URI
// and runs the phases again, as httpd's internal redirect does.
bool internal_redirect(Request& r, std::string_view target) {
    if (++r.redirects > kMaxInternalRedirects) {
        return false;
    }
    auto q = target.find('?');
    r.uri.assign(target.substr(0, q));
    if (q != std::string_view::npos) {
        r.query = r.keep(target.substr(q + 1));
    }
    return true;
}

std::string_view self_host(const Request& r);

// ServerSignature's footer: "<hr>\n<address>BANNER Server at HOST Port N</address>\n".
std::pmr::string signature(const Request& r, const Context& ctx) {
    std::pmr::string s(r.arena);
    if (r.dir_config == nullptr) {
        return s;
    }
    auto mode = core_dir(r).server_signature.value_or(modules::core::Tristate::Off);
    if (mode == modules::core::Tristate::Off) {
        return s;
    }
    int port = r.host_port != 0 ? r.host_port : 80;
    s.append("<hr>\n<address>").append(ctx.server_banner).append(" Server at ");
    const auto& admin = core_server(r).server_admin;
    if (mode == modules::core::Tristate::Third && admin) {
        s.append("<a href=\"mailto:").append(*admin).append("\">").append(self_host(r)).append("</a>");
    } else {
        s.append(self_host(r));
    }
    s.append(" Port ").append(std::to_string(port)).append("</address>\n");
    return s;
}

std::string_view self_host(const Request& r) {
    if (!r.host.empty()) {
        return r.host;
    }
    const auto& c = core_server(r);
    return c.server_name ? std::string_view(*c.server_name) : std::string_view("localhost");
}

// fixups: mod_dir. Returns a status, 0 to continue, kDone when the request
// was redirected internally and must be processed again.
int dir_fixups(Request& r, Context& ctx) {
    using modules::mappers::dir_module;
    const auto* dir = r.dir_config->get<modules::mappers::DirConfig>(dir_module.index);
    if (!r.has_finfo) {
        if (dir != nullptr && dir->fallback() != nullptr && r.method != Method::Other) {
            if (!internal_redirect(r, *dir->fallback())) {
                return 500;
            }
            return kDone;
        }
        return 0;
    }
    if (!S_ISDIR(r.finfo.st_mode)) {
        return 0;
    }
    if (r.uri.empty() || r.uri.back() != '/') {
        if (dir != nullptr && dir->directory_slash == false) {
            return 0;
        }
        std::pmr::string location(r.arena);
        location.append("http://").append(self_host(r));
        // UseCanonicalName Off: the port is the one the client named in Host.
        if (r.host_port != 0 && r.host_port != 80) {
            location.append(":").append(std::to_string(r.host_port));
        }
        location.append(r.uri).append("/");
        if (!r.query.empty()) {
            location.append("?").append(r.query);
        }
        r.add_header("Location", r.keep(location));
        return 301;
    }
    static const std::vector<std::string> kDefaultIndex = {"index.html"};
    const std::vector<std::string>& names =
        dir != nullptr && dir->index_names ? *dir->index_names : kDefaultIndex;
    for (const std::string& name : names) {
        if (equals_nocase(name, "disabled")) {
            break;
        }
        std::pmr::string candidate(r.filename, r.arena);
        if (candidate.empty() || candidate.back() != '/') {
            candidate.push_back('/');
        }
        candidate.append(name);
        auto entry = ctx.files.lookup(candidate, ctx.now_ms);
        if (entry->exists()) {
            std::pmr::string target(r.uri, r.arena);
            target.append(name);
            if (!internal_redirect(r, target)) {
                return 500;
            }
            return kDone;
        }
    }
    return 0;
}

}  // namespace

void error_response(Request& r, Context& ctx, int status, std::string_view detail,
                    std::shared_ptr<const FileEntry>* file_ref) {
    r.status = status;
    r.body.kind = Body::Kind::None;
    r.body.pieces.clear();
    // ErrorDocument: a text, a local URL (served with the error status) or a
    // remote URL (a redirect).
    if (r.dir_config != nullptr && r.redirects < kMaxInternalRedirects) {
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
                if (internal_redirect(r, doc)) {
                    r.headers_out.clear();
                    r.status = 200;
                    process_request(r, ctx, ref);
                    r.method = original;
                    if (r.status == 200) {
                        r.status = status;
                        if (file_ref != nullptr) {
                            *file_ref = std::move(ref);
                        }
                        return;
                    }
                    r.status = status;
                }
            } else if (doc.find("://") != std::string::npos) {
                r.status = 302;
                r.add_header("Location", r.keep(doc));
                std::pmr::string body(r.arena);
                canned_error_body(302, r.method_name, doc, {}, {}, body);
                r.content_type.assign("text/html; charset=iso-8859-1");
                r.body.kind = Body::Kind::Memory;
                r.body.memory = r.keep(body);
                return;
            } else {
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
    std::string_view location;
    for (const Header& h : r.headers_out) {
        if (equals_nocase(h.name, "Location")) {
            location = h.value;
        }
    }
    std::pmr::string body(r.arena);
    const auto* admin = r.server != nullptr ? &core_server(r).server_admin : nullptr;
    canned_error_body(status, r.method_name, location, detail,
                      admin != nullptr && *admin ? std::string_view(**admin) : std::string_view(), body,
                      signature(r, ctx));
    r.content_type.assign("text/html; charset=iso-8859-1");
    r.body.kind = Body::Kind::Memory;
    r.body.memory = r.keep(body);
}

void process_request(Request& r, Context& ctx, std::shared_ptr<const FileEntry>& file_ref) {
    for (;;) {
        translate_name(r, ctx.gen);
        std::shared_ptr<const FileEntry> entry;
        int status = map_to_storage(r, ctx, entry);
        if (status == 0) {
            status = access_checker(r);
        }
        if (status == 0) {
            type_checker(r);
            status = dir_fixups(r, ctx);
            if (status == kDone) {
                continue;
            }
        }
        if (status == 0) {
            status = serve_file(r, entry);
            if (status == 0) {
                file_ref = std::move(entry);
                return;
            }
        }
        if (status != 0) {
            error_response(r, ctx, status, {}, &file_ref);
        }
        return;
    }
}

}  // namespace sonora::request
