// mod_rewrite's expander and variables (httpd's do_expand, lookup_variable,
// lookup_header, escape_backref).

#include "modules/mappers/rewrite/rewrite_expand.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/request_log.h"
#include "modules/core/self_url.h"

#include <grp.h>
#include <pwd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace sonora::modules::mappers::rewrite {

namespace {

bool is_vchar_obstext(unsigned char c) { return c > 0x20 && c != 0x7f; }

// httpd's lookup_header: a request header; one that is present joins the
// condition's Vary list, except Host (RFC 7231 7.1.4).
std::string lookup_header(RuleContext& ctx, std::string_view name) {
    auto v = ctx.e.r.header(name);
    if (!v) {
        return {};
    }
    if (!equals_nocase(name, "Host")) {
        if (!ctx.vary_this.empty()) {
            ctx.vary_this += ", ";
        }
        ctx.vary_this += name;
    }
    return std::string(*v);
}

std::string two_digits(int n) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d", n);
    return buf;
}

std::tm local_now(const request::Request& r) {
    std::time_t t = r.time_s != 0 ? static_cast<std::time_t>(r.time_s) : std::time(nullptr);
    // httpd reads the clock when the variable is looked up; the request's
    // time is the same second in practice and costs no system call.
    std::tm tm{};
    localtime_r(&t, &tm);
    return tm;
}

std::string owner_name(const request::Request& r, bool group) {
    if (!r.has_finfo && r.finfo.st_ino == 0) {
        return "<unknown>";
    }
    char buf[4096];
    if (group) {
        struct group g{};
        struct group* out = nullptr;
        if (getgrgid_r(r.finfo.st_gid, &g, buf, sizeof buf, &out) == 0 && out != nullptr) {
            return out->gr_name;
        }
        return "<unknown>";
    }
    struct passwd p{};
    struct passwd* out = nullptr;
    if (getpwuid_r(r.finfo.st_uid, &p, buf, sizeof buf, &out) == 0 && out != nullptr) {
        return out->pw_name;
    }
    return "<unknown>";
}

// httpd's subreq_ok: no look-ahead from a subrequest for its main request's URI.
bool subrequest_allowed(const request::Request& r) { return r.main == nullptr || r.main->uri != r.uri; }

std::string variable_of(RuleContext& ctx, const request::Request& r, std::string_view var);

// %{LA-U:var} and %{LA-F:var}: `var` of the subrequest for the URL (or
// file) being rewritten, as httpd reads it with ctx->r set to that
// subrequest.
std::string lookahead(RuleContext& ctx, std::string_view var, bool file) {
    const request::Request& r = ctx.e.r;
    if (ctx.uri.empty() || !subrequest_allowed(r)) {
        return {};
    }
    std::string path = ctx.uri;
    Services::LookupBy by = Services::LookupBy::Uri;
    if (!file) {
        if (ctx.e.perdir != nullptr && path.front() != '/') {
            // httpd's la_u: relative to RewriteBase, else to the directory.
            path = (ctx.e.dconf.base ? *ctx.e.dconf.base : *ctx.e.perdir) + path;
        }
    } else if (ctx.e.perdir == nullptr || path.front() != '/') {
        // (In a directory context a URL-path names no file: httpd looks the
        // URL up instead.) A relative path is under the directory.
        if (ctx.e.perdir != nullptr) {
            path = *ctx.e.perdir + path;
        }
        by = Services::LookupBy::File;
    }
    std::string result;
    ctx.e.services.inspect_lookup(r, by, path, [&](const request::Request& sub) { result = variable_of(ctx, sub, var); });
    if (ctx.e.tracing(5)) {
        ctx.e.log(5, "lookahead: path=" + path + " var=" + std::string(var) + " -> val=" + result);
    }
    return result;
}

std::string server_name_for_url(const request::Request& r) {
    std::string_view host = r.server_host();
    if (host.find(':') != std::string_view::npos) {
        return "[" + std::string(host) + "]";
    }
    return std::string(host);
}

}  // namespace

std::string lookup_variable(RuleContext& ctx, std::string_view var) { return variable_of(ctx, ctx.e.r, var); }

