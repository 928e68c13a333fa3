// What a listing shows, gathered as httpd's mod_autoindex gathers it: each
// directory entry is looked up as a subrequest of the listing (so access
// rules, symlink rules and .htaccess files apply to it, and mod_mime gives
// its type and encoding), and for a directory the subrequest goes on to
// mod_dir's DirectoryIndex search, as httpd's does: a directory with an
// index file shows that file's time.

#include "modules/generators/mod_autoindex_listing.h"

#include "core/strings.h"
#include "http/etag.h"
#include "http/uri.h"
#include "modules/generators/mod_autoindex_text.h"
#include "modules/mappers/mod_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace sonora::modules::generators::autoindex {

namespace {

// The most of a file read for HeaderName/ReadmeName.
constexpr std::size_t kMaxInsertBytes = 1 << 20;
constexpr std::size_t kTitleScanBytes = 8191;  // httpd's MAX_STRING_LEN - 1

bool read_file(std::string_view path, std::size_t limit, std::string& out) {
    const int fd = ::open(std::string(path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    out.clear();
    char buf[8192];
    while (out.size() < limit) {
        const ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit - out.size()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

bool is_html(std::string_view content_type) {
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) {
        t.remove_suffix(1);
    }
    return equals_nocase(t, "text/html") || equals_nocase(t, "application/xhtml+xml");
}

// ScanHTMLTitles: the text of the first <title> in the file's first 8 KB,
// with line breaks as blanks (leading ones dropped); httpd's find_title,
// whose search restarts after a mismatch without looking at that byte again.
std::optional<std::string> html_title(const Services::Lookup& found) {
    if (found.status != 200 || !found.content_encoding.empty() ||
        !(is_html(found.content_type) || found.content_type == "text/x-server-parsed-html")) {
        return std::nullopt;
    }
    std::string text;
    if (!read_file(found.filename, kTitleScanBytes, text)) {
        return std::nullopt;
    }
    text.resize(std::min(text.size(), text.find('\0')));
    static constexpr std::string_view kOpen = "<title>";
    std::size_t matched = 0;
    for (std::size_t x = 0; x < text.size(); ++x) {
        const char c = text[x] >= 'A' && text[x] <= 'Z' ? static_cast<char>(text[x] - 'A' + 'a') : text[x];
        if (c != kOpen[matched]) {
            matched = 0;
            continue;
        }
        if (++matched < kOpen.size()) {
            continue;
        }
        std::string title = text.substr(x + 1);
        title.resize(std::min(title.size(), title.find('<')));
        std::size_t start = 0;
        for (std::size_t y = 0; y < title.size(); ++y) {
            if (title[y] == '\r' || title[y] == '\n') {
                if (y == start) {
                    ++start;
                } else {
                    title[y] = ' ';
                }
            }
        }
        return title.substr(start);
    }
    return std::nullopt;
}

std::optional<std::string> copy_of(const std::string* s) {
    return s != nullptr ? std::optional<std::string>(*s) : std::nullopt;
}

// A directory's icon and alt text: by its path, else the ^^DIRECTORY^^
// ones, else no icon and `fallback_alt`.
void directory_icon(Entry& e, const AutoindexSettings& c, std::string_view path, std::string_view fallback_alt) {
    e.icon = find_item(c.icons, {}, {}, path, true);
    if (e.icon == nullptr) {
        e.icon = find_item(c.icons, {}, {}, "^^DIRECTORY^^", true);
    }
    const std::string* alt = find_item(c.alts, {}, {}, path, true);
    if (alt == nullptr) {
        alt = find_item(c.alts, {}, {}, "^^DIRECTORY^^", true);
    }
    e.alt = std::string(alt != nullptr ? std::string_view(*alt) : fallback_alt);
}

// The "Parent Directory" line: the URL one level up (none at "/"), unless
// IndexIgnore hides "..". Its icon, alt text and description are looked up
// for the path "DIR/..", then as for any directory.
std::optional<Entry> parent_entry(const request::Request& r, const std::string& dir, const AutoindexSettings& c,
                                  std::uint32_t opts) {
    std::string_view uri = r.uri;
    if (!uri.empty() && uri.back() == '/') {
        uri.remove_suffix(1);
    }
    const std::size_t slash = uri.rfind('/');
    if (uri.empty() || slash == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string testpath = dir + "..";
    if (is_ignored(c, testpath)) {
        return std::nullopt;
    }
    Entry e;
    e.name = std::string(uri.substr(0, slash + 1));
    if ((opts & kFancyIndexing) != 0) {
        directory_icon(e, c, testpath, "PARENTDIR");
        e.desc = copy_of(find_description(c, testpath));
    }
    return e;
}

// A directory's subrequest runs on into mod_dir's fixup in httpd: an index
// file found there becomes what the subrequest describes (its time), and an
// error it meets becomes the subrequest's status.
int directory_index(const request::Request& r, Services& services, const std::string& uri, Services::Lookup& found) {
    const auto* dir = found.dir_config != nullptr
                          ? found.dir_config->get<mappers::DirConfig>(mappers::dir_module.index)
                          : nullptr;
    const mappers::IndexSearch index = mappers::find_index(r, services, uri, dir);
    if (index.status == kOk) {
        found.finfo = index.lookup.finfo;
        return 200;
    }
    return index.status == kDeclined ? 200 : index.status;
}

// The entry for one name in the directory, or nullopt when it is not listed.
std::optional<Entry> file_entry(const request::Request& r, Services& services, const AutoindexSettings& c,
                                const EntryRules& rules, const std::string& dir, std::string_view name) {
    if (name == "." || name == "..") {
        return std::nullopt;
    }
    if (rules.pattern != nullptr && *rules.pattern &&
        ::fnmatch((*rules.pattern)->c_str(), std::string(name).c_str(), FNM_NOESCAPE | FNM_PERIOD) != 0) {
        return std::nullopt;
    }
    const std::string path = dir + std::string(name);
    if (is_ignored(c, path)) {
        return std::nullopt;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return std::nullopt;  // a dangling link, or gone meanwhile
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    std::string uri(r.uri);
    if (uri.empty() || uri.back() != '/') {
        uri += '/';
    }
    uri.append(name).append(is_dir ? "/" : "");
    Services::Lookup found = services.lookup_uri(r, uri);
    int status = found.status;
    if (status == 200 && found.is_dir) {
        status = directory_index(r, services, uri, found);
    }
    const bool shown_forbidden = (rules.opts & kShowForbidden) != 0 && (status == 401 || status == 403);
    if (!(found.is_dir || found.is_regular) || !((status >= 200 && status < 400) || shown_forbidden)) {
        return std::nullopt;
    }
    Entry e;
    e.name = std::string(name) + (is_dir ? "/" : "");
    if ((rules.opts & (kFancyIndexing | kHtmlTable)) != 0) {
        e.mtime_us = http::mtime_us_from_timespec(found.finfo.st_mtim);
        if (is_dir) {
            e.folder_first = (rules.opts & kFoldersFirst) != 0;
            directory_icon(e, c, path, "DIR");
        } else {
            e.icon = find_item(c.icons, found.content_type, found.content_encoding, path, false);
            e.alt = copy_of(find_item(c.alts, found.content_type, found.content_encoding, path, false));
            e.size = static_cast<std::int64_t>(found.finfo.st_size);
        }
        e.desc = copy_of(find_description(c, path));
        if (!e.desc && !is_dir && (rules.opts & kScanHtmlTitles) != 0) {
            e.desc = html_title(found);
        }
    }
    if (rules.key == 'M' && e.mtime_us < 0) {
        e.mtime_us = 0;
    }
    return e;
}

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

bool collect_entries(const request::Request& r, Services& services, const AutoindexSettings& c,
                     const EntryRules& rules, std::vector<Entry>& out) {
    std::string dir(r.filename);
    if (dir.empty() || dir.back() != '/') {
        dir += '/';
    }
    std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
    if (!handle) {
        return false;
    }
    if (auto parent = parent_entry(r, dir, c, rules.opts)) {
        out.push_back(std::move(*parent));
    }
    while (const dirent* d = ::readdir(handle.get())) {
        if (auto e = file_entry(r, services, c, rules, dir, d->d_name)) {
            out.push_back(std::move(*e));
        }
    }
    return true;
}

Insert find_insert(const request::Request& r, Services& services, const std::optional<std::string>& name) {
    Insert out;
    if (!name || name->empty()) {
        return out;
    }
    // Relative to the listing's URL, written escaped and decoded again as
    // httpd's subrequest lookup does.
    std::string target;
    if (name->front() != '/') {
        target = escape_path(std::string_view(r.uri).substr(0, r.uri.rfind('/') + 1), true);
    }
    target += *name;
    std::string decoded(target.size(), '\0');
    const http::PathResult res = http::decode_request_path(target, decoded.data(), decoded.size());
    if (res.status != http::PathStatus::kOk) {
        return out;
    }
    decoded.resize(res.length);
    const Services::Lookup found = services.lookup_uri(r, decoded);
    if (found.status != 200 || !found.is_regular || found.filename.empty() || found.content_type.empty()) {
        return out;
    }
    const bool html = is_html(found.content_type);
    if (!html && !starts_with_nocase(found.content_type, "text/")) {
        return out;
    }
    if (read_file(found.filename, kMaxInsertBytes, out.content)) {
        out.kind = html ? Insert::Kind::Html : Insert::Kind::Text;
    }
    return out;
}

}  // namespace sonora::modules::generators::autoindex
