#pragma once
// Configuration types of httpd's core module (core.c): the per-server and
// per-directory records, and the sections (<Directory>, <Location>, <Files>,
// <If>) that the request walks will match.
//
// Merge rules (child = the more specific level):
//   - scalar fields: the child's if set, else the parent's;
//   - Options: absolute settings replace, +/- settings adjust the parent's;
//   - FileETag: likewise;
//   - ErrorDocument: per status code, the child's entry wins;
//   - section lists (sec_dir, sec_url, sec_file, sec_if) and ServerAlias: the
//     parent's first, then the child's (httpd appends);

#include "core/regex.h"
#include "expr/ast.h"

#include <sonora/config.h>
#include <sonora/module.h>
#include <sonora/request.h>
#include <sonora/server.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sonora::modules::core {

extern Module core_module;

// Options bits, as httpd's OPT_*.
enum Opt : unsigned {
    kOptNone = 0,
    kOptIndexes = 1u << 0,
    kOptIncludes = 1u << 1,     // SSI (httpd's OPT_INCLUDES: IncludesNOEXEC sets only this)
    kOptSymLinks = 1u << 2,
    kOptExecCgi = 1u << 3,
    kOptIncWithExec = 1u << 4,  // SSI's exec too (OPT_INC_WITH_EXEC: Includes sets both)
    kOptSymOwner = 1u << 5,
    kOptMultiViews = 1u << 6,
    kOptAll = kOptIndexes | kOptIncludes | kOptIncWithExec | kOptSymLinks | kOptExecCgi,
};

// One Options (or FileETag) setting: absolute, or +/- adjustments.
struct BitsSetting {
    bool absolute = false;
    unsigned value = 0;   // when absolute
    unsigned add = 0;     // when relative
    unsigned remove = 0;  // when relative

    unsigned apply(unsigned parent) const { return absolute ? value : ((parent & ~remove) | add); }
    static std::optional<BitsSetting> merge(const std::optional<BitsSetting>& base,
                                            const std::optional<BitsSetting>& add);
};

// AllowOverride classes (the OR_* bits of sonora/directive.h).
struct OverrideSetting {
    unsigned classes = 0;
    std::optional<unsigned> options;  // Options=... restriction of what .htaccess may set
    bool nonfatal_override = false;
    bool nonfatal_unknown = false;
};

enum class Tristate : std::uint8_t { Off, On, Third };  // Double / DNS / Extended / NoDecode / default

struct Section;

struct CoreDirConfig {
    std::optional<BitsSetting> options;
    // The Options in effect (httpd's ap_allow_options): FollowSymLinks when none is set.
    unsigned effective_options() const { return options ? options->apply(kOptSymLinks) : kOptSymLinks; }
    std::optional<OverrideSetting> allow_override;
    std::optional<std::vector<std::string>> allow_override_list;
    // Whether AllowOverride or AllowOverrideList lets httpd read an access
    // file in a directory with this configuration.
    bool allows_access_files() const {
        return (allow_override && allow_override->classes != 0) || (allow_override_list && !allow_override_list->empty());
    }
    std::optional<Tristate> hostname_lookups;    // Off, On, Third = Double
    std::optional<Tristate> use_canonical_name;  // Off, On, Third = DNS
    std::optional<bool> use_canonical_phys_port;
    std::optional<bool> content_digest;
    std::optional<bool> enable_mmap;
    std::optional<bool> enable_sendfile;
    std::optional<std::string> add_default_charset;  // "Off" or a charset
    std::optional<Tristate> accept_path_info;        // Off, On, Third = default
    std::optional<BitsSetting> file_etag;
    std::map<int, std::string> error_documents;  // "default" entries reset the parent's
    std::optional<std::uint64_t> limit_request_body;
    std::optional<std::uint64_t> limit_xml_request_body;
    std::optional<Tristate> server_signature;  // Off, On, Third = EMail
    std::optional<int> max_ranges, max_range_overlaps, max_range_reversals;  // -1 none, 0 unlimited
    std::optional<std::string> force_type, set_handler;
    std::optional<std::string> output_filters, input_filters;
    std::optional<bool> cgi_pass_auth, qualify_redirect_url;
    std::optional<bool> cgi_request_uri_current;  // CGIVar REQUEST_URI current-uri (else original-uri)
    // RLimitCPU, RLimitMEM, RLimitNPROC for the programs the server starts
    // (CGI scripts): the soft limit ("max": the server's hard limit) and the
    // hard limit, 0 where the server's stays.
    struct ResourceLimit {
        unsigned long long soft = 0;
        bool soft_max = false;
        unsigned long long hard = 0;
    };
    std::optional<ResourceLimit> rlimit_cpu, rlimit_mem, rlimit_nproc;
    std::optional<std::string> log_level;
    std::vector<std::shared_ptr<const Section>> sec_file;  // <Files> inside this section
    std::vector<std::shared_ptr<const Section>> sec_if;    // <If> chains inside this section

