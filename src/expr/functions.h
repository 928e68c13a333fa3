#pragma once
// Function and named-operator tables of ap_expr (httpd docs "expr.html",
// Functions / Unary operators / Binary operators), plus the pure string
// functions that need no request (tolower, escape, md5, ...).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonora::expr {

enum class Func : std::uint8_t {
    Req,        // request header, recorded in Vary
    Http,       // alias of req
    ReqNovary,  // request header, not recorded in Vary
    Resp,       // response header
    Reqenv,     // request environment (subprocess_env)
    Osenv,      // process environment
    Note,       // request note
    Env,        // note, then reqenv, then osenv
    Tolower,
    Toupper,
    Escape,     // percent-encode as for a URL path
    Unescape,   // decode %XX, keeping %2F; empty on %00
    Base64,
    Unbase64,
    Md5,        // lower-case hex digest
    Sha1,       // lower-case hex digest
    File,       // file contents
    Filesize,   // file size, 0 if missing
    Ldap,       // LDAP DN/filter escaping
    kCount
};

// True for functions that touch the filesystem; Apache refuses them in
// restricted (.htaccess-like) contexts.
bool func_is_restricted(Func f);

// Case-insensitive lookup of a string function name.
std::optional<Func> find_function(std::string_view name);
std::string_view function_name(Func f);

// Single-letter unary test operators (-d, -e, ...). `U` and `A` both mean a
// URL subrequest check; `R` matches REMOTE_ADDR against a subnet.
enum class UnaryOp : std::uint8_t { D, E, F, S, L, H, X, FileSub, UrlSub, N, Z, T, R };
std::optional<UnaryOp> find_unary_op(std::string_view name);  // name without the '-'
char unary_op_letter(UnaryOp op);

// Named binary operators (-ipmatch, -strmatch, -strcmatch, -fnmatch).
enum class NamedOp : std::uint8_t { IpMatch, StrMatch, StrCMatch, FnMatch };
std::optional<NamedOp> find_named_op(std::string_view name);  // name without the '-'
std::string_view named_op_name(NamedOp op);

// Pure string functions. Request/file functions are evaluated in eval.cpp.
std::string fn_tolower(std::string_view s);
std::string fn_toupper(std::string_view s);
std::string fn_escape(std::string_view s);
std::string fn_unescape(std::string_view s);
std::string fn_base64(std::string_view s);
std::string fn_unbase64(std::string_view s);
std::string fn_md5(std::string_view s);
std::string fn_sha1(std::string_view s);
std::string fn_ldap(std::string_view s);

}  // namespace sonora::expr
