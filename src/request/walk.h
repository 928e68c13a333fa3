#pragma once
// Choosing the server for a request (virtual hosts) and the per-directory
// configuration that applies to it (httpd's directory, file and location
// walks), with the merge done once per distinct set of matching sections.
//
// Section order is httpd's: the server's defaults, then <Directory> sections
// without regexes from the shortest path to the longest, then <DirectoryMatch>
// (and <Directory ~>) in file order, then <Files>/<FilesMatch> from the
// server level and from every matched directory section, then <Location> and
// <LocationMatch> in file order. Then, per request, the <If>/<ElseIf>/<Else>
// sections of the result whose conditions hold (if_config), merged last.
//
// Threading: one Walker per event-loop thread; it caches merged vectors.

#include "config/generation.h"
#include "request/access_files.h"
#include "request/fs_verdicts.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonora::modules::core {
struct Section;
struct CoreDirConfig;
}
namespace sonora::expr {
class Context;
}

namespace sonora::request {

// An access file the directory walk read: the depth of its directory (its
// count of '/', as a <Directory> pattern's) and its parsed body.
struct AccessFileHit {
    std::size_t depth = 0;
    const modules::core::Section* section = nullptr;
};

class Walker {
public:
    explicit Walker(const config::Generation& gen);

    // Name-based (and address-based) virtual host for a request that arrived
    // on local `port` (and `local_ip` when known) naming `host`.
    // `unknown_host`, when given, is set when no ServerName/ServerAlias of the
    // address's virtual hosts matches `host` and the address's default
    // virtual host has StrictHostCheck On (httpd answers 400 then).
    const Server& select_server(int port, std::string_view local_ip, std::string_view host,
                                bool* unknown_host = nullptr) const;
    // Whether any virtual host is tied to a specific local address, so that the
    // local address of each connection must be looked up (getsockname).
    bool needs_local_address() const { return needs_local_address_; }

    // The merged per-dir config for `filename` (absolute; `is_dir` says whether
    // it names a directory) reached through `uri`, with the access files the
    // directory walk read (in walk order) merged after the <Directory>
    // sections of their depth, as httpd does. The result lives as long as the
    // Walker.
    const ConfigVector* dir_config(const Server& s, std::string_view filename, bool is_dir, std::string_view uri,
                                   std::span<const AccessFileHit> access_files = {});

    // httpd's ap_location_walk before translate_name: the server's defaults
    // with the <Location>/<LocationMatch> sections matching `uri` merged, in
    // order. Cached as dir_config() is.
    const ConfigVector* location_config(const Server& s, std::string_view uri);

    // The named groups of the regex sections the last location_config() or
    // dir_config() matched, set in r's environment as MATCH_<NAME> (httpd
    // 2.4.8+), then forgotten.
    void export_match_env(Request& r);

    // httpd's ap_if_walk: the <If> chains listed in `base` (a dir_config()
    // result) evaluated against `ctx` in order, nested ones inside each that
    // holds, and those that hold merged over `base`. `base` itself when none
    // holds. Cached by base and matched sections, as dir_config() is.
    const ConfigVector* if_config(const ConfigVector* base, expr::Context& ctx);

    std::size_t cached_merges() const { return cache_.size() + if_cache_.size(); }

    // The core per-dir config in effect for directory `dir` (absolute, with a
    // trailing slash) as httpd's directory walk sees it while it descends:
    // the server's defaults merged with the <Directory> sections without
    // regexes that match `dir`, shortest first. <DirectoryMatch> and
    // <Directory ~> take no part (httpd merges them after the descent), nor do
    // <Files>, <Location> and <If>. Pure configuration, so cached per server
    // and directory (at most kMaxDirectoryCores directories, then the cache
    // starts again); the result lives as long as the Walker.
    // With access files read above `dir` (or in it), their core configs are
    // merged in walk order too.
    const modules::core::CoreDirConfig& directory_core(const Server& s, std::string_view dir,
                                                       std::span<const AccessFileHit> access_files = {});
    // False when no directory of `s` can refuse a symlink or allow a
    // .htaccess file (every Options keeps FollowSymLinks and adds no
    // SymLinksIfOwnerMatch, AllowOverride is None and AllowOverrideList empty
    // everywhere): the directory checks then need neither directory_core()
    // nor a system call.
    bool directory_checks_needed(const Server& s);
    static constexpr std::size_t kMaxDirectoryCores = 4096;

