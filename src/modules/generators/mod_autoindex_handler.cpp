// mod_autoindex's handler: a GET of a directory that mod_dir found no index
// for. Options Indexes off is a 403 (SN01276); otherwise the listing, its
// entries gathered by mod_autoindex_listing.cpp and written by
// mod_autoindex_render.cpp.
//
// Known differences from httpd: a HEAD request gets the Content-Length of
// the listing (httpd sends none); a listing is always sent with a
// Content-Length (httpd switches to chunked above its 8 KB buffer); an HTML
// HeaderName/ReadmeName file is included as it is on disk (httpd runs it as
// a subrequest, so a server-parsed one would be processed; Sonora has no
// mod_include), and the client's query string is not passed on to it.

#include "core/strings.h"
#include "http/etag.h"
#include "http/http_date.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/core/signature.h"
#include "modules/generators/mod_autoindex.h"
#include "modules/generators/mod_autoindex_listing.h"
#include "modules/generators/mod_autoindex_options.h"
#include "modules/generators/mod_autoindex_render.h"
#include "modules/mappers/mod_dir.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <algorithm>
#include <cerrno>

namespace sonora::modules::generators {

namespace {

using namespace autoindex;

// TrackModified: the directory's own Last-Modified and ETag (FileETag's
// fields of the directory), as httpd sets them; no conditional answer.
void track_modified(request::Request& r) {
    char date[http::kHttpDateLength + 1];
    const std::int64_t mtime_s = std::min<std::int64_t>(r.finfo.st_mtim.tv_sec, r.time_s);
    const std::size_t n = http::format_http_date(mtime_s, date);
    r.add_header("Last-Modified", r.keep(std::string_view(date, n)));
    const auto& core = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    http::FileETagInput in;
    in.inode = static_cast<std::uint64_t>(r.finfo.st_ino);
    in.mtime_us = http::mtime_us_from_timespec(r.finfo.st_mtim);
    in.size = static_cast<std::uint64_t>(r.finfo.st_size);
    in.components = (core.file_etag ? core.file_etag->apply(http::kETagDefault) : http::kETagDefault) &
                    (http::kETagINode | http::kETagMTime | http::kETagSize);
    char etag[http::kMaxFileETagLength];
    if (const std::size_t len = in.components != 0 ? http::make_file_etag(in, r.time_us, etag) : 0; len != 0) {
        r.add_header("ETag", r.keep(std::string_view(etag, len)));
    }
}

// mod_dir's note of the index names it tried, for the refusal's message.
std::string index_names(const request::Request& r) {
    const auto* dir = r.dir_config->get<mappers::DirConfig>(mappers::dir_module.index);
    if (dir == nullptr || !dir->index_names) {
        return "index.html";
    }
    std::string names;
    for (const std::string& name : *dir->index_names) {
        names.append(names.empty() ? "" : ",").append(name);
    }
    return names;
}

int index_directory(request::Request& r, Services& services, const AutoindexConfig& c) {
    const ListingQuery q = parse_listing_query(r.query, c.opts, c.default_key != 0 ? c.default_key : 'N',
                                               c.default_direction != 0 ? c.default_direction : 'A');
    std::vector<Entry> entries;
    if (!collect_entries(r, services, c, EntryRules{q.opts, q.key, &q.pattern}, entries)) {
        core::log_request_error(r, LogLevel::Error, "autoindex", "SN01275",
                                errno_text(errno) + ": Can't open directory for index: " + std::string(r.filename));
        return 403;
    }
    const std::string charset = c.charset.value_or("ISO-8859-1");
    r.content_type.assign(c.content_type.value_or("text/html"));
    if (!charset.empty()) {
        r.content_type.append(";charset=").append(charset);
    }
    if ((c.opts & kTrackModified) != 0) {
        track_modified(r);
    }
    sort_entries(entries, SortOrder{q.key, q.direction == 'A', (q.opts & kVersionSort) != 0,
                                    (q.opts & kIgnoreCase) != 0});
    Page page;
    page.config = &c;
    page.opts = q.opts;
    page.key = q.key;
    page.direction = q.direction;
    page.colargs = q.colargs;
    std::string_view title = r.uri;
    while (title.size() > 1 && title.back() == '/') {
        title.remove_suffix(1);
    }
    append_html_escaped(page.title, title);
    page.header = find_insert(r, services, c.header);
    page.readme = find_insert(r, services, c.readme);
    page.signature = core::server_signature(r, services.server_banner(), "");
    std::string body;
    render_page(page, entries, body);
    r.header_only = r.method == request::Method::Head;
    r.body.kind = request::Body::Kind::Memory;
    r.body.memory = r.keep(body);
    return kOk;
}

// Directories come here with mod_mime's type for them (or an explicit
// default-handler); anything else that set a handler keeps it.
int autoindex_handler(request::Request& r, Services& services) {
    const std::string_view handler = !r.handler.empty()        ? std::string_view(r.handler)
                                     : !r.content_type.empty() ? std::string_view(r.content_type)
                                                               : std::string_view("default-handler");
    if (handler != "httpd/unix-directory" && handler != "default-handler") {
        return kDeclined;
    }
    if (!r.has_finfo || !S_ISDIR(r.finfo.st_mode) ||
        (r.method != request::Method::Get && r.method != request::Method::Head)) {
        return kDeclined;
    }
    const auto& core = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    if ((core.effective_options() & core::kOptIndexes) == 0) {
        core::log_request_error(r, LogLevel::Error, "autoindex", "SN01276",
                                "Cannot serve directory " + std::string(r.filename) + ": No matching DirectoryIndex (" +
                                    index_names(r) +
                                    ") found, and server-generated directory index forbidden by Options directive");
        return 403;
    }
    static const AutoindexConfig kDefaults;
    const auto* c = r.dir_config->get<AutoindexConfig>(autoindex_module.index);
    return index_directory(r, services, c != nullptr ? *c : kDefaults);
}

}  // namespace

void autoindex_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Handler, autoindex_handler); }

}  // namespace sonora::modules::generators
