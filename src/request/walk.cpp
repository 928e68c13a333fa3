#include "request/walk.h"

#include "request/request.h"

#include "core/strings.h"
#include "expr/eval.h"
#include "modules/core/core_config.h"

#include <fnmatch.h>

#include <algorithm>

namespace sonora::request {

using modules::core::core_module;
using modules::core::CoreDirConfig;
using modules::core::Section;

namespace {

std::size_t depth(std::string_view path) { return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')); }

bool has_wildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

void split_address(const std::string& addr, std::string& ip, int& port) {
    std::string host = addr;
    port = 0;
    if (!addr.empty() && addr.front() == '[') {
        auto close = addr.find(']');
        host = addr.substr(1, close - 1);
        if (close + 1 < addr.size() && addr[close + 1] == ':') {
            std::string p = addr.substr(close + 2);
            port = p == "*" ? 0 : std::atoi(p.c_str());
        }
    } else if (auto colon = addr.rfind(':'); colon != std::string::npos) {
        host = addr.substr(0, colon);
        std::string p = addr.substr(colon + 1);
        port = p == "*" ? 0 : std::atoi(p.c_str());
    }
    ip = (host == "*" || host == "_default_") ? std::string() : host;
}

bool name_matches(const modules::core::CoreServerConfig& c, std::string_view host) {
    if (c.server_name && equals_nocase(*c.server_name, host)) {
        return true;
    }
    for (const std::string& a : c.aliases) {
        if (equals_nocase(a, host)) {
            return true;
        }
    }
    if (!c.wild_aliases.empty()) {
        std::string lower = to_lower(host);
        for (const std::string& a : c.wild_aliases) {
            if (::fnmatch(to_lower(a).c_str(), lower.c_str(), 0) == 0) {
                return true;
            }
        }
    }
    return false;
}

bool file_section_matches(const Section& s, std::string_view basename) {
    if (s.is_regex) {
        return s.regex && s.regex->matches(basename);
    }
    std::string name(basename);
    return ::fnmatch(s.pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

bool location_matches(std::string_view section, std::string_view uri) {
    if (section.empty() || !uri.starts_with(section)) {
        return false;
    }
    return uri.size() == section.size() || section.back() == '/' || uri[section.size()] == '/';
}

bool directory_matches(std::string_view section, std::string_view dir) {
    if (section == "/") {
        return true;
    }
    if (!has_wildcard(section)) {
        return dir.starts_with(section);
    }
    // Compare the first N components of `dir` with the N components of the pattern.
    std::size_t n = depth(section);
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n && pos != std::string_view::npos; ++i) {
        pos = dir.find('/', pos + 1);
    }
    if (pos == std::string_view::npos) {
        return false;
    }
    std::string prefix(dir.substr(0, pos + 1));
    std::string pattern(section);
    return ::fnmatch(pattern.c_str(), prefix.c_str(), FNM_PATHNAME) == 0;
}

std::size_t Walker::KeyHash::operator()(const Key& k) const {
    std::size_t h = std::hash<const void*>()(k.server);
    for (const void* p : k.sections) {
        h = h * 1099511628211u ^ std::hash<const void*>()(p);
    }
    return h;
}

Walker::Walker(const config::Generation& gen) : gen_(gen), access_files_(gen, fs_) {
    for (const auto& vh : gen.vhosts) {
        for (const std::string& a : vh->addresses) {
            VhostEntry e{vh.get(), {}, 0};
            split_address(a, e.ip, e.port);
            needs_local_address_ = needs_local_address_ || !e.ip.empty();
            vhosts_.push_back(std::move(e));
        }
    }
}

const Server& Walker::select_server(int port, std::string_view local_ip, std::string_view host,
                                    bool* unknown_host) const {
    // httpd: vhosts on the exact local address beat wildcard ones; among the
    // candidates, the first whose ServerName/ServerAlias matches Host, else the
    // first candidate (the default for that address).
    const Server* exact_default = nullptr;
    const Server* wild_default = nullptr;
    for (int pass = 0; pass < 2; ++pass) {
        for (const VhostEntry& e : vhosts_) {
            bool exact = !e.ip.empty();
            if (exact != (pass == 0)) {
                continue;
            }
            if ((e.port != 0 && e.port != port) || (exact && e.ip != local_ip)) {
                continue;
            }
            const Server*& def = exact ? exact_default : wild_default;
            if (def == nullptr) {
                def = e.server;
            }
            if (!host.empty() && name_matches(modules::core::server_config(*e.server), host)) {
                return *e.server;
            }
        }
        if (exact_default != nullptr) {
            break;
        }
    }
    const Server* def = exact_default != nullptr ? exact_default : wild_default;
    if (def == nullptr) {
        return gen_.main;
    }
    // The candidates on the exact address all carry it in their <VirtualHost>
    // line, which httpd counts as a name: a Host naming the address is known.
    std::string_view bare_host = host;
    if (bare_host.size() > 2 && bare_host.front() == '[' && bare_host.back() == ']') {
        bare_host = bare_host.substr(1, bare_host.size() - 2);
    }
    const bool names_address = exact_default != nullptr && equals_nocase(bare_host, local_ip);
    if (unknown_host != nullptr && !host.empty() && !names_address) {
        *unknown_host = modules::core::server_config(*def).strict_host_check.value_or(false);
    }
    return *def;
}

const Walker::ServerInfo& Walker::info(const Server& s) {
    auto it = infos_.find(&s);
    if (it != infos_.end()) {
        return it->second;
    }
    ServerInfo si;
    for (const auto& sec : modules::core::server_config(s).sec_dir) {
        (sec->is_regex ? si.regex_dirs : si.plain_dirs).push_back(sec.get());
    }
    std::stable_sort(si.plain_dirs.begin(), si.plain_dirs.end(),
                     [](const Section* a, const Section* b) { return depth(a->pattern) < depth(b->pattern); });
    return infos_.emplace(&s, std::move(si)).first->second;
}

void Walker::interleave(const std::vector<const Section*>& plain, std::span<const AccessFileHit> access_files,
                        std::vector<const void*>& out) {
    std::size_t next = 0;
    for (const Section* sec : plain) {
        const std::size_t d = depth(sec->pattern);
        for (; next < access_files.size() && access_files[next].depth < d; ++next) {
            out.push_back(access_files[next].section);
        }
        out.push_back(sec);
    }
    for (; next < access_files.size(); ++next) {
        out.push_back(access_files[next].section);
    }
}

const ConfigVector* Walker::dir_config(const Server& s, std::string_view filename, bool is_dir,
                                       std::string_view uri, std::span<const AccessFileHit> access_files) {
    const ServerInfo& si = info(s);
    match_env_.clear();
    scratch_.server = &s;
    scratch_.sections.clear();
    // The directory the walk is about, with a trailing slash.
    std::string_view dir = filename;
    std::string_view base;
    if (!is_dir) {
        auto slash = filename.rfind('/');
        dir = filename.substr(0, slash + 1);
        base = filename.substr(slash + 1);
    }
    char dirbuf[4096];
    if (is_dir && (dir.empty() || dir.back() != '/') && dir.size() + 1 < sizeof dirbuf) {
        std::copy(dir.begin(), dir.end(), dirbuf);
        dirbuf[dir.size()] = '/';
        dir = std::string_view(dirbuf, dir.size() + 1);
    }
    std::vector<const Section*>& matched_dirs = dir_scratch_;
    matched_dirs.clear();
    for (const Section* sec : si.plain_dirs) {
        if (directory_matches(sec->pattern, dir)) {
            matched_dirs.push_back(sec);
        }
    }
    // httpd's order: the plain sections and the access files as the walk
    // descends, then the regex sections.
    interleave(matched_dirs, access_files, scratch_.sections);
    for (const Section* sec : si.regex_dirs) {
        if (sec->regex && sec->regex->matches(dir)) {
            scratch_.sections.push_back(sec);
            note_match(*sec, dir);
        }
    }
    if (!base.empty()) {
        auto files_of = [&](const ConfigVector& v) {
            if (const auto* core = v.get<CoreDirConfig>(core_module.index)) {
                for (const auto& f : core->sec_file) {
                    if (file_section_matches(*f, base)) {
                        scratch_.sections.push_back(f.get());
                        note_match(*f, base);
                    }
                }
            }
        };
        files_of(s.lookup_defaults);
        const std::size_t dirs = scratch_.sections.size();
        for (std::size_t i = 0; i < dirs; ++i) {
            files_of(static_cast<const Section*>(scratch_.sections[i])->config);
        }
    }
    collect_locations(s, uri, scratch_.sections);
    return merged_scratch(s);
}

void Walker::collect_locations(const Server& s, std::string_view uri, std::vector<const void*>& out) {
    // httpd (2.4.47+) compares <Location> with the path's slash runs merged whatever
    // MergeSlashes says, so "/a//b" is under <Location /a/b>; <LocationMatch> sees
    // the path as sent. A path that is not a local one ("*", absolute) is left alone.
    std::string merged;
    std::string_view prefix_subject = uri;
    if (uri.starts_with('/') && uri.find("//") != std::string_view::npos) {
        merged.reserve(uri.size());
        for (char c : uri) {
            if (c != '/' || merged.empty() || merged.back() != '/') {
                merged.push_back(c);
            }
        }
        prefix_subject = merged;
    }
    for (const auto& loc : modules::core::server_config(s).sec_url) {
        bool hit = loc->is_regex ? (loc->regex && loc->regex->matches(uri))
                                 : location_matches(loc->pattern, prefix_subject);
        if (hit) {
            out.push_back(loc.get());
            note_match(*loc, uri);
        }
    }
}

void Walker::note_match(const Section& sec, std::string_view subject) {
    if (sec.match_env.empty() || !sec.regex) {
        return;
    }
    std::vector<std::string_view> groups;
    if (!sec.regex->match(subject, groups)) {
        return;
    }
    for (const auto& [name, number] : sec.match_env) {
        if (number < groups.size()) {
            match_env_.emplace_back(name, std::string(groups[number]));
        }
    }
}

void Walker::export_match_env(Request& r) {
    for (const auto& [name, value] : match_env_) {
        r.env_set(name, value);
    }
    match_env_.clear();
}

const ConfigVector* Walker::location_config(const Server& s, std::string_view uri) {
    match_env_.clear();
    if (modules::core::server_config(s).sec_url.empty()) {
        return &s.lookup_defaults;
    }
    scratch_.server = &s;
    scratch_.sections.clear();
    collect_locations(s, uri, scratch_.sections);
    return merged_scratch(s);
}

std::unique_ptr<ConfigVector> Walker::merge_over(const ConfigVector& start,
                                                 const std::vector<const void*>& sections) const {
    auto out = std::make_unique<ConfigVector>(start);
    for (const void* p : sections) {
        const Section& sec = *static_cast<const Section*>(p);
        for (const auto& l : gen_.modules.loaded()) {
            const Module& m = *l.module;
            if (m.dir_config && sec.config.raw(m.index) != nullptr && out->raw(m.index) != nullptr) {
                out->set(m.index, m.dir_config.merge(out->raw(m.index), sec.config.raw(m.index)));
            }
        }
    }
    return out;
}

// The merge of scratch_'s sections over s's defaults, from the cache when
// this set was merged before.
const ConfigVector* Walker::merged_scratch(const Server& s) {
    if (scratch_.sections.empty()) {
        return &s.lookup_defaults;
    }
    auto it = cache_.find(scratch_);
    if (it != cache_.end()) {
        return it->second.get();
    }
    return merged(s, scratch_.sections);
}

const ConfigVector* Walker::merged(const Server& s, const std::vector<const void*>& sections) {
    auto out = merge_over(s.lookup_defaults, sections);
    const ConfigVector* result = out.get();
    cache_.emplace(Key{&s, sections}, std::move(out));
    return result;
}

void Walker::collect_ifs(const ConfigVector& v, expr::Context& ctx, std::vector<const void*>& out) const {
    const auto* core = v.get<CoreDirConfig>(core_module.index);
    if (core == nullptr) {
        return;
    }
    // A chain is an <If> followed by its <ElseIf>s and <Else>: the first
    // branch that holds is taken, the rest of the chain is skipped.
    bool taken = false;
    for (const auto& sec : core->sec_if) {
        if (sec->kind == Section::Kind::If) {
            taken = false;
        } else if (taken) {
            continue;
        }
        if (sec->kind != Section::Kind::Else && !(sec->expr && expr::evaluate(*sec->expr, ctx))) {
            continue;
        }
        taken = true;
        out.push_back(sec.get());
        collect_ifs(sec->config, ctx, out);  // nested <If> sections
    }
}

const ConfigVector* Walker::if_config(const ConfigVector* base, expr::Context& ctx) {
    const auto* core = base->get<CoreDirConfig>(core_module.index);
    if (core == nullptr || core->sec_if.empty()) {
        return base;
    }
    if_scratch_.server = base;
    if_scratch_.sections.clear();
    collect_ifs(*base, ctx, if_scratch_.sections);
    if (if_scratch_.sections.empty()) {
        return base;
    }
    auto it = if_cache_.find(if_scratch_);
    if (it != if_cache_.end()) {
        return it->second.get();
    }
    auto out = merge_over(*base, if_scratch_.sections);
    const ConfigVector* result = out.get();
    if_cache_.emplace(if_scratch_, std::move(out));
    return result;
}

namespace {

// Whether an Options setting can leave a directory without FollowSymLinks or
// with SymLinksIfOwnerMatch, starting from httpd's default (FollowSymLinks).
bool may_check_symlinks(const std::optional<modules::core::BitsSetting>& options) {
    using namespace modules::core;
    if (!options) {
        return false;
    }
    if (options->absolute) {
        return (options->value & (kOptSymLinks | kOptSymOwner)) != kOptSymLinks;
    }
    return (options->remove & kOptSymLinks) != 0 || (options->add & kOptSymOwner) != 0;
}

const CoreDirConfig& no_core_config() {
    static const CoreDirConfig empty;
    return empty;
}

}  // namespace

Walker::DirectoryCores& Walker::directory_cores(const Server& s) {
    auto it = directory_cores_.find(&s);
    if (it != directory_cores_.end()) {
        return it->second;
    }
    DirectoryCores d;
    const auto* defaults = s.lookup_defaults.get<CoreDirConfig>(core_module.index);
    d.checks_needed = defaults != nullptr && (may_check_symlinks(defaults->options) || defaults->allows_access_files());
    for (const Section* sec : info(s).plain_dirs) {
        if (const auto* c = sec->config.get<CoreDirConfig>(core_module.index)) {
            d.checks_needed = d.checks_needed || may_check_symlinks(c->options) || c->allows_access_files();
        }
    }
    return directory_cores_.emplace(&s, std::move(d)).first->second;
}

bool Walker::directory_checks_needed(const Server& s) { return directory_cores(s).checks_needed; }

const Walker::KnownWalk* Walker::remembered_walk(const Server& s, std::string_view filename, bool is_dir,
                                                 std::string_view uri) {
    DirectoryCores& d = directory_cores(s);
    auto it = d.walks.find(filename);
    if (it == d.walks.end()) {
        return nullptr;
    }
    const KnownWalk& w = it->second;
    if (w.epoch != fs_.epoch() || w.is_dir != is_dir || w.uri != uri) {
        return nullptr;
    }
    match_env_ = w.match_env;
    return &w;
}

void Walker::remember_walk(const Server& s, std::string_view filename, bool is_dir, std::string_view uri,
                           std::uint64_t epoch, std::span<const AccessFileHit> access_files,
                           const ConfigVector* dir_config) {
    DirectoryCores& d = directory_cores(s);
    auto it = d.walks.find(filename);
    if (it == d.walks.end()) {
        if (d.walks.size() >= kMaxWalks) {
            d.walks.clear();
        }
        it = d.walks.emplace(std::string(filename), KnownWalk{}).first;
    }
    KnownWalk& w = it->second;
    w.epoch = epoch;
    w.is_dir = is_dir;
    w.uri.assign(uri);
    w.access_files.assign(access_files.begin(), access_files.end());
    w.dir_config = dir_config;
    w.match_env = match_env_;
}

const CoreDirConfig& Walker::directory_core(const Server& s, std::string_view dir,
                                            std::span<const AccessFileHit> access_files) {
    DirectoryCores& d = directory_cores(s);
    const bool by_dir = access_files.empty();  // else it depends on the files too
    if (by_dir) {
        dir_key_.assign(dir);
        if (auto it = d.by_dir.find(dir_key_); it != d.by_dir.end()) {
            return *it->second;
        }
    }
    core_scratch_.server = &s;
    core_scratch_.sections.clear();
    dir_scratch_.clear();
    for (const Section* sec : info(s).plain_dirs) {
        if (directory_matches(sec->pattern, dir)) {
            dir_scratch_.push_back(sec);
        }
    }
    interleave(dir_scratch_, access_files, core_scratch_.sections);
    auto merged_it = core_merges_.find(core_scratch_);
    if (merged_it == core_merges_.end()) {
        const auto* defaults = s.lookup_defaults.get<CoreDirConfig>(core_module.index);
        auto out = std::make_shared<CoreDirConfig>(defaults != nullptr ? *defaults : no_core_config());
        for (const void* p : core_scratch_.sections) {
            if (const auto* c = static_cast<const Section*>(p)->config.get<CoreDirConfig>(core_module.index)) {
                *out = CoreDirConfig::merge(*out, *c);
            }
        }
        merged_it = core_merges_.emplace(core_scratch_, std::move(out)).first;
    }
    const CoreDirConfig* result = merged_it->second.get();
    if (by_dir) {
        if (d.by_dir.size() >= kMaxDirectoryCores) {
            d.by_dir.clear();
        }
        d.by_dir.emplace(dir_key_, result);
    }
    return *result;
}

}  // namespace sonora::request
