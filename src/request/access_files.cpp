#include "request/access_files.h"

#include "core/strings.h"
#include "config/engine.h"
#include "core/clock.h"
#include "modules/core/request_log.h"
#include "request/fs_verdicts.h"
#include "request/request.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sonora::request {

using modules::core::CoreDirConfig;
using modules::core::Section;

namespace {

constexpr std::string_view kDefaultAccessFileName = ".htaccess";
// httpd reads any size; a bound keeps one bad file from costing unbounded
// memory in every thread that meets it.
constexpr off_t kMaxAccessFileBytes = 4 * 1024 * 1024;

bool same_time(const timespec& a, const timespec& b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

std::int64_t to_us(const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000; }

config::AccessFileRules rules_for(const CoreDirConfig& c) {
    static const std::vector<std::string> no_list;
    config::AccessFileRules rules;
    const unsigned classes = c.allow_override ? c.allow_override->classes : 0;
    rules.override = classes != 0 ? (classes | kOrUnset) : 0;
    if (c.allow_override) {
        rules.options = c.allow_override->options.value_or(~0u);
        rules.nonfatal_override = c.allow_override->nonfatal_override;
        rules.nonfatal_unknown = c.allow_override->nonfatal_unknown;
    }
    rules.override_list = c.allow_override_list ? &*c.allow_override_list : &no_list;
    return rules;
}

void log_unreadable(const Request& r, const std::string& path, std::size_t dir_len, const std::string& why) {
    modules::core::log_request_error(r, LogLevel::Crit, "core", "SN00529",
                                     why + path + " pcfg_openfile: unable to check htaccess file, ensure it is "
                                     "readable and that '" + path.substr(0, dir_len) + "' is executable");
}

// The whole file, from an open descriptor; false on a read error.
bool read_all(int fd, off_t size, std::string& out) {
    out.resize(static_cast<std::size_t>(size));
    std::size_t got = 0;
    while (got < out.size()) {
        ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return got == static_cast<std::size_t>(size);
}

}  // namespace

bool AccessFileCache::Entry::parsed_under(const Server* s, const config::AccessFileRules& rules) const {
    return server == s && override == rules.override && options == rules.options &&
           nonfatal_override == rules.nonfatal_override && nonfatal_unknown == rules.nonfatal_unknown &&
           override_list == *rules.override_list;
}

void AccessFileCache::Entry::set_rules(const Server* s, const config::AccessFileRules& rules) {
    server = s;
    override = rules.override;
    options = rules.options;
    nonfatal_override = rules.nonfatal_override;
    nonfatal_unknown = rules.nonfatal_unknown;
    override_list = *rules.override_list;
}

bool AccessFileCache::Entry::racy() const {
    return to_us(mtime) + kRacyWindowUs >= verified_us || to_us(ctime) + kRacyWindowUs >= verified_us;
}

void AccessFileCache::Entry::confirm(std::int64_t now_us) {
    // Once the file's times lie well before a moment its bytes were seen, any
    // later write must change them.
    verified_us = now_us;
}

const AccessFile* AccessFileCache::find(const Request& r, const CoreDirConfig& c, const std::string& dir,
                                        int& status) {
    status = 0;
    const AccessFile* out = nullptr;
    const auto& names = modules::core::server_config(*r.server).access_file_names;
    if (names.empty()) {
        status = check(r, c, dir, kDefaultAccessFileName, out);
    } else {
        for (const std::string& name : names) {
            status = check(r, c, dir, name, out);
            if (status != -1) {
                break;
            }
        }
    }
    if (status == -1) {
        status = 0;
    }
    return status == 0 ? out : nullptr;
}

int AccessFileCache::load(const Request& r, const std::string& dir, struct stat& st, std::string& text) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT || e == ENOTDIR) {
            return -1;  // removed since the stat()
        }
        log_unreadable(r, path_, dir.size(), errno_text(e) + ": ");
        return 403;
    }
    // Describe what the descriptor holds: the file may have changed since stat().
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        log_unreadable(r, path_, dir.size(), "(not a regular file) ");
        return 403;
    }
    int status = 0;
    if (st.st_size > kMaxAccessFileBytes) {
        text.clear();
        status = 1;  // parse() reports it
    } else if (!read_all(fd, st.st_size, text)) {
        const int e = errno;
        ::close(fd);
        log_unreadable(r, path_, dir.size(), errno_text(e) + ": ");
        return 403;
    }
    ::close(fd);
    return status == 1 ? 0 : status;
}

