#pragma once
// mod_rewrite's RewriteMap: the directive's parsing (what httpd 2.4.71
// accepts and its exact messages) and request-time lookups for the map types
// httpd has without mod_dbd:
//
//   txt:FILE   "key value" lines; '#' and lines starting with white space are
//              skipped; the first line whose first word is the key and that has
//              a value wins; the value is the next word. httpd reads lines of at
//              most 1024 bytes (a longer line goes on as a line of its own), so
//              does this. A type httpd does not know ("foo:/x") is a txt map of
//              the whole argument, as httpd takes it.
//   rnd:FILE   a txt map whose value is "a|b|c": one part, chosen at random on
//              every lookup (an empty part chosen means "not found", as httpd).
//   dbm[=TYPE]:FILE  APR-util's apr_dbm, the library httpd and httxt2dbm use, so
//              the same type names ("default" is Berkeley DB on Debian, "db",
//              "gdbm", "sdbm"; "ndbm" is not built) and the same files.
//   int:NAME   toupper, tolower, escape (ap_escape_uri), unescape (ap_unescape_url).
//   prg:CMD    a program started before the server forks (open_logs), fed
//              "key\n" on its stdin, answering one line on its stdout; "NULL"
//              (any case) means not found.
//
// Caches, as httpd's: txt, rnd and dbm maps revalidate on every lookup with a
// stat of the file and start over when its modification time (here also its
// size or inode) changed. A txt/rnd file is read whole into a table then; a
// dbm answer is cached key by key. Lookups are thread-safe.
//
// prg maps: the program runs with an empty environment, in its own directory,
// with stderr inherited (the server's error log) and, when the server starts as
// root and a third argument "user[:group]" was given, as that user (and group,
// else the user's). One exchange at a time per program, across the threads of a
// process and across the processes forked from the one that started it: a
// robust, process-shared pthread mutex in a MAP_SHARED page mapped before the
// fork (no file to create or clean up, works under any User, a holder that
// dies does not leave it locked). httpd waits on a program forever; here a
// lookup waits at most `prg_timeout` for the lock and for the answer, then
// gives up (not found, logged); the answer it leaves behind is owed (a flag
// beside the mutex) and the next lookup reads and drops it before it sends
// its own key (or gives up too, sending nothing), so the program never gets
// out of step; lines beyond one per key are dropped. As httpd: a key holding a newline is
// not sent (not found); a program that has exited answers "" (an empty value,
// not "not found"), as httpd reads end-of-file as an empty line.
//
// Log message ids (docs/log-message-ids.md numbers follow httpd's AH ids):
// SN00653 (child: exec failed), SN00654 (start failed), SN00655 (txt open),
// SN00656 (dbm open), SN00661 (txt stat), SN00662/SN00663 (dbm stat), SN10287
// (dbm driver), SN90650 (prg: lock timed out), SN90651 (prg: no answer in time),
// SN90652 (prg: lock failed).

#include "core/log.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::mappers::rewrite {

namespace detail {
struct FileCache;   // txt/rnd: the file's table
struct DbmCache;    // dbm: answers by key
struct PrgRuntime;  // prg: the program, its pipes, the shared lock
}  // namespace detail

enum class IntFunction : std::uint8_t { None, ToUpper, ToLower, Escape, Unescape };

// One RewriteMap directive; a shared_ptr<const RewriteMap> is held in the
// server config (copies share the caches and the program).
struct RewriteMap {
    enum class Type : std::uint8_t { Txt, Rnd, Dbm, Int, Prg };
    Type type = Type::Txt;
    std::string name;
    // txt/rnd/dbm: the absolute file (ServerRoot-relative resolved); prg: the
    // command line as written; int: the function name.
    std::string path;
    std::string dbm_type;  // dbm only

