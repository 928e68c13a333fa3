#pragma once
// What mod_autoindex's handler gathers for a listing from the disk and
// through subrequests: the directory's entries, the HeaderName/ReadmeName
// files, the titles ScanHTMLTitles shows.

#include "modules/generators/mod_autoindex.h"
#include "modules/generators/mod_autoindex_render.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::generators::autoindex {

// How the entries are made: the options after the query, the sort key (an
// M sort gives plain listings' entries a time of 0) and the P= pattern.
struct EntryRules {
    std::uint32_t opts = 0;
    char key = 'N';
    const std::optional<std::string>* pattern = nullptr;
};

// The parent line and one entry per file of the directory `r.filename`
// (ending in '/') that may be listed: not "." or "..", matching the
// pattern, not hidden by IndexIgnore, a regular file or directory (links
// followed) whose subrequest succeeds or redirects (or is refused, under
// ShowForbidden). Unsorted. False, with errno, when the directory cannot be
// read.
bool collect_entries(const request::Request& r, Services& services, const AutoindexSettings& c,
                     const EntryRules& rules, std::vector<Entry>& out);

// A HeaderName/ReadmeName file, looked up as a subrequest relative to the
// listing's URL (or as the URL it is): an HTML file as it is on disk,
// another text file as text, anything else (or nothing found) nothing.
Insert find_insert(const request::Request& r, Services& services, const std::optional<std::string>& name);

}  // namespace sonora::modules::generators::autoindex
