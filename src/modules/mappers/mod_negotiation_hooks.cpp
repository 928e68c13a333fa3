// mod_negotiation's hooks, where httpd has them: MultiViews in type_checker
// (first, so a missing file is negotiated before anything answers 404), the
// type-map handler, and the fixup that names the encoding the way the
// client wrote it (gzip or x-gzip).
//
// A chosen MultiViews variant becomes the request through a fast internal
// redirect, as httpd promotes its subrequest; a type map's variant is an
// internal redirect, except an inline Body, which is sent from the map.

#include "core/strings.h"
#include "http/etag.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/mappers/mod_alias.h"
#include "modules/mappers/mod_negotiation.h"
#include "modules/mappers/mod_negotiation_typemap.h"
#include "modules/mappers/mod_negotiation_variants.h"
#include "modules/metadata/mod_mime.h"

#include <sonora/hooks.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace sonora::modules::mappers {

namespace {

using namespace negotiation;
using request::Header;
using request::Request;

constexpr std::string_view kModule = "negotiation";

void log_error(const Request& r, std::string_view id, const std::string& message) {
    core::log_request_error(r, LogLevel::Error, kModule, id, message);
}

void set_header(Request& r, std::pmr::vector<Header>& table, std::string_view name, std::string_view value) {
    for (Header& h : table) {
        if (equals_nocase(h.name, name)) {
            h.value = r.keep(value);
            return;
        }
    }
    table.push_back({name, r.keep(value)});
}

// httpd's apr_table_mergen: a second value is appended after ", ".
void merge_header(Request& r, std::pmr::vector<Header>& table, std::string_view name, std::string_view value) {
    for (Header& h : table) {
        if (equals_nocase(h.name, name)) {
            h.value = r.keep(std::string(h.value) + ", " + std::string(value));
            return;
        }
    }
    table.push_back({name, r.keep(value)});
}

void set_negotiation_headers(Request& r, const Negotiation& neg, std::span<const Variant> variants, Outcome outcome) {
    NegotiatedHeaders h = negotiated_headers(neg, variants, outcome);
    if (!h.alternates.empty()) {
        merge_header(r, r.err_headers_out, "Alternates", h.alternates);
    }
    if (!h.vary.empty()) {
        merge_header(r, r.err_headers_out, "Vary", h.vary);
    }
    if (!h.tcn.empty()) {
        set_header(r, r.err_headers_out, "TCN", h.tcn);
    }
}

void read_settings(const Request& r, Negotiation& neg) {
    neg.read_headers(r.header("Accept"), r.header("Accept-Encoding"), r.header("Accept-Charset"),
                     r.header("Accept-Language"));
    const auto* conf = r.dir_config->get<NegotiationDirConfig>(negotiation_module.index);
    static const std::vector<std::string> kNone;
    neg.languages.priority = conf != nullptr && conf->language_priority ? *conf->language_priority : kNone;
    const unsigned force = conf != nullptr ? conf->force_language_priority.value_or(kForceLangPrefer) : kForceLangPrefer;
    neg.languages.prefer = (force & kForceLangPrefer) != 0;
    neg.languages.fallback = (force & kForceLangFallback) != 0;
    if (auto lang = r.env_get("prefer-language")) {
        neg.prefer_language = *lang;
    }
    if (r.env_get("no-gzip")) {
        neg.discard_encodings = 1;
    } else if (auto only_html = r.env_get("gzip-only-text/html"); only_html && *only_html == "1") {
        neg.discard_encodings = 2;
    }
}

// httpd's do_negotiation: decides transparency, runs the selection, sets
// the headers. Returns kOk with `best`, or the status to answer.
int negotiate(Request& r, Negotiation& neg, std::span<Variant> variants, Variant*& best, bool prefer_scripts) {
    neg.is_transparent = false;
    if (r.method == request::Method::Get || r.method == request::Method::Head) {
        neg.is_transparent = r.path_info.empty();
        for (const Variant& v : variants) {
            if (v.file_name.find('/') != std::string_view::npos || v.has_body) {
                neg.is_transparent = false;  // non-neighbouring variants, or bodies inside a map
            }
        }
    }
    if (neg.is_transparent) {
        neg.read_negotiate(r.header("Negotiate"), r.header("User-Agent"));
    } else {
        neg.may_choose = true;
    }
    neg.add_default_accepts(prefer_scripts);
    const Outcome outcome = best_match(neg, variants, best);
    if (outcome == Outcome::List) {
        neg.send_alternates = true;
        set_negotiation_headers(r, neg, variants, outcome);
        set_header(r, r.notes, "variant-list", variant_list_html(variants));
        if (neg.is_transparent && neg.ua_supports_trans) {
            return 300;
        }
        if (best == nullptr) {
            log_error(r, "SN00690", "no acceptable variant: " + std::string(r.filename));
            return 406;
        }
    }
    if (neg.is_transparent) {
        set_header(r, r.err_headers_out, "Content-Location", escape_path_segment(best->file_name));
        set_negotiation_headers(r, neg, variants, Outcome::Choice);
    } else {
        set_negotiation_headers(r, neg, variants, outcome);
    }
    return kOk;
}

// httpd's variant list validator: an entity tag of what the list came from
// (the map file, or the directory for MultiViews), merged into the chosen
// variant's ETag by the default handler.
void note_vlist_validator(Request& r, const struct stat* file, const struct timespec& mtime) {
    const auto& core = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    char buf[http::kMaxFileETagLength];
    http::FileETagInput in;
    in.mtime_us = http::mtime_us_from_timespec(mtime);
    std::size_t len = 0;
    if (file != nullptr) {
        in.inode = file->st_ino;
        in.size = static_cast<std::uint64_t>(file->st_size);
        in.components = core.file_etag ? core.file_etag->apply(http::kETagDefault) : http::kETagDefault;
        in.components &= http::kETagAll;
        len = in.components == 0 ? 0 : http::make_file_etag(in, r.time_us, buf);
    } else {
        // No file: only the time, as httpd tags a resource that is not one.
        const bool weak = r.time_us - in.mtime_us < 1'000'000;
        len = static_cast<std::size_t>(std::snprintf(buf, sizeof buf, "%s\"%llx\"", weak ? "W/" : "",
                                                     static_cast<unsigned long long>(in.mtime_us)));
    }
    if (len > 0) {
        set_header(r, r.notes, "vlist-validator", std::string_view(buf, len));
    }
}

// The whole map file, through the file cache.
std::optional<std::string_view> read_map(Request& r, Services& services, int& error) {
    Services::OpenFile f = services.open_file(r.filename);
    if (f.error != 0) {
        error = f.error;
        return std::nullopt;
    }
    if (!f.bytes.empty() || f.size == 0) {
        return f.bytes;
    }
    char* buf = static_cast<char*>(r.arena->allocate(f.size, 1));
    std::size_t got = 0;
    while (got < f.size) {
        ssize_t n = ::pread(f.fd, buf + got, f.size - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    return std::string_view(buf, got);
}

std::optional<TypeMap> load_type_map(Request& r, Services& services, int& status) {
    int error = 0;
    auto text = read_map(r, services, error);
    if (!text) {
        log_error(r, "SN00683", "cannot access type map file: " + std::string(r.filename));
        status = error == ENOENT || error == ENOTDIR ? 404 : 403;
        return std::nullopt;
    }
    TypeMap map = parse_type_map(*text, r.filename, r.arena);
    if (!map.error.empty()) {
        log_error(r, map.error_id, map.error);
    }
    if (map.status != 0) {
        status = map.status;
        return std::nullopt;
    }
    // The tie-break on length needs every variant's; httpd stats them when it gets there.
    std::string dir(std::string_view(r.filename).substr(0, r.filename.rfind('/') + 1));
    for (Variant& v : map.variants) {
        if (v.bytes < 0) {
            struct stat st {};
            if (::stat((dir + std::string(v.file_name)).c_str(), &st) == 0) {
                v.bytes = static_cast<std::int64_t>(st.st_size);
            }
        }
    }
    return map;
}

// The URI of `name` beside the current one (path info left out).
// `escaped`: the directory as a URL (for an internal redirect, which
// decodes its target), as httpd escapes it with ap_escape_uri.
std::string sibling_uri(const Request& r, std::string_view name, bool escaped = false) {
    std::string_view uri = r.uri;
    if (!r.path_info.empty() && uri.ends_with(r.path_info)) {
        uri.remove_suffix(r.path_info.size());
    }
    const std::string_view dir = uri.substr(0, uri.rfind('/') + 1);
    std::string out = escaped ? escape_path(dir) : std::string(dir);
    out.append(name);
    return out;
}

int handle_multi(Request& r, Services& services) {
    if (r.has_finfo || r.dir_config == nullptr) {
        return kDeclined;
    }
    const auto& core = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    if ((core.effective_options() & core::kOptMultiViews) == 0) {
        return kDeclined;
    }
    std::string_view filename = r.filename;
    if (filename.empty() || filename.front() != '/') {
        return kDeclined;
    }
    // httpd's directory walk stops at the first component that does not
    // exist: that one is negotiated and the rest is path info.
    std::size_t end = filename.size();
    std::size_t slash = filename.rfind('/');
    while (slash != 0 && slash != std::string_view::npos) {
        struct stat st {};
        if (::stat(std::string(filename.substr(0, slash)).c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                return kDeclined;
            }
            break;
        }
        end = slash;
        slash = filename.rfind('/', slash - 1);
    }
    if (slash == std::string_view::npos || slash + 1 >= end) {
        return kDeclined;
    }
    const std::string dir(filename.substr(0, slash));
    const std::string_view prefix = filename.substr(slash + 1, end - slash - 1);
    const std::string extra_path(filename.substr(end));
    const auto* mime = r.dir_config->get<metadata::MimeDirConfig>(metadata::mime_module.index);
    const auto* types = r.server->module_config.get<metadata::MimeServerConfig>(metadata::mime_module.index);
    MultiViews found(r.arena);
    int error = 0;
    if (!find_variants(dir.empty() ? std::string("/") : dir, prefix, mime, types, found, error)) {
        if (error == ENOENT || error == ENOTDIR) {
            return kDeclined;
        }
        log_error(r, "SN00686", "cannot read directory for multi: " + dir + "/");
        return 403;
    }
    Negotiation neg(r.arena);
    read_settings(r, neg);
    std::span<Variant> variants(found.variants.data(), found.variants.size());
    std::optional<TypeMap> map;
    if (!found.type_map.empty()) {
        // A type map among the candidates speaks for all of them.
        std::pmr::string own(r.filename, r.arena);
        r.filename.assign(found.type_map);
        int status = 0;
        map = load_type_map(r, services, status);
        r.filename = own;
        if (!map) {
            return status;
        }
        variants = std::span<Variant>(map->variants.data(), map->variants.size());
    } else if (found.any_match && found.variants.empty()) {
        log_error(r, "SN00687", "Negotiation: discovered file(s) matching request: " + std::string(r.filename) +
                                    " (None could be negotiated).");
        return 404;
    }
    if (variants.empty()) {
        return kDeclined;
    }
    if (!extra_path.empty()) {
        r.path_info.insert(0, extra_path);
        r.filename.resize(end);
    }
    const bool prefer_scripts = (r.method != request::Method::Get && r.method != request::Method::Head) ||
                                !r.query.empty() || !r.path_info.empty();
    Variant* best = nullptr;
    if (int status = negotiate(r, neg, variants, best, prefer_scripts); status != kOk) {
        return status;
    }
    // httpd's variant list validator does not survive mod_dir's fast redirect.
    if (r.redirects == 0 && !map) {
        note_vlist_validator(r, nullptr, found.dir_mtime);
    }
    if (best->file_name.find('?') != std::string_view::npos) {
        return kDeclined;
    }
    std::string target = sibling_uri(r, best->file_name);
    target.append(r.path_info);
    return services.internal_fast_redirect(r, target) ? kRedirected : 500;
}

int send_map_body(Request& r, const Variant& best, std::string_view map_text) {
    if (r.method != request::Method::Get && r.method != request::Method::Post &&
        r.method != request::Method::Head) {
        r.add_header("Allow", "GET,POST,OPTIONS,HEAD,TRACE");
        return 405;
    }
    r.header_only = r.method == request::Method::Head;
    r.add_header("Accept-Ranges", "bytes");
    if (!best.mime_type.empty()) {
        std::string type(best.mime_type);
        if (!best.charset.empty()) {
            type.append("; charset=").append(best.charset);
        }
        r.content_type.assign(type);
    }
    if (!best.languages.empty()) {
        r.content_language.assign(best.languages);
    }
    if (!best.encoding.empty()) {
        r.content_encoding.assign(best.encoding);
    }
    const std::size_t offset = std::min<std::size_t>(best.body_offset, map_text.size());
    r.body.kind = request::Body::Kind::Memory;
    r.body.memory = map_text.substr(offset, static_cast<std::size_t>(best.bytes));
    return kOk;
}

int handle_map_file(Request& r, Services& services) {
    if (r.handler != "type-map" && r.handler != kMapFileMagicType) {
        return kDeclined;
    }
    int status = 0;
    std::optional<TypeMap> map = load_type_map(r, services, status);
    if (!map) {
        return status;
    }
    Negotiation neg(r.arena);
    read_settings(r, neg);
    std::span<Variant> variants(map->variants.data(), map->variants.size());
    Variant* best = nullptr;
    if (variants.empty()) {
        // Nothing to choose from: httpd's selection finds no best variant.
        set_header(r, r.notes, "variant-list", variant_list_html(variants));
        log_error(r, "SN00690", "no acceptable variant: " + std::string(r.filename));
        return 406;
    }
    if (int rc = negotiate(r, neg, variants, best, false); rc != kOk) {
        return rc;
    }
    if (best->has_body) {
        int error = 0;
        auto text = read_map(r, services, error);
        return text ? send_map_body(r, *best, *text) : 500;
    }
    if (r.has_finfo) {
        note_vlist_validator(r, &r.finfo, r.finfo.st_mtim);
    }
    std::string target = sibling_uri(r, best->file_name, true);
    target.append(r.path_info);
    if (!r.query.empty()) {
        target.append("?").append(r.query);
    }
    return services.internal_redirect(r, target) ? kRedirected : 500;
}

// The client's spelling of the encoding: "gzip" for AddEncoding x-gzip
// when it asked for gzip, and the other way round.
int fix_encoding(Request& r, Services&) {
    if (r.content_encoding.empty()) {
        return kDeclined;
    }
    auto header = r.header("Accept-Encoding");
    if (!header) {
        return kDeclined;
    }
    std::string_view enc = r.content_encoding;
    if (enc.starts_with("x-")) {
        enc.remove_prefix(2);
    }
    AcceptList list = parse_accept(*header, r.arena);
    std::string_view x_form;
    for (const AcceptItem& a : list) {
        if (a.name == enc) {
            r.content_encoding.assign(a.name);
            return kOk;
        }
        if (a.name.starts_with("x-") && a.name.substr(2) == enc) {
            x_form = a.name;
        }
    }
    if (!x_form.empty()) {
        r.content_encoding.assign(x_form);
        return kOk;
    }
    return kDeclined;
}

}  // namespace

void negotiation_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::TypeChecker, handle_multi, HookOrder::First);
    hooks.add(Phase::Handler, handle_map_file, HookOrder::Middle);
    hooks.add(Phase::Fixups, fix_encoding, HookOrder::Middle);
}

}  // namespace sonora::modules::mappers
