#pragma once
// The text files authentication reads at request time: AuthUserFile
// (htpasswd's "user:hash" lines, htdigest's "user:realm:hash") and
// AuthGroupFile ("group: user user ..." lines).
//
// httpd opens and reads the file on every request. Sonora parses it once
// and keeps the result per thread (no lock, worker threads included) for as
// long as stat() reports the same file: device, inode, size, modification
// and change times (nanoseconds). htpasswd writes a new file and renames it
// over the old one, so an edit is seen by the next request. A file changed
// in the last two seconds is read again each time (a second edit within the
// file system's timestamp granularity would leave the stamp as it was). At most
// kMaxCachedFiles files per thread are kept; files over kMaxCachedBytes are
// read again on each request, as httpd does.
//
// Line rules are httpd's (ap_cfg_getline, ap_getword): leading and trailing
// white space is dropped, empty lines and lines starting with '#' are
// skipped, fields are split at ':' where a run of colons counts as one, and
// the first line naming a user wins. A password-file line of 8 KiB or more
// ends the file there (httpd's line buffer is 8 KiB and it stops reading).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sonora::modules::aaa {

struct UserFile {
    struct Entry {
        std::string user;
        std::string second;  // htpasswd: the hash; htdigest: the realm
        std::string third;   // htdigest: the hash
    };
    std::vector<Entry> entries;  // in file order
    std::unordered_map<std::string, std::size_t> first;  // user -> first entry naming it

    // The hash of `user` (its first line), or null.
    const std::string* hash_of(std::string_view user) const;
    // htdigest: the hash on the first line for `user` and `realm`, or null.
    const std::string* realm_hash_of(std::string_view user, std::string_view realm) const;
};

struct GroupFile {
    // user -> the groups whose lines name them, in file order.
    std::unordered_map<std::string, std::vector<std::string>> groups_of;

    bool in_group(std::string_view user, std::string_view group) const;
    bool in_any_group(std::string_view user) const;
};

UserFile parse_user_file(std::string_view text);
GroupFile parse_group_file(std::string_view text);

inline constexpr std::size_t kMaxCachedFiles = 64;
inline constexpr std::size_t kMaxCachedBytes = 16u << 20;

// The parsed file at `path` (this thread's copy while the file is unchanged),
// or null with the errno in `error` when it cannot be read.
std::shared_ptr<const UserFile> load_user_file(const std::string& path, int& error);
std::shared_ptr<const GroupFile> load_group_file(const std::string& path, int& error);

}  // namespace sonora::modules::aaa
