// MultiViews candidates: the kept directory listing, then mod_mime's view of
// each matching name (httpd looks every candidate up as a subrequest; the
// attributes come from the same tables here, under the directory's merged
// configuration).

#include "modules/mappers/mod_negotiation_variants.h"

#include "modules/metadata/mod_mime.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

namespace sonora::modules::mappers::negotiation {

namespace {

constexpr std::size_t kMaxListings = 256;

struct Kept {
    std::shared_ptr<const DirListing> listing;
    dev_t dev = 0;
    ino_t ino = 0;
};

std::unordered_map<std::string, Kept>& listings() {
    static thread_local std::unordered_map<std::string, Kept> cache;
    return cache;
}

bool same_time(const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

std::shared_ptr<const DirListing> read_directory(const std::string& dir, const struct stat& st, int& error) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        error = errno;
        return nullptr;
    }
    auto listing = std::make_shared<DirListing>();
    listing->mtime = st.st_mtim;
    while (const struct dirent* e = ::readdir(d)) {
        if (e->d_type == DT_DIR) {
            continue;
        }
        listing->names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(listing->names.begin(), listing->names.end());
    return listing;
}

// Whether every name part mod_mime left unclaimed appears, in order, among
// the dot-separated parts of the requested name ("index.html" takes
// "index.html.en" and "index.en.html", "index" takes neither "index.foo"
// nor "index.html.foo" unless .foo means something).
bool exceptions_match(std::string_view requested, const std::vector<std::string>& exceptions) {
    std::size_t next = 0;
    while (next < exceptions.size()) {
        std::size_t dot = requested.find('.');
        std::string_view segment = requested.substr(0, dot);
        if (segment == exceptions[next]) {
            ++next;
        }
        if (dot == std::string_view::npos) {
            break;
        }
        requested.remove_prefix(dot + 1);
    }
    return next == exceptions.size();
}

std::string_view keep(std::pmr::memory_resource* arena, std::string_view s) {
    if (s.empty()) {
        return {};
    }
    char* p = static_cast<char*>(arena->allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
}

}  // namespace

std::shared_ptr<const DirListing> list_directory(const std::string& dir, int& error) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        error = errno;
        return nullptr;
    }
    if (!S_ISDIR(st.st_mode)) {
        error = ENOTDIR;
        return nullptr;
    }
    auto& cache = listings();
    auto it = cache.find(dir);
    if (it != cache.end() && it->second.dev == st.st_dev && it->second.ino == st.st_ino &&
        same_time(it->second.listing->mtime, st.st_mtim)) {
        return it->second.listing;
    }
    auto listing = read_directory(dir, st, error);
    if (listing == nullptr) {
        return nullptr;
    }
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec - st.st_mtim.tv_sec >= 2) {
        if (it != cache.end()) {
            it->second = Kept{listing, st.st_dev, st.st_ino};
        } else {
            if (cache.size() >= kMaxListings) {
                cache.erase(cache.begin());
            }
            cache.emplace(dir, Kept{listing, st.st_dev, st.st_ino});
        }
    } else if (it != cache.end()) {
        cache.erase(it);
    }
    return listing;
}

void clear_listing_cache() { listings().clear(); }

bool find_variants(const std::string& dir, std::string_view prefix, const metadata::MimeDirConfig* mime,
                   const metadata::MimeServerConfig* types, MultiViews& out, int& error) {
    auto listing = list_directory(dir, error);
    if (listing == nullptr) {
        return false;
    }
    out.dir_mtime = listing->mtime;
    std::pmr::memory_resource* arena = out.variants.get_allocator().resource();
    std::string path;
    for (const std::string& name : listing->names) {
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name[prefix.size()] != '.') {
            continue;
        }
        out.any_match = true;
        path.assign(dir).append("/").append(name);
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        metadata::MimeFacts facts = metadata::mime_facts(name, mime, types);
        if (!facts.claimed || !exceptions_match(prefix, facts.exceptions)) {
            continue;
        }
        if (!facts.handler.empty() && facts.content_type.empty()) {
            facts.content_type = kCgiMagicType;  // something with a handler is taken for a script
        }
        if (facts.content_type.empty()) {
            continue;
        }
        if (facts.handler == "type-map" || facts.content_type == kMapFileMagicType) {
            out.variants.clear();
            out.type_map = path;
            return true;
        }
        std::string lowered = facts.content_type;
        for (char& c : lowered) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        AcceptItem type;
        parse_item(keep(arena, lowered), type);
        Variant v;
        v.set_content_type(type);
        v.file_name = keep(arena, name);
        v.encoding = keep(arena, facts.encoding);
        v.languages = keep(arena, facts.languages);
        v.bytes = static_cast<std::int64_t>(st.st_size);
        v.has_handler = !facts.handler.empty();
        out.variants.push_back(v);
    }
    std::stable_sort(out.variants.begin(), out.variants.end(), [](const Variant& a, const Variant& b) {
        if (a.source_quality != b.source_quality) {
            return a.source_quality > b.source_quality;
        }
        return a.file_name < b.file_name;
    });
    return true;
}

}  // namespace sonora::modules::mappers::negotiation