int AccessFileCache::check(const Request& r, const CoreDirConfig& c, const std::string& dir, std::string_view name,
                           const AccessFile*& out) {
    path_.assign(dir).append(name);
    struct stat st {};
    bool unchanged = false;  // nothing happened under this name since it was last asked
    if (const int e = fs_.stat(path_, st, unchanged); e != 0) {
        if (e == ENOENT || e == ENOTDIR) {
            return -1;  // not there: the next name
        }
        log_unreadable(r, path_, dir.size(), errno_text(e) + ": ");
        return 403;
    }
    if (!S_ISREG(st.st_mode)) {
        log_unreadable(r, path_, dir.size(), "(not a regular file) ");
        return 403;
    }
    const config::AccessFileRules rules = rules_for(c);
    std::vector<Entry>& versions = entries_[path_];
    Entry* entry = nullptr;
    for (Entry& e : versions) {
        if (e.parsed_under(r.server, rules)) {
            entry = &e;
            break;
        }
    }
    const bool same = entry != nullptr && entry->dev == st.st_dev && entry->ino == st.st_ino &&
                      entry->size == st.st_size && same_time(entry->mtime, st.st_mtim) &&
                      same_time(entry->ctime, st.st_ctim);
    if (same && (unchanged || !entry->racy())) {
        out = entry->file.get();
        return 0;
    }
    const std::int64_t now = wall_us();
    // Changed, new, or changed too recently for its times to tell (a rewrite
    // in the same clock tick keeps size, inode and times): read it.
    std::string text;
    if (int status = load(r, dir, st, text); status != 0) {
        return status;
    }
    if (same && text == entry->text) {
        entry->confirm(now);
        out = entry->file.get();
        return 0;
    }
    if (entry == nullptr) {
        entry = &versions.emplace_back();
        entry->set_rules(r.server, rules);
    }
    const std::string path = path_;
    auto parsed = parse(r, rules, path, dir, st, text);
    for (const auto& [id, message] : parsed->warnings) {
        modules::core::log_request_error(r, LogLevel::Warn, "core", id, message);
    }
    if (entry->file) {
        retired_.push_back(std::move(entry->file));
    }
    entry->dev = st.st_dev;
    entry->ino = st.st_ino;
    entry->size = st.st_size;
    entry->mtime = st.st_mtim;
    entry->ctime = st.st_ctim;
    entry->text = std::move(text);
    entry->confirm(now);
    entry->file = std::move(parsed);
    out = entry->file.get();
    return 0;
}

std::shared_ptr<const AccessFile> AccessFileCache::parse(const Request& r, config::AccessFileRules rules,
                                                         const std::string& path, const std::string& dir,
                                                         const struct stat& st, std::string text) {
    ++parses_;
    auto file = std::make_shared<AccessFile>();
    if (st.st_size > kMaxAccessFileBytes) {
        file->status = 500;
        file->error = path + ": larger than " + std::to_string(kMaxAccessFileBytes) + " bytes";
        return file;
    }
    auto sec = std::make_shared<Section>();
    sec->kind = Section::Kind::Directory;
    sec->pattern = dir;
    sec->config = gen_.new_dir_vector();
    sec->file = std::make_shared<const std::string>(path);
    rules.warnings = &file->warnings;
    // The engine only reads the generation, and the handlers an access file
    // can reach write only the per-dir vector they are given (an access file
    // is a directory context, so nothing lands in the server's config; a
    // <Limit> cannot register methods from one).
    config::Engine engine(const_cast<config::Generation&>(gen_));
    try {
        engine.parse_access_file(std::move(text), path, dir, const_cast<Server&>(*r.server), rules, sec->config);
    } catch (const config::ConfigError& e) {
        file->status = 500;
        file->error = path + ": " + e.what();
        if (e.line > 0) {
            file->error += " (line " + std::to_string(e.line) + ")";
        }
        return file;
    }
    file->section = std::move(sec);
    return file;
}

}  // namespace sonora::request