namespace {

// httpd's lookup_variable for `r`: the request being rewritten, or a
// look-ahead's subrequest.
std::string variable_of(RuleContext& ctx, const request::Request& r, std::string_view var) {
    if (var.size() < 4) {
        return {};
    }
    if (var[3] == ':') {
        if (var.size() > 4 && equals_nocase(var.substr(0, 3), "ENV")) {
            const std::string_view name = var.substr(4);
            if (auto v = request::find_header(r.notes, name)) {
                return std::string(*v);
            }
            if (auto v = r.env_get(name)) {
                return std::string(*v);
            }
            if (const char* v = std::getenv(std::string(name).c_str())) {
                return v;
            }
        }
        // SSL: no TLS here, so every SSL variable is empty, as httpd's without mod_ssl.
        return {};
    }
    if (var[4] == ':') {
        if (var.size() > 5) {
            const std::string_view head = var.substr(0, 4);
            if (equals_nocase(head, "HTTP")) {
                return lookup_header(ctx, var.substr(5));
            }
            if (equals_nocase(head, "LA-U")) {
                return lookahead(ctx, var.substr(5), false);
            }
            if (equals_nocase(head, "LA-F")) {
                return lookahead(ctx, var.substr(5), true);
            }
        }
        return {};
    }
    std::string upper(var);
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    const std::string_view v = upper;
    if (v.starts_with("TIME")) {
        const std::tm tm = local_now(r);
        if (v == "TIME") {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
            if (ctx.e.tracing(1)) {
                ctx.e.log(1, std::string("RESULT='") + buf + "'");
            }
            return buf;
        }
        if (v == "TIME_YEAR") {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%04d", tm.tm_year + 1900);
            return buf;
        }
        if (v == "TIME_MON") {
            return two_digits(tm.tm_mon + 1);
        }
        if (v == "TIME_DAY") {
            return two_digits(tm.tm_mday);
        }
        if (v == "TIME_HOUR") {
            return two_digits(tm.tm_hour);
        }
        if (v == "TIME_MIN") {
            return two_digits(tm.tm_min);
        }
        if (v == "TIME_SEC") {
            return two_digits(tm.tm_sec);
        }
        if (v == "TIME_WDAY") {
            return std::to_string(tm.tm_wday);
        }
        return {};
    }
    if (v == "IPV6") {
        return r.client_ip.find(':') != std::string_view::npos ? "on" : "off";
    }
    if (v == "HTTPS") {
        return "off";
    }
    if (v == "IS_SUBREQ") {
        return r.main != nullptr ? "true" : "false";
    }
    if (v == "PATH_INFO") {
        return std::string(r.path_info);
    }
    if (v == "AUTH_TYPE") {
        return std::string(r.auth_type);
    }
    if (v == "HTTP_HOST") {
        return lookup_header(ctx, "Host");
    }
    if (v == "SERVER_NAME") {
        return server_name_for_url(r);
    }
    if (v == "REMOTE_ADDR" || v == "CONN_REMOTE_ADDR") {
        return std::string(r.client_ip);
    }
    if (v == "SERVER_ADDR") {
        return r.connection != nullptr ? std::string(r.connection->local_ip) : std::string();
    }
    if (v == "HTTP_ACCEPT") {
        return lookup_header(ctx, "Accept");
    }
    if (v == "THE_REQUEST") {
        return std::string(r.the_request);
    }
    if (v == "API_VERSION") {
        return "20120211:142";
    }
    if (v == "HTTP_COOKIE") {
        return lookup_header(ctx, "Cookie");
    }
    if (v == "SERVER_PORT") {
        return std::to_string(r.dir_config != nullptr ? core::server_port(r, *r.dir_config) : r.local_port);
    }
    if (v == "REMOTE_HOST") {
        return std::string(r.lookups_wanted && r.connection != nullptr && !r.connection->remote_host.empty()
                               ? r.connection->remote_host
                               : r.client_ip);
    }
    if (v == "REMOTE_PORT") {
        return std::to_string(r.client_port);
    }
    if (v == "REMOTE_USER") {
        return std::string(r.user.value_or(std::string_view()));
    }
    if (v == "SCRIPT_USER") {
        return owner_name(r, false);
    }
    if (v == "SCRIPT_GROUP") {
        return owner_name(r, true);
    }
    if (v == "REQUEST_URI") {
        return std::string(r.uri);
    }
    if (v == "REMOTE_IDENT") {
        return {};
    }
    if (v == "HTTP_REFERER") {
        return lookup_header(ctx, "Referer");
    }
    if (v == "QUERY_STRING") {
        return std::string(r.query);
    }
    if (v == "SERVER_ADMIN") {
        const auto& admin = core::server_config(*r.server).server_admin;
        return admin ? *admin : std::string();
    }
    if (v == "DOCUMENT_ROOT") {
        return std::string(document_root(r));
    }
    if (v == "HTTP_FORWARDED") {
        return lookup_header(ctx, "Forwarded");
    }
    if (v == "CONTEXT_PREFIX") {
        return std::string(r.context_prefix);
    }
    if (v == "CONTEXT_DOCUMENT_ROOT") {
        return std::string(r.context_document_root.empty() ? document_root(r) : r.context_document_root);
    }
    if (v == "REQUEST_METHOD") {
        return std::string(r.method_name);
    }
    if (v == "REQUEST_SCHEME") {
        return "http";
    }
    if (v == "HTTP_USER_AGENT") {
        return lookup_header(ctx, "User-Agent");
    }
    if (v == "SCRIPT_FILENAME" || v == "REQUEST_FILENAME") {
        return std::string(r.filename);
    }
    if (v == "SERVER_PROTOCOL") {
        return r.version == 10 ? "HTTP/1.0" : "HTTP/1.1";
    }
    if (v == "SERVER_SOFTWARE") {
        return std::string(ctx.e.services.server_banner());
    }
    if (v == "HTTP_PROXY_CONNECTION") {
        return lookup_header(ctx, "Proxy-Connection");
    }
    return {};
}

}  // namespace

