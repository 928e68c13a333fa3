#include "request/static_file.h"

#include "core/strings.h"
#include "http/etag.h"
#include "http/method.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "request/http_metadata.h"

#include <algorithm>
#include <charconv>

namespace sonora::request {

using modules::core::core_module;
using modules::core::CoreDirConfig;

namespace {

// httpd lists these for a file, in this order.
constexpr std::string_view kAllow = "POST,OPTIONS,HEAD,GET,TRACE";

void add_default_charset(Request& r, const CoreDirConfig& core) {
    if (!core.add_default_charset || equals_nocase(*core.add_default_charset, "off")) {
        return;
    }
    std::string_view type = r.content_type;
    if ((starts_with_nocase(type, "text/plain") || starts_with_nocase(type, "text/html")) &&
        type.find("charset=") == std::string_view::npos) {
        r.content_type.append("; charset=").append(*core.add_default_charset);
    }
}

// httpd's structured entity tag for a negotiated response: the variant's
// tag and the variant list validator (mod_negotiation's "vlist-validator"
// note) joined by ';', weak if either is. httpd copies the validator one byte
// short, so the closing quote is missing; clients see exactly that.
std::string negotiated_etag(std::string_view etag, std::string_view vlv) {
    bool weak = http::etag_is_weak(etag);
    if (http::etag_is_weak(vlv)) {
        weak = true;
        vlv.remove_prefix(std::min<std::size_t>(3, vlv.size()));
    } else if (!vlv.empty()) {
        vlv.remove_prefix(1);
    }
    if (!vlv.empty()) {
        vlv.remove_suffix(1);
    }
    std::string_view inner = etag.substr(http::etag_is_weak(etag) ? 3 : 1);
    if (!inner.empty()) {
        inner.remove_suffix(1);
    }
    std::string out = weak ? "W/\"" : "\"";
    out.append(inner).append(";").append(vlv);
    return out;
}

}  // namespace

int serve_file(Request& r, const std::shared_ptr<const FileEntry>& entry) {
    switch (r.method) {
        case Method::Get:
        case Method::Post:
            break;
        case Method::Head:
            r.header_only = true;
            break;
        case Method::Options:
            r.add_header("Allow", kAllow);
            r.body.kind = Body::Kind::Memory;
            r.body.memory = {};
            return 0;
        case Method::Put:
        case Method::Delete:
        case Method::Connect:
        case Method::Patch:
        case Method::Trace:
            r.add_header("Allow", kAllow);
            return 405;
        case Method::Other:
            r.add_header("Allow", kAllow);
            // httpd knows a method it registered (its own, <Limit>'s, RegisterHttpMethod's)
            // and only refuses it here; the others it does not implement.
            return modules::core::method_number(*r.server, r.method_name) != http::kMethodInvalid ? 405 : 501;
    }
    // httpd's default handler says why at info; LogLevel core:info shows it per
    // directory. The message is made only when it will be written: a 404
    // allocates nothing otherwise.
    if (!r.has_finfo || entry == nullptr) {
        if (modules::core::request_log_enabled(r, LogLevel::Info, "core")) {
            modules::core::log_request_error(r, LogLevel::Info, "core", "SN00128",
                                             "File does not exist: " + std::string(r.filename) +
                                                 std::string(r.path_info));
        }
        return 404;
    }
    if (S_ISDIR(r.finfo.st_mode)) {
        if (modules::core::request_log_enabled(r, LogLevel::Info, "core")) {
            modules::core::log_request_error(r, LogLevel::Info, "core", "SN00129",
                                             "Attempt to serve directory: " + std::string(r.filename));
        }
        return 404;
    }
    const CoreDirConfig& core = *r.dir_config->get<CoreDirConfig>(core_module.index);
    if (!r.path_info.empty() && core.accept_path_info != modules::core::Tristate::On) {
        if (modules::core::request_log_enabled(r, LogLevel::Info, "core")) {
            modules::core::log_request_error(r, LogLevel::Info, "core", "SN00130",
                                             "File does not exist: " + std::string(r.filename) +
                                                 std::string(r.path_info));
        }
        return 404;
    }
    if (!entry->is_regular() || entry->fd < 0) {
        return 403;
    }
    const std::uint64_t size = static_cast<std::uint64_t>(entry->st.st_size);
    FileMeta meta = file_meta(entry->st, r.time_us, core.file_etag ? core.file_etag->apply(kETagDefault) : kETagDefault);
    r.add_header("Last-Modified", r.keep(meta.last_modified));
    // A filter's init asked for none (mod_include's "no-etag" note).
    if (!meta.etag.empty() && !find_header(r.notes, "no-etag")) {
        if (auto vlv = find_header(r.notes, "vlist-validator")) {
            meta.etag = r.keep(negotiated_etag(meta.etag, *vlv));
        }
        r.add_header("ETag", r.keep(meta.etag));
    }
    r.add_header("Accept-Ranges", "bytes");
    add_default_charset(r, core);

    switch (check_preconditions(r, meta)) {
        case Precondition::NotModified:
            r.status = 304;
            r.content_type.clear();
            r.body.kind = Body::Kind::None;
            return 0;
        case Precondition::Failed:
            r.status = 412;
            r.body.kind = Body::Kind::Memory;
            r.body.memory = {};
            return 0;
        case Precondition::Proceed:
            break;
    }

    r.body.kind = Body::Kind::File;
    r.body.fd = entry->fd;
    r.body.mapped = entry->has_content && core.enable_mmap != false ? entry->content.data() : nullptr;
    r.body.sendfile = core.enable_sendfile != false;
    r.body.offset = 0;
    r.body.length = size;
    // HEAD asks for GET's head, so a Range makes it a 206 as well. A
    // subrequest's output is included whole (httpd's byterange filter is
    // not in a subrequest's chain).
    const bool ranged = (r.method == Method::Get || r.method == Method::Head) && r.main == nullptr;
    if (ranged && !r.output_filters.empty() && r.header("Range")) {
        r.deferred_ranges = Request::DeferredRanges{true, meta.etag, meta.mtime_s, size};
    } else if (ranged) {
        // A 416 is an error page: error_response sends it without the file's
        // validators, as httpd's ap_send_error_response.
        int status = apply_ranges(r, meta, core, size);
        if (status != 0) {
            return status;
        }
    }
    return 0;
}

}  // namespace sonora::request
