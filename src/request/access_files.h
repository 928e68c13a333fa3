#pragma once
// Access files (.htaccess), read where AllowOverride or AllowOverrideList
// lets httpd read them. httpd opens, reads and parses every one on the path
// for every request; Sonora parses a file once and keeps the result while
// the file stays the same. Whether it does is asked of FsVerdicts (inotify:
// no system call while nothing changed in its directory); where that cannot
// watch, each request stats it (device, inode, size, mtime and ctime must
// all match; a file written within a timestamp tick of being read is also
// re-read and compared byte for byte). Either way an edit, a replacement or
// a removal takes effect on the very next request: a verdict is never served
// from a file that is no longer there.
//
// A file that does not parse (a syntax error, a directive its AllowOverride
// does not allow, an unknown one) is cached too, as its error: each request
// that meets it is answered 500 and logged as httpd logs it.
//
// Threading: one cache per event-loop thread (the Walker owns it). Parsed
// bodies are never freed while the cache lives, even when their file
// changes: the Walker's merge cache is keyed by their addresses.

#include "modules/core/core_config.h"

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sonora::config {
class Generation;
struct AccessFileRules;
}

namespace sonora::request {

struct Request;
class FsVerdicts;

struct AccessFile {
    // The parsed body: a <Directory> section of the file's directory.
    std::shared_ptr<const modules::core::Section> section;
    int status = 0;             // 0, or 500 for a file that does not parse
    std::string error;          // then what is logged, naming file, line and directive
    // AllowOverride Nonfatal skips (message id, text), logged when parsed.
    std::vector<std::pair<std::string, std::string>> warnings;
};

class AccessFileCache {
public:
    AccessFileCache(const config::Generation& gen, FsVerdicts& fs) : gen_(gen), fs_(fs) {}

    // The access file of directory `dir` (absolute, with its trailing slash)
    // that httpd would read for `r` under the directory's configuration `c`:
    // the first AccessFileName that exists. Null when there is none; `status`
    // is then 0, or 403 when one cannot be read (logged as httpd's AH00529).
    // A file that does not parse is returned with its status and error.
    const AccessFile* find(const Request& r, const modules::core::CoreDirConfig& c, const std::string& dir,
                           int& status);

    std::size_t parses() const { return parses_; }

private:
    struct Entry {
        // What the file was when parsed.
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
        timespec mtime{}, ctime{};
        // What it was parsed under (AccessFileRules, with its own copy of
        // the list).
        const Server* server = nullptr;
        unsigned override = 0;
        unsigned options = 0;
        bool nonfatal_override = false, nonfatal_unknown = false;
        std::vector<std::string> override_list;
        bool parsed_under(const Server* s, const config::AccessFileRules& rules) const;
        void set_rules(const Server* s, const config::AccessFileRules& rules);
        std::shared_ptr<const AccessFile> file;
        std::string text;             // the bytes parsed
        std::int64_t verified_us = 0;  // wall clock when those bytes were last read

        // Whether the file was written so shortly before its bytes were read
        // that a rewrite since could have left its times unchanged (file
        // systems stamp with a coarse clock): then its bytes are compared.
        bool racy() const;
        void confirm(std::int64_t now_us);
    };
    // Wider than any file system's timestamp granularity Linux serves
    // locally (ext4, xfs, tmpfs: a clock tick; FAT: 2 s).
    static constexpr std::int64_t kRacyWindowUs = 2'500'000;

    // One name in `dir`: -1 when it is not there, else 0 with `out` set, or
    // 403.
    int check(const Request& r, const modules::core::CoreDirConfig& c, const std::string& dir, std::string_view name,
              const AccessFile*& out);
    // Opens path_ and reads it: 0 with `st` and `text` describing what was
    // read, -1 when it is gone, 403 (logged) when it cannot be read.
    int load(const Request& r, const std::string& dir, struct stat& st, std::string& text);
    std::shared_ptr<const AccessFile> parse(const Request& r, config::AccessFileRules rules, const std::string& path,
                                            const std::string& dir, const struct stat& st, std::string text);

    const config::Generation& gen_;
    FsVerdicts& fs_;
    std::unordered_map<std::string, std::vector<Entry>> entries_;
    std::vector<std::shared_ptr<const AccessFile>> retired_;
    std::string path_;  // scratch
    std::size_t parses_ = 0;
};

}  // namespace sonora::request