    // A directory walk that passed (check_directory_walk returned 0): the
    // access files it read and the per-dir config they made, kept for a
    // file (absolute; `is_dir` as the file cache says) reached through a URI
    // while every answer the walk was built from stays: remembered only when
    // fs() kept all of them, and trusted while fs().epoch() is what it was.
    struct KnownWalk {
        std::uint64_t epoch = 0;
        bool is_dir = false;
        std::string uri;
        std::vector<AccessFileHit> access_files;
        const ConfigVector* dir_config = nullptr;
        // The named groups of the regex sections that matched (MATCH_*).
        std::vector<std::pair<std::string_view, std::string>> match_env;
    };
    // Null when there is none to trust; else the walk's MATCH_* values are
    // those export_match_env() will set.
    const KnownWalk* remembered_walk(const Server& s, std::string_view filename, bool is_dir, std::string_view uri);
    void remember_walk(const Server& s, std::string_view filename, bool is_dir, std::string_view uri,
                       std::uint64_t epoch, std::span<const AccessFileHit> access_files,
                       const ConfigVector* dir_config);
    static constexpr std::size_t kMaxWalks = 4096;  // per server, then the memo starts again

    AccessFileCache& access_files() { return access_files_; }
    FsVerdicts& fs() { return fs_; }

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
        const void* server;  // the Server, or for <If> merges the vector merged over
        std::vector<const void*> sections;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const;
    };

    const ServerInfo& info(const Server& s);
    const ConfigVector* merged(const Server& s, const std::vector<const void*>& sections);
    const ConfigVector* merged_scratch(const Server& s);
    std::unique_ptr<ConfigVector> merge_over(const ConfigVector& start, const std::vector<const void*>& sections) const;
    void collect_locations(const Server& s, std::string_view uri, std::vector<const void*>& out);
    // Keeps a matched regex section's named groups for export_match_env().
    void note_match(const modules::core::Section& sec, std::string_view subject);
    void collect_ifs(const ConfigVector& v, expr::Context& ctx, std::vector<const void*>& out) const;

    // The <Directory> sections in `plain` (sorted by depth) with the access
    // files merged in after those of their depth, into `out`.
    static void interleave(const std::vector<const modules::core::Section*>& plain,
                           std::span<const AccessFileHit> access_files, std::vector<const void*>& out);

    const config::Generation& gen_;
    FsVerdicts fs_;
    AccessFileCache access_files_;
    std::vector<VhostEntry> vhosts_;
    bool needs_local_address_ = false;
    std::unordered_map<const Server*, ServerInfo> infos_;
    std::unordered_map<Key, std::unique_ptr<ConfigVector>, KeyHash> cache_;
    // <If> merges, keyed by the base vector and the sections that held.
    std::unordered_map<Key, std::unique_ptr<ConfigVector>, KeyHash> if_cache_;
    Key if_scratch_;
    Key scratch_;  // reused for lookups
    std::vector<std::pair<std::string_view, std::string>> match_env_;
    std::vector<const modules::core::Section*> dir_scratch_;
    // directory_core(): per server, whether the checks are needed and the
    // directories seen; the merged configs by their matched sections.
    // Looks strings up by string_view, without making a std::string.
    struct PathHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    struct DirectoryCores {
        bool checks_needed = false;
        std::unordered_map<std::string, const modules::core::CoreDirConfig*> by_dir;
        std::unordered_map<std::string, KnownWalk, PathHash, std::equal_to<>> walks;
    };
    DirectoryCores& directory_cores(const Server& s);
    std::unordered_map<const Server*, DirectoryCores> directory_cores_;
    std::unordered_map<Key, std::shared_ptr<const modules::core::CoreDirConfig>, KeyHash> core_merges_;
    Key core_scratch_;
    std::string dir_key_;  // reused for lookups
};

// Whether `<Location path>` applies to `uri`: a prefix that ends at a path
// segment boundary (or the section path ends in '/').
bool location_matches(std::string_view section, std::string_view uri);
// Whether a non-regex <Directory> (absolute, with trailing '/', wildcards
// allowed per component) applies to directory `dir` (with trailing '/').
bool directory_matches(std::string_view section, std::string_view dir);

}  // namespace sonora::request
