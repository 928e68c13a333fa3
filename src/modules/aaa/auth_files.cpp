#include "modules/aaa/auth_files.h"

#include "config/words.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>

namespace sonora::modules::aaa {

namespace {

constexpr std::size_t kMaxPasswordLine = 8191;
constexpr long kSettleSeconds = 1;

struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    long mtime_s = 0, mtime_ns = 0, ctime_s = 0, ctime_ns = 0;
    bool operator==(const Stamp&) const = default;
};

Stamp stamp_of(const struct stat& st) {
    return Stamp{st.st_dev,
                 st.st_ino,
                 st.st_size,
                 static_cast<long>(st.st_mtim.tv_sec),
                 st.st_mtim.tv_nsec,
                 static_cast<long>(st.st_ctim.tv_sec),
                 st.st_ctim.tv_nsec};
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim_line(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

// httpd's ap_getword with ':': up to the first colon, then past every colon
// that follows it.
std::string_view take_field(std::string_view& rest) {
    std::size_t colon = std::min(rest.find(':'), rest.size());
    std::string_view word = rest.substr(0, colon);
    rest.remove_prefix(colon);
    while (!rest.empty() && rest.front() == ':') {
        rest.remove_prefix(1);
    }
    return word;
}

// Calls `fn` with each line that counts (trimmed, not empty, not a comment);
// stops early when `max_line` is exceeded or `fn` returns false.
template <class Fn>
void for_each_line(std::string_view text, std::size_t max_line, Fn fn) {
    while (!text.empty()) {
        std::size_t nl = std::min(text.find('\n'), text.size());
        std::string_view raw = text.substr(0, nl);
        text.remove_prefix(std::min(nl + 1, text.size()));
        if (raw.size() >= max_line) {
            return;
        }
        // A NUL ends the line for httpd's C strings.
        raw = raw.substr(0, std::min(raw.find('\0'), raw.size()));
        std::string_view line = trim_line(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        fn(line);
    }
}

bool read_whole(const std::string& path, std::string& text, Stamp& stamp, int& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        error = errno;
        return false;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        error = errno;
        ::close(fd);
        return false;
    }
    stamp = stamp_of(st);
    text.clear();
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            error = errno;
            ::close(fd);
            return false;
        }
        if (n == 0) {
            break;
        }
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

template <class T>
struct Cached {
    Stamp stamp;
    std::shared_ptr<const T> parsed;
};

template <class T, T (*Parse)(std::string_view)>
std::shared_ptr<const T> load(const std::string& path, int& error) {
    thread_local std::unordered_map<std::string, Cached<T>> cache;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = errno;
        return nullptr;
    }
    auto it = cache.find(path);
    if (it != cache.end() && it->second.stamp == stamp_of(st)) {
        return it->second.parsed;
    }
    std::string text;
    Stamp stamp;
    if (!read_whole(path, text, stamp, error)) {
        return nullptr;
    }
    auto parsed = std::make_shared<const T>(Parse(text));
    // A file changed within the clock's granularity of being read could
    // change again with the same stamp; such a parse is not kept until the
    // file has been left alone for a while (git's "racily clean" rule).
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const bool settled = now.tv_sec - stamp.ctime_s > kSettleSeconds && now.tv_sec - stamp.mtime_s > kSettleSeconds;
    if (!settled) {
        if (it != cache.end()) {
            cache.erase(it);
        }
        return parsed;
    }
    if (text.size() <= kMaxCachedBytes) {
        if (cache.size() >= kMaxCachedFiles && it == cache.end()) {
            cache.clear();
        }
        cache[path] = Cached<T>{stamp, parsed};
    } else if (it != cache.end()) {
        cache.erase(it);
    }
    return parsed;
}

}  // namespace

const std::string* UserFile::hash_of(std::string_view user) const {
    auto it = first.find(std::string(user));
    return it == first.end() ? nullptr : &entries[it->second].second;
}

const std::string* UserFile::realm_hash_of(std::string_view user, std::string_view realm) const {
    for (const Entry& e : entries) {
        if (e.user == user && e.second == realm) {
            return &e.third;
        }
    }
    return nullptr;
}

bool GroupFile::in_group(std::string_view user, std::string_view group) const {
    auto it = groups_of.find(std::string(user));
    return it != groups_of.end() && std::find(it->second.begin(), it->second.end(), group) != it->second.end();
}

bool GroupFile::in_any_group(std::string_view user) const { return groups_of.contains(std::string(user)); }

UserFile parse_user_file(std::string_view text) {
    UserFile f;
    for_each_line(text, kMaxPasswordLine, [&](std::string_view line) {
        UserFile::Entry e;
        e.user = take_field(line);
        e.second = take_field(line);
        e.third = take_field(line);
        f.first.try_emplace(e.user, f.entries.size());
        f.entries.push_back(std::move(e));
    });
    return f;
}

GroupFile parse_group_file(std::string_view text) {
    GroupFile f;
    for_each_line(text, std::string_view::npos, [&](std::string_view line) {
        std::string group(take_field(line));
        // Members are words as httpd reads configuration words (quotes allowed).
        while (!trim_line(line).empty()) {
            std::string user = config::next_word(line);
            auto& groups = f.groups_of[user];
            if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
                groups.push_back(group);
            }
        }
    });
    return f;
}

std::shared_ptr<const UserFile> load_user_file(const std::string& path, int& error) {
    return load<UserFile, parse_user_file>(path, error);
}

std::shared_ptr<const GroupFile> load_group_file(const std::string& path, int& error) {
    return load<GroupFile, parse_group_file>(path, error);
}

}  // namespace sonora::modules::aaa
