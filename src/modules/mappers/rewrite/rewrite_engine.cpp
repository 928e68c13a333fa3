// mod_rewrite's engine: conditions, rules and rule lists as httpd applies
// them, and the URL helpers of its two hooks.

#include "modules/mappers/rewrite/rewrite_engine.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/core/self_url.h"
#include "modules/mappers/mod_alias.h"
#include "modules/mappers/rewrite/rewrite_expand.h"
#include "expr/eval.h"
#include "expr/request_context.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

namespace sonora::modules::mappers::rewrite {

// ---- trace -----------------------------------------------------------------

int trace_level_for(const request::Request& r) {
    if (!core::log_level_mentions(r, "trace")) {
        return 0;  // the common case, decided without parsing the LogLevel words
    }
    if (!core::request_log_enabled(r, trace_level(1), "rewrite")) {
        return 0;
    }
    int level = 1;
    while (level < 8 && core::request_log_enabled(r, trace_level(level + 1), "rewrite")) {
        ++level;
    }
    return level;
}

void Engine::log(int level, std::string_view text) const {
    if (trace < level) {
        return;
    }
    int redirects = r.redirects;
    char ids[96];
    std::snprintf(ids, sizeof ids, "/sid#%lx][rid#%lx/", reinterpret_cast<unsigned long>(r.server),
                  reinterpret_cast<unsigned long>(&r));
    std::string line;
    line.reserve(128 + text.size());
    line += r.client_ip;
    line += " - ";
    if (r.user) {
        line += r.user->empty() ? std::string_view("\"\"") : *r.user;
    } else {
        line += '-';
    }
    line += " [";
    line += r.server_host();
    line += ids;
    line += r.in_subrequest() ? "subreq" : "initial";
    if (redirects > 0) {
        line += "/redir#" + std::to_string(redirects);
    }
    line += "] ";
    if (perdir != nullptr) {
        line += "[perdir " + *perdir + "] ";
    }
    // The error log escapes what it writes (ap_escape_errorlog_item), backslashes included.
    for (char ch : text) {
        if (ch == '\\') {
            line += "\\\\";
        } else {
            append_log_escaped<false>(line, std::string_view(&ch, 1));
        }
    }
    core::log_request_error(r, trace_level(level), "rewrite", "", line);
}

// ---- URL helpers -----------------------------------------------------------

unsigned absolute_uri_scheme(std::string_view uri, bool* supports_query) {
    bool dummy = false;
    bool& sqs = supports_query != nullptr ? *supports_query : dummy;
    sqs = false;
    if (uri.empty() || uri.front() == '/' || uri.size() <= 5) {
        return 0;
    }
    struct Scheme {
        std::string_view prefix;
        bool query;
    };
    static constexpr Scheme kSchemes[] = {
        {"ajp://", true},   {"balancer://", true}, {"ftp://", false}, {"fcgi://", true},  {"gopher://", false},
        {"http://", true},  {"https://", true},    {"h2://", true},   {"h2c://", true},   {"ldap://", false},
        {"mailto:", true},  {"news:", false},      {"nntp://", false}, {"scgi://", true}, {"ws://", true},
        {"wss://", true},
    };
    for (const Scheme& s : kSchemes) {
        if (uri.size() >= s.prefix.size() && equals_nocase(uri.substr(0, s.prefix.size()), s.prefix)) {
            sqs = s.query;
            return static_cast<unsigned>(s.prefix.size());
        }
    }
    if (equals_nocase(uri.substr(0, 5), "unix:")) {
        sqs = true;
        return uri.size() > 6 && uri[5] == '/' && uri[6] == '/' ? 7 : 5;
    }
    return 0;
}

std::string escape_uri(std::string_view s) { return escape_path(s); }

std::string escape_absolute_uri(std::string_view uri, unsigned scheme) {
    if (scheme == 0 || uri.size() < scheme) {
        return std::string(uri);
    }
    std::size_t cp = scheme;
    if (uri[cp - 1] == '/') {
        while (cp < uri.size() && uri[cp] != '/') {
            ++cp;
        }
        if (cp >= uri.size() || cp + 1 >= uri.size()) {
            return std::string(uri);
        }
        ++cp;
        if (starts_with_nocase(uri, "ldap")) {
            // RFC 2255: dn, attributes, scope, filter and extensions apart.
            std::string out(uri.substr(0, cp));
            std::string_view rest = uri.substr(cp);
            for (int parts = 0; parts < 5; ++parts) {
                const std::size_t q = parts < 4 ? rest.find('?') : std::string_view::npos;
                out += escape_uri(rest.substr(0, q));
                if (q == std::string_view::npos) {
                    break;
                }
                out += '?';
                rest.remove_prefix(q + 1);
            }
            return out;
        }
    }
    return std::string(uri.substr(0, cp)) + escape_uri(uri.substr(cp));
}

std::string subst_prefix_path(const Engine& e, std::string_view input, std::string_view match, std::string_view subst) {
    std::size_t len = match.size();
    if (len > 0 && match[len - 1] == '/') {
        --len;
    }
    if (input.size() > len && input.substr(0, len) == match.substr(0, len) && input[len] == '/') {
        ++len;
        if (e.tracing(5)) {
            e.log(5, "strip matching prefix: " + std::string(input) + " -> " + std::string(input.substr(len)));
        }
        std::string out(subst);
        if (!out.empty() && out.back() != '/') {
            out.push_back('/');
        }
        out.append(input.substr(len));
        if (e.tracing(4)) {
            e.log(4, "add subst prefix: " + std::string(input.substr(len)) + " -> " + out);
        }
        return out;
    }
    return std::string(input);
}

std::string_view document_root(const request::Request& r) {
    const auto& root = core::server_config(*r.server).document_root;
    return root ? std::string_view(*root) : std::string_view();
}

bool prefix_stat(const Engine& e, std::string_view path, const RewriteRule* last) {
    if (path.empty() || path.front() != '/') {
        return false;
    }
    std::string_view rest = path.substr(1);
    const std::string_view segment = rest.substr(0, rest.find('/'));
    // apr_filepath_merge: ".." at the root is the root.
    std::string statpath = segment == ".." || segment == "." ? std::string("/") : "/" + std::string(segment);
    // Through the file cache, as -f and -d: no system call once known.
    if (!e.services.probe(statpath).exists) {
        return false;
    }
    if (last == nullptr) {
        if (e.tracing(3)) {
            e.log(3, "prefix_stat no lastsub subst prefix " + statpath);
        }
        return true;
    }
    if (e.tracing(3)) {
        e.log(3, "prefix_stat compare statpath " + statpath + " and lastsub output " + last->output + " STATOK " +
                     std::to_string(last->flags & kRuleUnsafePrefixStat) + " ");
    }
    if ((last->flags & kRuleUnsafePrefixStat) != 0) {
        return true;
    }
    // A rule that wrote the path literally, or a path inside the document
    // root, is a file path; otherwise it gets the document root prefixed.
    const std::string_view docroot = document_root(e.r);
    const std::string_view context_root = e.r.context_document_root;
    auto starts = [&](std::string_view haystack, std::string_view needle) {
        const bool rc = haystack.starts_with(needle);
        if (e.tracing(5)) {
            e.log(5, "prefix_stat startsWith(" + std::string(haystack) + ", " + std::string(needle) + ") " +
                         std::to_string(rc ? 1 : 0));
        }
        return rc;
    };
    return starts(last->output, statpath) || starts(path, docroot) ||
           (!context_root.empty() && context_root != docroot && starts(path, context_root));
}

bool has_query(const request::Request& r) { return r.query.data() != nullptr; }

void set_query(request::Request& r, std::string_view q) {
    r.query = q.empty() ? std::string_view("", 0) : r.keep(q);
    if (r.query.data() == nullptr) {
        static constexpr char kEmpty[] = "";
        r.query = std::string_view(kEmpty, 0);
    }
}

void clear_query(request::Request& r) { r.query = std::string_view(); }

bool has_unsafe_query(const request::Request& r) {
    for (char ch : r.query) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

namespace {

// ---- conditions ------------------------------------------------------------

// httpd's compare_lexicography: the longer string is the greater; bytes
// decide between strings of one length.
int compare_lexicography(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return a.size() > b.size() ? 1 : -1;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i]) {
            return static_cast<unsigned char>(a[i]) > static_cast<unsigned char>(b[i]) ? 1 : -1;
        }
    }
    return 0;
}