std::string escape_backref(std::string_view s, const RewriteRule& rule) {
    static constexpr char kHex[] = "0123456789abcdef";
    const bool no_plus = (rule.flags & kRuleEscapeNoPlus) != 0;
    const bool ctls = (rule.flags & kRuleEscapeCtls) != 0;
    std::string out;
    out.reserve(s.size() * 3);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool chosen = ctls ? !is_vchar_obstext(c) || (rule.escapes && rule.escapes->find(ch) != std::string::npos)
                                 : !rule.escapes || rule.escapes->find(ch) != std::string::npos;
        const bool spared = rule.noescapes && rule.noescapes->find(ch) != std::string::npos;
        if (chosen && !spared) {
            if (std::isalnum(c) != 0 || c == '_') {
                out.push_back(ch);
            } else if (c == ' ' && !no_plus) {
                out.push_back('+');
            } else {
                out.push_back('%');
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xf]);
            }
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

namespace {

// The '}' closing the curly opened just before `from`, with nesting; npos if none.
std::size_t closing_curly(std::string_view s, std::size_t from) {
    unsigned depth = 1;
    for (std::size_t i = from; i < s.size(); ++i) {
        if (s[i] == '}' && --depth == 0) {
            return i;
        }
        if (s[i] == '{') {
            ++depth;
        }
    }
    return std::string_view::npos;
}

// `c` at the top level of the curly opened before `from`, or npos.
std::size_t char_in_curlies(std::string_view s, std::size_t from, char c) {
    unsigned depth = 1;
    for (std::size_t i = from; i < s.size(); ++i) {
        if (s[i] == c && depth == 1) {
            return i;
        }
        if (s[i] == '}' && --depth == 0) {
            return std::string_view::npos;
        }
        if (s[i] == '{') {
            ++depth;
        }
    }
    return std::string_view::npos;
}

std::optional<std::string> map_lookup(RuleContext& ctx, std::string_view name, std::string_view key) {
    const RewriteMap* map = ctx.e.sconf.find_map(name);
    if (map == nullptr) {
        return std::nullopt;
    }
    const request::Request& r = ctx.e.r;
    auto value = lookup_map(*map, key, [&r](LogLevel level, std::string_view id, std::string_view message) {
        core::log_request_error(r, level, "rewrite", id, message);
    });
    if (ctx.e.tracing(5)) {
        ctx.e.log(5, value ? "map lookup OK: map=" + std::string(name) + " key=" + std::string(key) + " -> val=" + *value
                           : "map lookup FAILED: map=" + std::string(name) + " key=" + std::string(key));
    }
    return value;
}

}  // namespace

