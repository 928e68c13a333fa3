// RewriteMap dbm maps through APR-util's apr_dbm: the library httpd and
// httxt2dbm use, so the type names ("default", "db", "gdbm", "sdbm"), the
// files each type uses (sdbm: FILE.dir and FILE.pag) and their format are
// theirs. Answers are cached by key and forgotten when the file changes, as
// httpd's cache; the file is opened for each key not in the cache.

#include "modules/mappers/rewrite/rewrite_map.h"

#include "core/strings.h"

#include <apr_dbm.h>
#include <apr_errno.h>
#include <apr_general.h>
#include <apr_pools.h>

#include <cstdlib>
#include <mutex>
#include <unordered_map>

namespace sonora::modules::mappers::rewrite::detail {

struct DbmCache {
    std::mutex mutex;  // held for the whole lookup: one open of the file at a time per map
    FileStamp stamp;
    FileStamp stamp2;
    // The answers for this version of the file; "" for a key not in it.
    std::unordered_map<std::string, std::string> answers;
};

namespace {

// APR is initialised once per process and never terminated (the process's
// pools live until exit).
void init_apr() {
    static std::once_flag once;
    std::call_once(once, [] { apr_initialize(); });
}

// APR-util loads a dbm driver (a DSO) on its first use of the type: all calls
// into apr_dbm go one at a time (they happen only on a cache miss).
std::mutex& apr_dbm_mutex() {
    static std::mutex m;
    return m;
}

// A pool of its own for one operation.
class Pool {
public:
    Pool() {
        init_apr();
        if (apr_pool_create(&pool_, nullptr) != APR_SUCCESS) {
            pool_ = nullptr;
        }
    }
    ~Pool() {
        if (pool_ != nullptr) {
            apr_pool_destroy(pool_);
        }
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    apr_pool_t* get() const { return pool_; }

private:
    apr_pool_t* pool_ = nullptr;
};

// httpd's rendering of an APR status in a log line: "(2)No such file or directory".
std::string status_text(apr_status_t rv) {
    char buf[256];
    apr_strerror(rv, buf, sizeof buf);
    return "(" + std::to_string(rv) + ")" + buf;
}

}  // namespace

std::shared_ptr<DbmCache> make_dbm_cache() { return std::make_shared<DbmCache>(); }

bool dbm_used_names(const std::string& type, const std::string& path, std::string& file1, std::string& file2) {
    std::lock_guard apr_lock(apr_dbm_mutex());
    Pool pool;
    if (pool.get() == nullptr) {
        return false;
    }
    const char* used1 = nullptr;
    const char* used2 = nullptr;
    if (apr_dbm_get_usednames_ex(pool.get(), type.c_str(), path.c_str(), &used1, &used2) != APR_SUCCESS) {
        return false;
    }
    file1 = used1 != nullptr ? used1 : "";
    file2 = used2 != nullptr ? used2 : "";
    return true;
}

std::optional<std::string> lookup_dbm(const RewriteMap& map, std::string_view key, const MapLog& log) {
    // httpd stats both files and goes by the later modification time.
    int error = 0;
    const auto stamp = stat_file(map.checkfile, error);
    if (!stamp) {
        if (log) {
            log(LogLevel::Error, "SN00662",
                errno_text(error) + ": mod_rewrite: can't access DBM RewriteMap file " + map.checkfile);
        }
        return std::nullopt;
    }
    FileStamp stamp2;
    if (!map.checkfile2.empty()) {
        const auto second = stat_file(map.checkfile2, error);
        if (!second) {
            if (log) {
                log(LogLevel::Error, "SN00663",
                    errno_text(error) + ": mod_rewrite: can't access DBM RewriteMap file " + map.checkfile2);
            }
            return std::nullopt;
        }
        stamp2 = *second;
    }
    // The key as httpd has it: a C string.
    const std::string k(key.substr(0, key.find('\0')));

    DbmCache& cache = *map.dbm;
    std::lock_guard lock(cache.mutex);
    if (cache.stamp == *stamp && cache.stamp2 == stamp2) {
        if (const auto it = cache.answers.find(k); it != cache.answers.end()) {
            // A cached "" is "not found" (httpd caches an empty value that way too).
            if (it->second.empty()) {
                return std::nullopt;
            }
            return it->second;
        }
    } else {
        cache.answers.clear();
        cache.stamp = *stamp;
        cache.stamp2 = stamp2;
    }

    std::lock_guard apr_lock(apr_dbm_mutex());
    Pool pool;
    if (pool.get() == nullptr) {
        return std::nullopt;
    }
    apr_dbm_t* db = nullptr;
    const apr_status_t rv =
        apr_dbm_open_ex(&db, map.dbm_type.c_str(), map.path.c_str(), APR_DBM_READONLY, APR_OS_DEFAULT, pool.get());
    if (rv != APR_SUCCESS) {
        if (log) {
            log(LogLevel::Error, "SN00656", status_text(rv) + ": mod_rewrite: can't open DBM RewriteMap " + map.path);
        }
        cache.answers.insert_or_assign(k, std::string());  // httpd caches the failure as "not found"
        return std::nullopt;
    }
    apr_datum_t dkey;
    dkey.dptr = const_cast<char*>(k.data());
    dkey.dsize = k.size();
    apr_datum_t dval{};
    std::optional<std::string> value;
    if (apr_dbm_fetch(db, dkey, &dval) == APR_SUCCESS && dval.dptr != nullptr) {
        std::string v(dval.dptr, dval.dsize);
        v.resize(v.find('\0') == std::string::npos ? v.size() : v.find('\0'));
        value = std::move(v);
    }
    apr_dbm_close(db);
    cache.answers.insert_or_assign(k, value.value_or(std::string()));
    // As httpd: an empty value found in the file is returned as such the first
    // time (later lookups of it come from the cache as "not found").
    return value;
}

}  // namespace sonora::modules::mappers::rewrite::detail
