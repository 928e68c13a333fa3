// RewriteMap: the directive, txt/rnd/int lookups and the registry; dbm maps
// are in rewrite_map_dbm.cpp, prg maps in rewrite_map_prg.cpp.

#include "modules/mappers/rewrite/rewrite_map.h"

#include "core/strings.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <unordered_map>
#include <utility>

namespace sonora::modules::mappers::rewrite {

namespace detail {

using Table = std::unordered_map<std::string, std::string>;

struct FileCache {
    std::mutex mutex;
    // txt/rnd: the whole file, replaced (never changed) when the file changes.
    FileStamp stamp;
    std::shared_ptr<const Table> table;
};

}  // namespace detail

namespace {

using detail::Table;

// apr_isspace in the C locale.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// httpd reads a text map with apr_file_gets into a 1025-byte buffer: a "line"
// is at most 1024 bytes (its newline included) and ends at a NUL as a C
// string does. Each line gives its first word and the next one; the first
// line for a key wins.
void add_line(Table& table, std::string_view line) {
    if (const std::size_t nul = line.find('\0'); nul != std::string_view::npos) {
        line = line.substr(0, nul);
    }
    if (line.empty() || line[0] == '#' || is_space(line[0])) {
        return;
    }
    std::size_t i = 0;
    while (i < line.size() && !is_space(line[i])) {
        ++i;
    }
    if (i == line.size()) {
        return;  // no white space after the key: httpd's match fails
    }
    std::string_view key = line.substr(0, i);
    while (i < line.size() && is_space(line[i])) {
        ++i;
    }
    if (i == line.size()) {
        return;  // no value: the line is ignored
    }
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i])) {
        ++i;
    }
    table.try_emplace(std::string(key), std::string(line.substr(start, i - start)));
}

std::optional<Table> read_text_map(const std::string& path, int& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = errno != 0 ? errno : ENOENT;
        return std::nullopt;
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    constexpr std::size_t kMaxLine = 1024;
    Table table;
    std::size_t pos = 0;
    while (pos < data.size()) {
        const std::size_t limit = std::min(data.size(), pos + kMaxLine);
        const std::size_t nl = data.find('\n', pos);
        const std::size_t end = (nl != std::string::npos && nl < limit) ? nl + 1 : limit;
        add_line(table, std::string_view(data).substr(pos, end - pos));
        pos = end;
    }
    return table;
}

std::optional<std::string> lookup_text(const RewriteMap& map, std::string_view key, const MapLog& log) {
    int error = 0;
    const auto stamp = detail::stat_file(map.checkfile, error);
    if (!stamp) {
        if (log) {
            log(LogLevel::Error, "SN00661",
                errno_text(error) + ": mod_rewrite: can't access text RewriteMap file " + map.checkfile);
        }
        return std::nullopt;
    }
    detail::FileCache& cache = *map.cache;
    std::shared_ptr<const Table> table;
    {
        std::lock_guard lock(cache.mutex);
        if (cache.table && cache.stamp == *stamp) {
            table = cache.table;
        }
    }
    if (!table) {
        auto fresh = read_text_map(map.path, error);
        if (!fresh) {
            if (log) {
                log(LogLevel::Error, "SN00655",
                    errno_text(error) + ": mod_rewrite: can't open text RewriteMap file " + map.path);
            }
            return std::nullopt;
        }
        table = std::make_shared<const Table>(std::move(*fresh));
        std::lock_guard lock(cache.mutex);
        cache.table = table;
        cache.stamp = *stamp;
    }
    const auto it = table->find(std::string(key));
    if (it == table->end()) {
        return std::nullopt;
    }
    std::string_view value = it->second;
    if (map.type == RewriteMap::Type::Rnd) {
        // httpd's select_random_value_part: n '|' give n+1 parts, one picked
        // uniformly; an empty part picked is "not found".
        std::size_t parts = 1;
        for (const char c : value) {
            parts += c == '|' ? 1 : 0;
        }
        if (parts > 1) {
            thread_local std::mt19937 rng{std::random_device{}()};
            std::size_t n = std::uniform_int_distribution<std::size_t>(0, parts - 1)(rng);
            std::size_t start = 0;
            while (n-- > 0) {
                start = value.find('|', start) + 1;
            }
            const std::size_t end = value.find('|', start);
            value = value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        }
        if (value.empty()) {
            return std::nullopt;
        }
    }
    return std::string(value);
}