std::string expand(RuleContext& ctx, std::string_view input, const RewriteRule* rule, int* unsafe_qmark) {
    const bool qs_last = rule != nullptr && (rule->flags & kRuleQsLast) != 0;
    std::string out;
    out.reserve(input.size() + 16);
    // Copies literal text from `from` up to the next special, noting a '?'.
    std::size_t p = 0;
    auto copy_literal = [&] {
        const std::size_t start = p;
        while (p < input.size() && input[p] != '\\' && input[p] != '$' && input[p] != '%') {
            if (input[p] == '?' && unsafe_qmark != nullptr) {
                *unsafe_qmark = 0;  // written in the rule: safe
                if (!qs_last) {
                    unsafe_qmark = nullptr;
                }
            }
            ++p;
        }
        out.append(input.substr(start, p - start));
    };
    copy_literal();
    while (p < input.size()) {
        const std::size_t before = out.size();
        bool expanded = false;
        if (input[p] == '\\') {
            if (p + 1 >= input.size()) {
                out.push_back('\\');
                ++p;
                break;
            }
            out.push_back(input[p + 1]);
            p += 2;
        } else if (p + 1 < input.size() && input[p + 1] == '{') {
            const std::size_t end = closing_curly(input, p + 2);
            if (end == std::string_view::npos) {
                out.append(input.substr(p, 2));
                p += 2;
            } else if (input[p] == '%') {
                out += lookup_variable(ctx, input.substr(p + 2, end - p - 2));
                expanded = true;
                p = end + 1;
            } else {
                const std::size_t colon = char_in_curlies(input, p + 2, ':');
                if (colon == std::string_view::npos) {
                    out.append(input.substr(p, 2));
                    p += 2;
                } else {
                    const std::string_view name = input.substr(p + 2, colon - p - 2);
                    std::string_view key = input.substr(colon + 1, end - colon - 1);
                    std::string_view dflt;
                    bool has_default = false;
                    if (const std::size_t bar = char_in_curlies(input, colon + 1, '|');
                        bar != std::string_view::npos && bar < end) {
                        key = input.substr(colon + 1, bar - colon - 1);
                        dflt = input.substr(bar + 1, end - bar - 1);
                        has_default = true;
                    }
                    auto value = map_lookup(ctx, name, expand(ctx, key, rule, nullptr));
                    if (!value && has_default && !dflt.empty()) {
                        value = expand(ctx, dflt, rule, nullptr);
                    }
                    if (value) {
                        out += *value;
                    }
                    expanded = true;
                    p = end + 1;
                }
            }
        } else if (p + 1 < input.size() && std::isdigit(static_cast<unsigned char>(input[p + 1])) != 0) {
            const int n = input[p + 1] - '0';
            const Backrefs& refs = input[p] == '$' ? ctx.rule_refs : ctx.cond_refs;
            const Regex::Span span = refs.spans[static_cast<std::size_t>(n)];
            if (refs.valid && span.end > span.begin) {
                const std::string_view piece =
                    std::string_view(refs.source).substr(static_cast<std::size_t>(span.begin),
                                                         static_cast<std::size_t>(span.end - span.begin));
                if (rule != nullptr && (rule->flags & kRuleEscapeBackref) != 0) {
                    std::string escaped = escape_backref(piece, *rule);
                    if (ctx.e.tracing(5)) {
                        ctx.e.log(5, "escaping backreference '" + std::string(piece) + "' to '" + escaped + "'");
                    }
                    out += escaped;
                } else {
                    out += piece;
                }
                expanded = true;
            }
            p += 2;
        } else {
            out.push_back(input[p]);
            ++p;
        }
        if (unsafe_qmark != nullptr && expanded && out.find('?', before) != std::string::npos) {
            *unsafe_qmark = 1;  // from an expansion
            if (!qs_last) {
                unsafe_qmark = nullptr;
            }
        }
        copy_literal();
    }
    return out;
}

}  // namespace sonora::modules::mappers::rewrite