    // dbm: the file(s) APR names for the map (sdbm: FILE.dir and FILE.pag),
    // stat'ed to revalidate; txt/rnd: checkfile == path.
    std::string checkfile;
    std::string checkfile2;
    IntFunction function = IntFunction::None;  // int only
    // prg: argv (argv[0] ServerRoot-relative), the optional user and group.
    std::vector<std::string> argv;
    std::optional<std::string> user;
    std::optional<std::string> group;
    // prg: how long one lookup waits for the lock, then for the answer.
    std::chrono::milliseconds prg_timeout{5000};

    std::shared_ptr<detail::FileCache> cache;  // txt, rnd
    std::shared_ptr<detail::DbmCache> dbm;     // dbm
    std::shared_ptr<detail::PrgRuntime> prg;   // prg
};

// The RewriteMap directive's arguments (MapName, MapType:MapSource, optional
// user[:group] for prg maps), accepted or refused as httpd 2.4.71 does; the
// error is httpd's message text (the engine frames it with file and line).
std::optional<std::string> parse_rewrite_map(std::span<const std::string> args,
                                             const std::function<std::string(std::string_view)>& server_root_relative,
                                             std::shared_ptr<RewriteMap>& out);

// Request-time lookup: the value, or nullopt when the key is not in the map
// (or the map cannot be read: then `log` is told, as httpd logs it).
using MapLog = std::function<void(LogLevel, std::string_view id, std::string_view message)>;
std::optional<std::string> lookup_map(const RewriteMap& map, std::string_view key, const MapLog& log);

// Starts every prg: map's program not yet started (in the parent, before it
// forks: the open_logs hook). Maps of other types are skipped. Returns
// httpd's error ("(2)No such file or directory: SN00654: mod_rewrite: could
// not start RewriteMap program PATH") or nullopt. Call it only for servers
// whose RewriteEngine is on, as httpd starts no program for the others.
std::optional<std::string> start_map_programs(std::span<const std::shared_ptr<RewriteMap>> maps);

// The maps of one server by name (case-sensitive, as httpd's hash): a later
// RewriteMap of the same name replaces the earlier one.
class RewriteMapRegistry {
public:
    void add(std::shared_ptr<RewriteMap> map);
    const RewriteMap* find(std::string_view name) const;
    std::vector<std::shared_ptr<RewriteMap>> all() const;
    bool empty() const { return maps_.empty(); }

private:
    std::map<std::string, std::shared_ptr<RewriteMap>, std::less<>> maps_;
};

// The int: functions on their own (httpd's rewrite_mapfunc_*).
std::string map_toupper(std::string_view key);
std::string map_tolower(std::string_view key);
std::string map_escape(std::string_view key);    // ap_escape_uri: ap_os_escape_path(partial)
std::string map_unescape(std::string_view key);  // ap_unescape_url: bad escapes kept, ends at %00

namespace detail {
// What identifies one version of a map file (httpd looks at the mtime only).
struct FileStamp {
    std::int64_t mtime_ns = -1;
    std::int64_t size = -1;
    std::uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
};
std::optional<FileStamp> stat_file(const std::string& path, int& error);
// rewrite_map_dbm.cpp
std::shared_ptr<DbmCache> make_dbm_cache();
// The files APR uses for a dbm map of `type` at `path`; false when APR does
// not know the type.
bool dbm_used_names(const std::string& type, const std::string& path, std::string& file1, std::string& file2);
std::optional<std::string> lookup_dbm(const RewriteMap& map, std::string_view key, const MapLog& log);
// rewrite_map_prg.cpp
std::shared_ptr<PrgRuntime> make_prg_runtime();
std::optional<std::string> start_program(RewriteMap& map);
std::optional<std::string> lookup_prg(const RewriteMap& map, std::string_view key, const MapLog& log);
// apr_tokenize_to_argv's splitting of a prg: command line.
std::vector<std::string> tokenize_command(std::string_view line);
}  // namespace detail

}  // namespace sonora::modules::mappers::rewrite
