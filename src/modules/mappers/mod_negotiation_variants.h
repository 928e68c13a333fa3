#pragma once
// MultiViews: the variants of a missing file "foo" are the files "foo.*" in
// its directory whose extensions mod_mime knows (MultiviewsMatch decides
// whether handler, filter or unknown extensions may take part).
//
// The directory's names are read once and kept per thread, revalidated by
// the directory's modification time (one stat() instead of a readdir per
// request); a directory changed within the last second is read again next
// time, as its mtime may not show a later change within the same tick.

#include "modules/mappers/mod_negotiation_choose.h"

#include <sonora/request.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::metadata {
struct MimeDirConfig;
struct MimeServerConfig;
}  // namespace sonora::modules::metadata

namespace sonora::modules::mappers::negotiation {

struct DirListing {
    std::vector<std::string> names;  // sorted; directories left out
    struct timespec mtime {};         // the directory's, when read
};

// The listing of `dir` (no trailing '/'); null with `error` set (errno)
// when it cannot be read.
std::shared_ptr<const DirListing> list_directory(const std::string& dir, int& error);

// Forgets every kept listing of this thread (tests).
void clear_listing_cache();

struct MultiViews {
    explicit MultiViews(std::pmr::memory_resource* resource) : variants(resource) {}
    std::pmr::vector<Variant> variants;  // in httpd's canonical order
    bool any_match = false;              // some name matched, even if none could be served
    std::string type_map;                // a candidate is a type map: negotiate with it instead
    struct timespec dir_mtime {};
};

// The variants of `prefix` in `dir` under the request's mod_mime settings.
// Returns false with `error` when the directory cannot be read.
bool find_variants(const std::string& dir, std::string_view prefix, const metadata::MimeDirConfig* mime,
                   const metadata::MimeServerConfig* types, MultiViews& out, int& error);

}  // namespace sonora::modules::mappers::negotiation