int compare_nocase(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const int ca = std::tolower(static_cast<unsigned char>(a[i]));
        const int cb = std::tolower(static_cast<unsigned char>(b[i]));
        if (ca != cb) {
            return ca - cb;
        }
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int to_int(std::string_view s) { return std::atoi(std::string(s).c_str()); }

bool stat_ok(const std::string& path, struct stat& st) { return ::stat(path.c_str(), &st) == 0; }

bool apply_cond(const RewriteCond& c, RuleContext& ctx) {
    request::Request& r = ctx.e.r;
    std::string input;
    if (c.type != CondType::Expr) {
        input = expand(ctx, c.input, nullptr, nullptr);
    }
    bool rc = false;
    struct stat st {};
    switch (c.type) {
        // -f and -d, the front controllers' tests, go through the server's
        // file cache (kept true by inotify): no system call once known.
        case CondType::FileExists: rc = ctx.e.services.probe(input).is_regular; break;
        case CondType::FileSize: rc = stat_ok(input, st) && S_ISREG(st.st_mode) && st.st_size > 0; break;
        case CondType::FileLink: rc = ::lstat(input.c_str(), &st) == 0 && S_ISLNK(st.st_mode); break;
        case CondType::FileDir: rc = ctx.e.services.probe(input).is_dir; break;
        case CondType::FileXbit: rc = stat_ok(input, st) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0; break;
        case CondType::LookupUrl:
            if (!input.empty() && (r.main == nullptr || r.main->uri != r.uri)) {
                const Services::Lookup found = ctx.e.services.lookup_uri(r, input);
                rc = found.status < 400;
                if (ctx.e.tracing(5)) {
                    ctx.e.log(5, "RewriteCond URI (-U check: path=" + input + " -> status=" +
                                     std::to_string(found.status));
                }
            }
            break;
        case CondType::LookupFile:
            if (!input.empty() && (r.main == nullptr || r.main->uri != r.uri)) {
                // A file lookup: the file must exist (httpd double-checks with stat too).
                rc = stat_ok(input, st);
                if (ctx.e.tracing(5)) {
                    ctx.e.log(5, "RewriteCond file (-F check: path=" + input + " -> file=" + input +
                                     " status=" + (rc ? "200" : "404"));
                }
            }
            break;
        case CondType::StrGe:
        case CondType::StrGt: {
            const int basis = c.type == CondType::StrGe ? 0 : 1;
            const int cmp = (c.flags & kCondNoCase) != 0 ? compare_nocase(input, c.operand)
                                                         : compare_lexicography(input, c.operand);
            rc = cmp >= basis;
            break;
        }
        case CondType::StrLe:
        case CondType::StrLt: {
            const int basis = c.type == CondType::StrLe ? 0 : -1;
            const int cmp = (c.flags & kCondNoCase) != 0 ? compare_nocase(input, c.operand)
                                                         : compare_lexicography(input, c.operand);
            rc = cmp <= basis;
            break;
        }
        case CondType::StrEq:
            rc = (c.flags & kCondNoCase) != 0 ? equals_nocase(input, c.operand) : input == c.operand;
            break;
        case CondType::IntGe: rc = to_int(input) >= to_int(c.operand); break;
        case CondType::IntGt: rc = to_int(input) > to_int(c.operand); break;
        case CondType::IntLe: rc = to_int(input) <= to_int(c.operand); break;
        case CondType::IntLt: rc = to_int(input) < to_int(c.operand); break;
        case CondType::IntEq: rc = to_int(input) == to_int(c.operand); break;
        case CondType::Expr: {
            // httpd merges the headers an expression reads into Vary at once,
            // whether it holds or not, unless NV says otherwise.
            std::optional<expr::RequestContext> expr_ctx;
            if ((c.flags & kCondNoVary) != 0) {
                expr_ctx.emplace(r, expr::RequestContext::DontVary{});
            } else {
                expr_ctx.emplace(r);
            }
            expr::Backrefs refs;
            rc = expr::evaluate(*c.expr, *expr_ctx, &refs);
            if (rc && (c.flags & kCondNotMatch) == 0) {
                // %N: the groups of the expression's last regex match.
                ctx.cond_refs = Backrefs{};
                for (std::size_t i = 0; i < ctx.cond_refs.spans.size(); ++i) {
                    if (refs.set[i]) {
                        const auto begin = static_cast<std::ptrdiff_t>(ctx.cond_refs.source.size());
                        ctx.cond_refs.source += refs.group[i];
                        ctx.cond_refs.spans[i] = {begin, static_cast<std::ptrdiff_t>(ctx.cond_refs.source.size())};
                    }
                }
                ctx.cond_refs.valid = true;
            }
            break;
        }
        case CondType::Regex: {
            std::array<Regex::Span, 10> spans{};
            rc = c.regex->match_spans(input, spans);
            if (rc && (c.flags & kCondNotMatch) == 0) {
                ctx.cond_refs.source = input;
                ctx.cond_refs.spans = spans;
                ctx.cond_refs.valid = true;
            }
            break;
        }
    }
    if ((c.flags & kCondNotMatch) != 0) {
        rc = !rc;
    }
    if (ctx.e.tracing(4)) {
        ctx.e.log(4, "RewriteCond: input='" + input + "' pattern='" + c.written + "'" +
                         ((c.flags & kCondNoCase) != 0 ? " [NC]" : "") + " => " + (rc ? "matched" : "not-matched"));
    }
    return rc;
}

// ---- rules -----------------------------------------------------------------

enum class RuleResult { NoMatch, Match, NoSub, StatusSet };

// T= and H=: noted for the fixup that sets them once the type checker has run.
void force_type_handler(const RewriteRule& p, RuleContext& ctx) {
    request::Request& r = ctx.e.r;
    auto note = [&](const std::optional<std::string>& value, std::string_view name, std::string_view what) {
        if (!value) {
            return;
        }
        std::string expanded = expand(ctx, *value, &p, nullptr);
        if (expanded.empty()) {
            return;
        }
        for (char& ch : expanded) {
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        if (ctx.e.tracing(2)) {
            ctx.e.log(2, "remember " + std::string(r.filename) + " to have " + std::string(what) + " '" + expanded + "'");
        }
        std::erase_if(r.notes, [&](const request::Header& h) { return h.name == name; });
        r.notes.push_back({name, r.keep(expanded)});
    };
    note(p.forced_type, kForcedTypeNote, "MIME-type");
    note(p.forced_handler, kForcedHandlerNote, "Content-handler");
}

// httpd's do_expand_env: E=name:value, E=name (empty), E=!name (unset).
void apply_env(const RewriteRule& p, RuleContext& ctx) {
    for (const std::string& item : p.env) {
        std::string name = expand(ctx, item, nullptr, nullptr);
        if (!name.empty() && name.front() == '!') {
            name.erase(0, 1);
            ctx.e.r.env_unset(name);
            if (ctx.e.tracing(5)) {
                ctx.e.log(5, "unsetting env variable '" + name + "'");
            }
            continue;
        }
        std::string value;
        if (auto colon = name.find(':'); colon != std::string::npos) {
            value = name.substr(colon + 1);
            name.resize(colon);
        }
        ctx.e.r.env_set(name, value);
        if (ctx.e.tracing(5)) {
            ctx.e.log(5, "setting env variable '" + name + "' to '" + value + "'");
        }
    }
}

bool truthy(std::string_view s, std::string_view word) { return equals_nocase(s, "true") || s == "1" || equals_nocase(s, word); }

// httpd's add_cookie: NAME:VALUE:domain[:lifetime[:path[:secure[:httponly[:samesite]]]]]
// (';' separates instead when the value begins with one), once per name per request.
void add_cookie(RuleContext& ctx, std::string_view spec) {
    request::Request& r = ctx.e.r;
    char sep = ':';
    if (!spec.empty() && spec.front() == ';') {
        sep = ';';
        spec.remove_prefix(1);
    }
    // apr_strtok: empty fields are skipped.
    std::vector<std::string_view> f;
    std::size_t pos = 0;
    while (pos < spec.size()) {
        while (pos < spec.size() && spec[pos] == sep) {
            ++pos;
        }
        if (pos >= spec.size()) {
            break;
        }
        const std::size_t end = std::min(spec.find(sep, pos), spec.size());
        f.push_back(spec.substr(pos, end - pos));
        pos = end;
    }
    if (f.size() < 3 || r.main != nullptr) {
        return;  // a subrequest's cookie would be its main request's; httpd adds it there
    }
    const std::string note = "rewrite-cookie:" + std::string(f[0]);
    if (request::find_header(r.notes, note)) {
        if (ctx.e.tracing(5)) {
            ctx.e.log(5, "skipping already set cookie '" + std::string(f[0]) + "'");
        }
        return;
    }
    std::string cookie = std::string(f[0]) + "=" + std::string(f[1]) + "; path=" +
                         (f.size() > 4 ? std::string(f[4]) : std::string("/")) + "; domain=" + std::string(f[2]);
    if (f.size() > 3) {
        const long minutes = std::atol(std::string(f[3]).c_str());
        if (minutes != 0) {
            const std::time_t when = static_cast<std::time_t>(r.time_s) + 60 * minutes;
            std::tm tm{};
            gmtime_r(&when, &tm);
            static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
            static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
            char buf[64];
            std::snprintf(buf, sizeof buf, "%s, %.2d-%s-%.4d %.2d:%.2d:%.2d GMT", kDays[tm.tm_wday], tm.tm_mday,
                          kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
            cookie += "; expires=";
            cookie += buf;
        }
    }
    if (f.size() > 5 && truthy(f[5], "secure")) {
        cookie += "; secure";
    }
    if (f.size() > 6 && truthy(f[6], "HttpOnly")) {
        cookie += "; HttpOnly";
    }
    if (f.size() > 7 && f[7] != "0" && !equals_nocase(f[7], "false")) {
        cookie += "; SameSite=" + std::string(f[7]);
    }
    r.err_headers_out.push_back({"Set-Cookie", r.keep(cookie)});
    r.notes.push_back({r.keep(note), "set"});
    if (ctx.e.tracing(5)) {
        ctx.e.log(5, "setting cookie '" + cookie + "'");
    }
}

// httpd's splitout_queryargs: the query the substitution carries.
void split_query(request::Request& r, unsigned flags, const Engine& e) {
    if ((flags & kRuleQsNone) != 0) {
        if (e.tracing(2)) {
            e.log(2, "discarding query string, no parse from substitution");
        }
        clear_query(r);
        return;
    }
    bool supports_query = false;
    const unsigned skip = absolute_uri_scheme(r.filename, &supports_query);
    if (skip != 0 && !supports_query) {
        clear_query(r);
        return;
    }
    if ((flags & kRuleQsDiscard) != 0) {
        clear_query(r);
        if (e.tracing(2)) {
            e.log(2, "discarding query string");
        }
    }
    const std::string_view name(r.filename);
    const std::size_t q = (flags & kRuleQsLast) != 0 ? name.rfind('?') : name.find('?', skip);
    if (q == std::string_view::npos || q < skip) {
        return;
    }
    const std::string olduri(r.filename);
    std::string args(name.substr(q + 1));
    r.filename.resize(q);
    if ((flags & kRuleQsAppend) != 0) {
        if (!args.empty()) {
            if (has_query(r)) {
                args += "&";
                args += r.query;
            }
            set_query(r, args);
        }
    } else {
        set_query(r, args);
    }
    if (has_query(r)) {
        if (r.query.empty()) {
            clear_query(r);
        } else if (r.query.back() == '&') {
            set_query(r, r.query.substr(0, r.query.size() - 1));
        }
    }
    if (e.tracing(3)) {
        e.log(3, "split uri=" + olduri + " -> uri=" + std::string(r.filename) +
                     ", args=" + (has_query(r) ? std::string(r.query) : std::string("<none>")));
    }
}

// httpd's reduce_uri: "http://ourhost[:port]/path" becomes "/path".
void reduce_uri(request::Request& r, const Engine& e) {
    std::string_view f = r.filename;
    if (f.size() <= 7 || !equals_nocase(f.substr(0, 7), "http://")) {
        return;
    }
    std::string_view rest = f.substr(7);
    const std::size_t end = rest.find_first_of(":/");
    std::string_view host = rest.substr(0, end);
    int port = 80;
    std::string url = "/";
    if (end != std::string_view::npos && rest[end] == ':') {
        const std::size_t slash = rest.find('/', end);
        port = std::atoi(std::string(rest.substr(end + 1, slash - end - 1)).c_str());
        if (slash != std::string_view::npos) {
            url = std::string(rest.substr(slash));
        }
    } else if (end != std::string_view::npos) {
        url = std::string(rest.substr(end));
    }
    // httpd's ap_matches_request_vhost: an address the <VirtualHost> names
    // (with its port, or any), else the port ServerName gives (none: no
    // match) with ServerName or a ServerAlias.
    bool ours = false;
    for (const std::string& address : r.server->addresses) {
        std::string_view a = address;
        std::string_view a_host = a;
        int a_port = 0;
        if (const std::size_t colon = a.rfind(':'); colon != std::string_view::npos && a.find(']', colon) == std::string_view::npos) {
            a_host = a.substr(0, colon);
            a_port = std::atoi(std::string(a.substr(colon + 1)).c_str());
        }
        if (a_host.size() > 2 && a_host.front() == '[' && a_host.back() == ']') {
            a_host = a_host.substr(1, a_host.size() - 2);
        }
        ours = ours || ((a_port == 0 || a_port == port) && equals_nocase(host, a_host));
    }
    const auto& core_server = core::server_config(*r.server);
    if (!ours && core_server.server_port.value_or(0) == port) {
        ours = core_server.server_name && equals_nocase(host, *core_server.server_name);
        for (const std::string& alias : core_server.aliases) {
            ours = ours || equals_nocase(host, alias);
        }
    }
    if (!ours) {
        return;
    }
    if (e.tracing(3)) {
        e.log(3, "reduce " + std::string(r.filename) + " -> " + url);
    }
    r.filename.assign(url);
    if ((e.sconf.opts() & kOptLegacyPrefixDocRoot) == 0) {
        r.notes.push_back({kUriReducedNote, "true"});
    }
}

RuleResult apply_rule(const RewriteRule& p, RuleContext& ctx) {
    Engine& e = ctx.e;
    request::Request& r = e.r;
    ctx.uri.assign(r.filename);
    if (e.perdir != nullptr) {
        if (!r.path_info.empty()) {
            if (e.tracing(3)) {
                e.log(3, "add path info postfix: " + ctx.uri + " -> " + ctx.uri + std::string(r.path_info));
            }
            ctx.uri += r.path_info;
        }
        if (ctx.uri.starts_with(*e.perdir)) {
            if (e.tracing(3)) {
                e.log(3, "strip per-dir prefix: " + ctx.uri + " -> " + ctx.uri.substr(e.perdir->size()));
            }
            ctx.uri.erase(0, e.perdir->size());
        }
    }
    if (e.tracing(3)) {
        e.log(3, "applying pattern '" + p.pattern + "' to uri '" + ctx.uri + "'");
    }
    std::array<Regex::Span, 10> spans{};
    const bool matched = p.regex->match_spans(ctx.uri, spans);
    if (matched == ((p.flags & kRuleNotMatch) != 0)) {
        return RuleResult::NoMatch;
    }
    ctx.vary_this.clear();
    ctx.cond_refs.valid = false;
    if ((p.flags & kRuleNotMatch) != 0) {
        ctx.rule_refs.valid = false;
    } else {
        ctx.rule_refs.source = ctx.uri;
        ctx.rule_refs.spans = spans;
        ctx.rule_refs.valid = true;
    }
    for (std::size_t i = 0; i < p.conds.size(); ++i) {
        const RewriteCond* c = &p.conds[i];
        const bool rc = apply_cond(*c, ctx);
        if ((c->flags & kCondNoVary) != 0) {
            ctx.vary_this.clear();
        }
        if ((c->flags & kCondOrNext) != 0) {
            if (!rc) {
                ctx.vary_this.clear();
                continue;
            }
            // The rest of the OR chain needs no evaluation.
            while (i < p.conds.size() && (p.conds[i].flags & kCondOrNext) != 0) {
                ++i;
            }
        } else if (!rc) {
            return RuleResult::NoMatch;
        }
        if (!ctx.vary_this.empty()) {
            ctx.vary = ctx.vary.empty() ? ctx.vary_this : ctx.vary + ", " + ctx.vary_this;
            ctx.vary_this.clear();
        }
    }
    std::string newuri;
    if ((p.flags & kRuleNoSub) == 0) {
        int unsafe_qmark = -1;
        newuri = expand(ctx, p.output, &p, (p.flags & kRuleUnsafeAllow3F) != 0 ? nullptr : &unsafe_qmark);
        if (e.tracing(2)) {
            e.log(2, "rewrite '" + ctx.uri + "' -> '" + newuri + "'");
        }
        if (unsafe_qmark > 0) {
            core::log_request_error(r, LogLevel::Error, "rewrite", "SN10508",
                                    "Unsafe URL with %3f URL rewritten without UnsafeAllow3F");
            r.status = 403;
            return RuleResult::StatusSet;
        }
    }
    apply_env(p, ctx);
    for (const std::string& cookie : p.cookies) {
        add_cookie(ctx, expand(ctx, cookie, nullptr, nullptr));
    }
    if ((p.flags & kRuleNoSub) != 0) {
        force_type_handler(p, ctx);
        if ((p.flags & kRuleStatus) != 0) {
            if (e.tracing(2)) {
                e.log(2, "forcing responsecode " + std::to_string(p.forced_status) + " for " + std::string(r.filename));
            }
            r.status = p.forced_status;
        }
        return RuleResult::NoSub;
    }
    bool prefix_added = false;
    if (!newuri.starts_with('/') && absolute_uri_scheme(newuri) == 0) {
        if (e.perdir != nullptr) {
            if (e.tracing(3)) {
                e.log(3, "add per-dir prefix: " + newuri + " -> " + *e.perdir + newuri);
            }
            newuri = *e.perdir + newuri;
            prefix_added = true;
        } else if ((p.flags & (kRuleProxy | kRuleForceRedirect)) == 0) {
            // Not a URL-path: rooted, so "scheme:..." from a capture stays a path.
            if (e.tracing(3)) {
                e.log(3, "add root prefix: " + newuri + " -> /" + newuri);
            }
            newuri = "/" + newuri;
            prefix_added = true;
        }
    }
    r.filename.assign(newuri);
    if (e.perdir != nullptr && (p.flags & kRuleDiscardPathInfo) != 0) {
        r.path_info.clear();
    }
    split_query(r, p.flags, e);
    auto fully_qualify = [&] {
        if (r.method != request::Method::Connect && absolute_uri_scheme(r.filename) == 0) {
            std::string path(r.filename);
            if (!path.starts_with('/')) {
                path.insert(0, "/");
            }
            r.filename.assign(core::self_url(r, *r.dir_config, path));
        }
    };
    if ((p.flags & kRuleProxy) != 0) {
        fully_qualify();
        if (e.tracing(2)) {
            e.log(2, "forcing proxy-throughput with " + std::string(r.filename));
        }
        r.filename.insert(0, "proxy:");
        return RuleResult::Match;
    }
    if ((p.flags & kRuleForceRedirect) != 0) {
        fully_qualify();
        if (e.tracing(2)) {
            e.log(2, "explicitly forcing redirect with " + std::string(r.filename));
        }
        r.status = p.forced_status;
        return RuleResult::Match;
    }
    reduce_uri(r, e);
    if (absolute_uri_scheme(r.filename) != 0) {
        if (e.tracing(2)) {
            e.log(2, "implicitly forcing redirect (rc=" + std::to_string(p.forced_status) + " with " +
                         std::string(r.filename));
        }
        r.status = p.forced_status;
        return RuleResult::Match;
    }
    if ((p.flags & kRuleUnc) == 0 && !prefix_added) {
        // Leading slashes merge, unless the substitution wrote "//" itself.
        if (!(p.output.size() >= 2 && p.output[0] == '/' && p.output[1] == '/')) {
            std::size_t n = 0;
            while (n + 1 < r.filename.size() && r.filename[n] == '/' && r.filename[n + 1] == '/') {
                ++n;
            }
            r.filename.erase(0, n);
        }
    }
    force_type_handler(p, ctx);
    return RuleResult::Match;
}

}  // namespace

ListResult apply_rewrite_list(Engine& e, const RuleList& rules) {
    request::Request& r = e.r;
    ListResult out;
    RuleContext ctx{e, {}, {}, {}, {}, {}};
    int round = 1;
    const auto& core_server = core::server_config(*r.server);
    const std::size_t max_length = 2 * static_cast<std::size_t>(core_server.limit_request_line.value_or(8190));
restart:
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RewriteRule& p = *rules[i];
        // Redirects and NS rules are not for subrequests.
        if (r.in_subrequest() && (p.flags & (kRuleIgnoreOnSubreq | kRuleForceRedirect)) != 0) {
            continue;
        }
        ctx.vary.clear();
        const RuleResult rc = apply_rule(p, ctx);
        if (rc == RuleResult::NoMatch) {
            // A chained rule that does not match skips the rest of its chain.
            const RewriteRule* q = &p;
            while (i < rules.size() && (q->flags & kRuleChain) != 0) {
                ++i;
                q = i < rules.size() ? rules[i].get() : q;
            }
            continue;
        }
        if ((p.flags & kRuleNoSub) == 0) {
            if (e.tracing(2)) {
                e.log(2, "setting lastsub to rule with output " + p.output);
            }
            out.last_substitution = &p;
        }
        if (r.filename.size() > max_length) {
            core::log_request_error(r, LogLevel::Error, "rewrite", "SN90021",
                                    "RewriteRule '" + p.pattern + "' and URI '" + std::string(r.uri) +
                                        "' exceeded maximum length (" + std::to_string(max_length) + ")");
            r.status = 500;
            out.action = kActionStatus;
            return out;
        }
        if (!ctx.vary.empty()) {
            r.merge_header("Vary", ctx.vary);
        }
        if (rc == RuleResult::StatusSet) {
            out.action = kActionStatusSet;
            return out;
        }
        if ((p.flags & kRuleStatus) != 0) {
            out.action = kActionStatus;
            return out;
        }
        if (rc != RuleResult::NoSub) {
            out.action = (p.flags & kRuleNoEscape) != 0 ? kActionNoEscape : kActionNormal;
        }
        if ((p.flags & kRulePassThrough) != 0) {
            if (e.tracing(2)) {
                e.log(2, "forcing '" + std::string(r.filename) + "' to get passed through to next API URI-to-filename "
                         "handler");
            }
            r.filename.insert(0, "passthrough:");
            out.action = kActionNormal;
            break;
        }
        if ((p.flags & kRuleEnd) != 0) {
            if (e.tracing(8)) {
                e.log(8, "Rule has END flag, no further rewriting for this request");
            }
            r.notes.push_back({kEndNote, "1"});
            break;
        }
        if ((p.flags & (kRuleProxy | kRuleLast)) != 0) {
            break;
        }
        if ((p.flags & kRuleNewRound) != 0) {
            if (++round >= p.max_rounds) {
                core::log_request_error(r, LogLevel::Error, "rewrite", "SN02596",
                                        "RewriteRule '" + p.pattern + "' and URI '" + std::string(r.uri) +
                                            "' exceeded maximum number of rounds (" + std::to_string(p.max_rounds) +
                                            ") via the [N] flag");
                r.status = 500;
                out.action = kActionStatus;
                return out;
            }
            goto restart;
        }
        if (p.skip > 0) {
            i = std::min(rules.size(), i + static_cast<std::size_t>(p.skip));
        }
    }
    return out;
}

}  // namespace sonora::modules::mappers::rewrite
