#pragma once
// Choosing the server for a request (virtual hosts) and the per-directory
// configuration that applies to it (httpd's directory, file and location
// walks), with the merge done once per distinct set of matching sections.
//
// Section order is httpd's: the server's defaults, then <Directory> sections
// without regexes from the shortest path to the longest, then <DirectoryMatch>
// (and <Directory ~>) in file order, then <Files>/<FilesMatch> from the
// server level and from every matched directory section, then <Location> and
// <LocationMatch> in file order. <If> sections are not applied yet.
//
// Threading: one Walker per event-loop thread; it caches merged vectors.

#include "config/generation.h"

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonora::modules::core {
struct Section;
}

namespace sonora::request {

class Walker {
public:
    explicit Walker(const config::Generation& gen);

    // Name-based (and address-based) virtual host for a request that arrived
    // on local `port` (and `local_ip` when known) naming `host`.
    const Server& select_server(int port, std::string_view local_ip, std::string_view host) const;
    // Whether any virtual host is tied to a specific local address, so that the
    // local address of each connection must be looked up (getsockname).
    bool needs_local_address() const { return needs_local_address_; }

    // The merged per-dir config for `filename` (absolute; `is_dir` says whether
    // it names a directory) reached through `uri`. The result lives as long as
    // the Walker.
    const ConfigVector* dir_config(const Server& s, std::string_view filename, bool is_dir, std::string_view uri);

    std::size_t cached_merges() const { return cache_.size(); }

private:
    struct ServerInfo {
        std::vector<const modules::core::Section*> plain_dirs;  // sorted by depth
        std::vector<const modules::core::Section*> regex_dirs;
    };
    struct VhostEntry {
        const Server* server;
        std::string ip;  // empty for * and _default_
        int port;        // 0 for any
    };
    struct Key {
        const Server* server;
        std::vector<const void*> sections;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };

    const ServerInfo& info(const Server& s);
    const ConfigVector* merged(const Server& s, const std::vector<const void*>& sections);

    const config::Generation& gen_;
    std::vector<VhostEntry> vhosts_;
    bool needs_local_address_ = false;
    std::unordered_map<const Server*, ServerInfo> infos_;
    std::unordered_map<Key, std::unique_ptr<ConfigVector>, KeyHash> cache_;
    Key scratch_;  // reused for lookups
    std::vector<const modules::core::Section*> dir_scratch_;
};

// Whether `<Location path>` applies to `uri`: a prefix that ends at a path
// segment boundary (or the section path ends in '/').
bool location_matches(std::string_view section, std::string_view uri);
// Whether a non-regex <Directory> (absolute, with trailing '/', wildcards
// allowed per component) applies to directory `dir` (with trailing '/').
bool directory_matches(std::string_view section, std::string_view dir);

}  // namespace sonora::request
