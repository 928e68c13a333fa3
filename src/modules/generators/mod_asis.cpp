// httpd's mod_asis: a file handed to the send-as-is handler (AddHandler
// send-as-is asis, or the type httpd/send-as-is) holds its own response
// head, in a CGI script's form (Status, Location, Content-Type, any other
// field), then the body. No directives.
//
// As httpd: only GET (and HEAD) are sent as-is, other methods fall through
// to the default handler; a malformed head is logged and the response is
// an empty 200 (httpd discards the rest of the file); a Location that is a
// local path under status 200 or 3xx is followed internally; the
// body's length is not declared, so HEAD gets no Content-Length.

#include "modules/core/request_log.h"
#include "modules/core/script_head.h"

#include "core/strings.h"

#include <sonora/hooks.h>
#include <sonora/module.h>
#include <sonora/request.h>

#include <unistd.h>

#include <cerrno>
#include <string>

namespace sonora::modules::generators {

extern Module asis_module;

namespace {

using core::ScriptHeadScan;

// A head longer than this is taken as malformed: httpd has no limit, but a
// send-as-is file with a megabyte of fields is not one anybody meant.
constexpr std::size_t kMaxHead = 1 << 20;

// The file's first bytes, enough to hold its head: the cached bytes when
// the file cache has them, else read in growing steps.
ScriptHeadScan find_head(const Services::OpenFile& f, std::string& buffer, std::string_view& bytes) {
    if (!f.bytes.empty() || f.size == 0) {
        bytes = f.bytes;
        return core::scan_script_head(bytes, true);
    }
    std::size_t want = 8192;
    for (;;) {
        const std::size_t have = buffer.size();
        const std::size_t target = static_cast<std::size_t>(std::min<std::uint64_t>(want, f.size));
        buffer.resize(target);
        while (buffer.size() > have && buffer.size() == target) {
            const ssize_t n = ::pread(f.fd, buffer.data() + have, target - have, static_cast<off_t>(have));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            buffer.resize(have + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
            break;
        }
        bytes = buffer;
        const bool at_end = buffer.size() < want || buffer.size() >= f.size;
        ScriptHeadScan scan = core::scan_script_head(bytes, at_end);
        if (scan.state != ScriptHeadScan::State::Incomplete) {
            return scan;
        }
        if (want >= kMaxHead) {
            scan.state = ScriptHeadScan::State::Malformed;
            return scan;
        }
        want *= 4;
    }
}

int asis_handler(request::Request& r, Services& services) {
    const std::string_view handler = !r.handler.empty() ? std::string_view(r.handler) : std::string_view(r.content_type);
    if (handler != "send-as-is" && handler != "httpd/send-as-is") {
        return kDeclined;
    }
    if (r.method != request::Method::Get && r.method != request::Method::Head) {
        return kDeclined;
    }
    if (!r.has_finfo) {
        if (core::request_log_enabled(r, LogLevel::Info, "asis")) {
            core::log_request_error(r, LogLevel::Info, "asis", "SN01233", "File does not exist: " + std::string(r.filename));
        }
        return 404;
    }
    const Services::OpenFile f = services.open_file(r.filename);
    if (f.error != 0) {
        core::log_request_error(r, LogLevel::Error, "asis", "SN01234",
                                errno_text(f.error) + ": file permissions deny server access: " + std::string(r.filename));
        return 403;
    }
    std::string buffer;
    std::string_view bytes;
    const ScriptHeadScan scan = find_head(f, buffer, bytes);
    r.header_only = r.method == request::Method::Head;
    r.body.kind = request::Body::Kind::File;
    r.body.fd = f.fd;
    r.body.mapped = f.bytes.empty() ? nullptr : f.bytes.data();
    r.body.length_declared = false;
    if (scan.state != ScriptHeadScan::State::Complete) {
        core::log_request_error(r, LogLevel::Error, "asis", "SN90003",
                                "malformed header from script '" + std::string(base_name(r.filename)) +
                                    "': Bad header: " + std::string(scan.bad_line));
        r.body.offset = f.size;
        r.body.length = 0;
        return kOk;
    }
    const core::ScriptHeadFields fields = core::apply_script_head(r, bytes.substr(0, scan.length));
    if (fields.bad_status) {
        core::log_request_error(r, LogLevel::Error, "asis", "SN90004",
                                "Invalid status line from script '" + std::string(base_name(r.filename)) +
                                    "': " + std::string(fields.bad_status->substr(0, 30)));
    }
    const auto location = request::find_header(r.headers_out, "Location");
    if (location && location->starts_with('/') && (r.status == 200 || (r.status >= 300 && r.status < 400))) {
        // httpd's ap_internal_redirect_handler (as a GET, which this is
        // already): the fields the head set other than Location stay in
        // err_headers_out for the response the redirect ends in.
        r.status = 200;
        r.status_line = {};
        const std::string target(*location);
        r.headers_out.clear();
        r.body.kind = request::Body::Kind::None;
        r.body.length_declared = true;
        return services.internal_redirect(r, target) ? kRedirected : 500;
    }
    r.body.offset = scan.length;
    r.body.length = f.size - scan.length;
    return kOk;
}

void asis_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, asis_handler, HookOrder::Middle); }

}  // namespace

Module asis_module{
    .name = "asis_module",
    .source = "mod_asis.c",
    .register_hooks = asis_register_hooks,
};

}  // namespace sonora::modules::generators
