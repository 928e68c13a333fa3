#pragma once
// logresolve's work, apart from the command line: copy a log, replacing the
// client address that starts each line by its host name, with a cache so
// that each address is looked up once, and the statistics Apache's
// logresolve prints.
//
// Line rules (as Apache's logresolve): a line whose first byte is neither a
// hex digit nor ':' is copied as is ("with name"); otherwise the text up to
// the first space must parse as an IPv4 or IPv6 address, else the line is
// copied as is; an address without a reverse name (or, with double lookups,
// whose name does not resolve back to it) is kept.

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sonora::tools {

struct ResolveStats {
    int entries = 0;
    int with_name = 0;
    int resolves = 0;
    int no_reverse = 0;
    int double_failed = 0;
    int cache_hits = 0;
    int cache_size = 0;
};

struct Resolvers {
    // The reverse name of a numeric address, or nullopt.
    std::function<std::optional<std::string>(std::string_view address)> reverse;
    // Whether `name` resolves forward to `address` (double lookups, -c).
    std::function<bool(std::string_view name, std::string_view address)> confirms;
};

// The system resolver: getnameinfo(NI_NAMEREQD) and getaddrinfo.
Resolvers system_resolvers();

// True when `s` is a numeric IPv4 or IPv6 address.
bool is_ip_address(std::string_view s);

class LogResolver {
public:
    LogResolver(Resolvers resolvers, bool double_lookups)
        : resolvers_(std::move(resolvers)), double_(double_lookups) {}

    // Copies `in` to `out`, line by line.
    void run(std::istream& in, std::ostream& out);
    // One line including its '\n' (if it had one).
    void line(std::string_view text, std::ostream& out);

    const ResolveStats& stats() const { return stats_; }
    // The statistics block, worded as Apache's.
    std::string stats_text() const;

private:
    Resolvers resolvers_;
    bool double_;
    ResolveStats stats_;
    std::unordered_map<std::string, std::string> cache_;  // address -> name, or the address itself
};

}  // namespace sonora::tools