    static CoreDirConfig merge(const CoreDirConfig& base, const CoreDirConfig& add);
};

struct Listener {
    std::string host;  // empty = all addresses
    int port = 0;
    std::string protocol;  // optional second argument: "http", "https"
    std::shared_ptr<const std::string> file;
    int line = 0;
};

struct MutexSetting {
    std::string mechanism;  // default, none, flock, fcntl, file, pthread, sysvsem, posixsem, sem
    std::string path;
};

struct CoreServerConfig {
    std::optional<std::string> document_root;
    std::optional<std::string> server_name;  // without scheme or port
    std::optional<std::string> server_scheme;
    std::optional<int> server_port;
    std::optional<std::string> server_admin;
    std::optional<std::string> server_path;
    std::vector<std::string> aliases;       // ServerAlias names without wildcards
    std::vector<std::string> wild_aliases;  // ... with wildcards
    std::optional<std::string> access_file_name;  // first of AccessFileName's list
    std::vector<std::string> access_file_names;
    std::optional<std::string> error_log;
    std::optional<std::string> log_level;
    std::optional<long long> timeout_ms;
    std::optional<int> limit_request_line, limit_request_fieldsize, limit_request_fields;
    // LimitInternalRecursion: internal redirects, then subrequest nesting (httpd's default 10 each).
    std::optional<int> limit_internal_redirects, limit_subrequest_nesting;
    std::optional<Tristate> trace_enable;           // Off, On, Third = extended
    std::optional<Tristate> allow_encoded_slashes;  // Off, On, Third = NoDecode
    std::optional<bool> merge_slashes;
    std::optional<bool> strict_host_check;
    std::optional<bool> merge_trailers;
    std::optional<std::string> http_protocol_options;
    std::optional<bool> require_http10;  // HttpProtocolOptions Require1.0 (else Allow0.9)
    std::optional<bool> protocol_unsafe;          // HttpProtocolOptions Unsafe (else Strict)
    std::optional<bool> registered_methods_only;  // HttpProtocolOptions RegisteredMethods (else Lenient)
    std::optional<std::vector<std::string>> protocols;
    // Methods registered by <Limit>/<LimitExcept>/RegisterHttpMethod beyond httpd's own, numbered
    // from http::kFirstExtensionMethod in this order. Global, as httpd's
    // registry: filled on the main server, copied into every virtual host.
    std::vector<std::string> registered_methods;
    std::vector<std::shared_ptr<const Section>> sec_dir;  // <Directory>, <DirectoryMatch>
    std::vector<std::shared_ptr<const Section>> sec_url;  // <Location>, <LocationMatch>

    // Meaningful on the main server only (GLOBAL_ONLY directives).
    std::vector<Listener> listeners;
    std::optional<std::string> pid_file;
    std::optional<std::string> server_tokens;  // canonical: Prod, Major, Minor, Min, OS, Full
    std::map<std::string, MutexSetting> mutexes;  // by mutex name, "default" included
    std::optional<std::string> default_runtime_dir;
    std::optional<bool> extended_status;
    std::optional<bool> see_request_tail;  // server-status shows a long request line's end
    std::optional<int> max_connections_per_child;
    std::optional<std::string> error_log_format;

    static CoreServerConfig merge(const CoreServerConfig& base, const CoreServerConfig& add);
};

// A configuration section, as matched by the request walks (later issues).
struct Section {
    enum class Kind : std::uint8_t { Directory, Location, Files, If, ElseIf, Else };
    Kind kind = Kind::Directory;
    bool is_regex = false;
    std::string pattern;         // path or pattern as written (Directory paths made absolute)
    std::optional<Regex> regex;  // compiled pattern of *Match or ~ forms
    // httpd 2.4.8+: a regex section's named groups go to the request's
    // environment when it matches, as MATCH_<NAME> (upper case), group number.
    std::vector<std::pair<std::string, std::size_t>> match_env;
    std::string condition;       // <If>/<ElseIf> expression text
    std::shared_ptr<const expr::Expr> expr;  // ... parsed and checked when read
    ConfigVector config;         // the per-dir configs set inside
    std::shared_ptr<const std::string> file;
    int line = 0;
};

inline const CoreServerConfig& server_config(const Server& s) {
    return *s.module_config.get<CoreServerConfig>(core_module.index);
}

// The request method's number for <Limit> masks (http/method.h): httpd's own,
// a method a <Limit> registered, else http::kMethodInvalid.
int method_number(const Server& s, std::string_view method);

// LimitRequestBody of the request's directory (httpd 2.4's 1 GiB default
// when unset; 0: none), for the connection and for mod_deflate's inflater.
std::uint64_t limit_request_body(const request::Request& r);

// Adds the ';'-separated filter names (SetOutputFilter, AddOutputFilter,
// their input twins) to `list`, as httpd's ap_getword(';') loops do.
void add_filter_names(std::pmr::vector<std::string_view>& list, std::string_view names);

}  // namespace sonora::modules::core