std::optional<IntFunction> int_function(std::string_view name) {
    if (name == "toupper") {
        return IntFunction::ToUpper;
    }
    if (name == "tolower") {
        return IntFunction::ToLower;
    }
    if (name == "escape") {
        return IntFunction::Escape;
    }
    if (name == "unescape") {
        return IntFunction::Unescape;
    }
    return std::nullopt;
}

// apr_strtok(s, ":"): empty tokens are skipped.
std::vector<std::string> colon_tokens(std::string_view s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ':') {
            ++i;
        }
        if (i == s.size()) {
            break;
        }
        const std::size_t start = i;
        while (i < s.size() && s[i] != ':') {
            ++i;
        }
        out.emplace_back(s.substr(start, i - start));
    }
    return out;
}

}  // namespace

namespace detail {

std::optional<FileStamp> stat_file(const std::string& path, int& error) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = errno;
        return std::nullopt;
    }
    FileStamp s;
    s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    s.size = static_cast<std::int64_t>(st.st_size);
    s.inode = static_cast<std::uint64_t>(st.st_ino);
    return s;
}

}  // namespace detail

std::string map_toupper(std::string_view key) {
    std::string out(key);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

std::string map_tolower(std::string_view key) {
    std::string out(key);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string map_escape(std::string_view key) {
    static constexpr char kHex[] = "0123456789abcdef";
    static constexpr std::string_view kKept = "$-_.+!*'(),:;@&=/~";
    std::string out;
    out.reserve(key.size());
    for (const char ch : key) {
        if (ch == '\0') {
            break;  // httpd's key is a C string
        }
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || kKept.find(ch) != std::string_view::npos) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

std::string map_unescape(std::string_view key) { return unescape_url(key, false); }

std::optional<std::string> parse_rewrite_map(std::span<const std::string> args,
                                             const std::function<std::string(std::string_view)>& server_root_relative,
                                             std::shared_ptr<RewriteMap>& out) {
    if (args.size() < 2 || args.size() > 3) {
        return std::string("RewriteMap takes two or three arguments, a mapname and a filename and options");
    }
    const std::string& name = args[0];
    const std::string& source = args[1];
    auto map = std::make_shared<RewriteMap>();
    map->name = name;

    if (starts_with_nocase(source, "txt:") || starts_with_nocase(source, "rnd:")) {
        map->type = starts_with_nocase(source, "txt:") ? RewriteMap::Type::Txt : RewriteMap::Type::Rnd;
        map->path = server_root_relative(std::string_view(source).substr(4));
        map->checkfile = map->path;
    } else if (starts_with_nocase(source, "dbm")) {
        map->type = RewriteMap::Type::Dbm;
        std::optional<std::string> file;
        if (source.size() > 3 && source[3] == ':') {
            map->dbm_type = "default";
            file = source.substr(4);
        } else if (source.size() > 3 && source[3] == '=') {
            if (const std::size_t colon = source.find(':', 4); colon != std::string::npos) {
                map->dbm_type = source.substr(4, colon - 4);
                file = source.substr(colon + 1);
            }
        }
        if (!file) {
            return "RewriteMap: bad map:" + source;
        }
        map->path = server_root_relative(*file);
        if (!detail::dbm_used_names(map->dbm_type, map->path, map->checkfile, map->checkfile2)) {
            return "RewriteMap: dbm type " + map->dbm_type + " is invalid";
        }
    } else if (starts_with_nocase(source, "dbd:") || starts_with_nocase(source, "fastdbd:")) {
        // Sonora has no mod_dbd.
        return std::string("RewriteMap types dbd and fastdbd require mod_dbd!");
    } else if (starts_with_nocase(source, "prg:")) {
        map->type = RewriteMap::Type::Prg;
        map->path = source.substr(4);
        map->argv = detail::tokenize_command(map->path);
        if (map->argv.empty()) {
            map->argv.emplace_back();  // no word at all: httpd resolves a null name to ServerRoot itself
        }
        map->argv.front() = server_root_relative(map->argv.front());
        map->checkfile = map->argv.front();
        if (args.size() == 3) {
            const auto words = colon_tokens(args[2]);
            if (!words.empty()) {
                map->user = words[0];
            }
            if (words.size() > 1) {
                map->group = words[1];
            }
        }
        map->prg = detail::make_prg_runtime();
    } else if (starts_with_nocase(source, "int:")) {
        map->type = RewriteMap::Type::Int;
        map->path = source.substr(4);
        const auto function = int_function(map->path);
        if (!function) {
            return "RewriteMap: internal map not found:" + map->path;
        }
        map->function = *function;
    } else {
        // A type httpd does not know: the whole argument is a text map's path.
        map->type = RewriteMap::Type::Txt;
        map->path = server_root_relative(source);
        map->checkfile = map->path;
    }

    if (!map->checkfile.empty()) {
        struct stat st {};
        if (::stat(map->checkfile.c_str(), &st) != 0) {
            return "RewriteMap: file for map " + name + " not found:" + map->checkfile;
        }
    }
    if (map->type == RewriteMap::Type::Txt || map->type == RewriteMap::Type::Rnd) {
        map->cache = std::make_shared<detail::FileCache>();
    } else if (map->type == RewriteMap::Type::Dbm) {
        map->dbm = detail::make_dbm_cache();
    }
    out = std::move(map);
    return std::nullopt;
}

std::optional<std::string> lookup_map(const RewriteMap& map, std::string_view key, const MapLog& log) {
    switch (map.type) {
        case RewriteMap::Type::Txt:
        case RewriteMap::Type::Rnd:
            if (!map.cache) {
                return std::nullopt;
            }
            return lookup_text(map, key, log);
        case RewriteMap::Type::Dbm:
            if (!map.dbm) {
                return std::nullopt;
            }
            return detail::lookup_dbm(map, key, log);
        case RewriteMap::Type::Prg:
            return detail::lookup_prg(map, key, log);
        case RewriteMap::Type::Int:
            // httpd's functions work on the key as a C string.
            key = key.substr(0, key.find('\0'));
            switch (map.function) {
                case IntFunction::ToUpper:
                    return map_toupper(key);
                case IntFunction::ToLower:
                    return map_tolower(key);
                case IntFunction::Escape:
                    return map_escape(key);
                case IntFunction::Unescape:
                    return map_unescape(key);
                case IntFunction::None:
                    break;
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> start_map_programs(std::span<const std::shared_ptr<RewriteMap>> maps) {
    for (const auto& map : maps) {
        if (!map || map->type != RewriteMap::Type::Prg) {
            continue;
        }
        if (auto err = detail::start_program(*map)) {
            return err;
        }
    }
    return std::nullopt;
}

void RewriteMapRegistry::add(std::shared_ptr<RewriteMap> map) {
    std::string name = map->name;
    maps_.insert_or_assign(std::move(name), std::move(map));
}

const RewriteMap* RewriteMapRegistry::find(std::string_view name) const {
    const auto it = maps_.find(name);
    return it == maps_.end() ? nullptr : it->second.get();
}

std::vector<std::shared_ptr<RewriteMap>> RewriteMapRegistry::all() const {
    std::vector<std::shared_ptr<RewriteMap>> out;
    out.reserve(maps_.size());
    for (const auto& [name, map] : maps_) {
        out.push_back(map);
    }
    return out;
}

}  // namespace sonora::modules::mappers::rewrite
