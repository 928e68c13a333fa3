#pragma once
// The %{NAME} variables ap_expr knows (httpd docs, "expr.html", Variables).
// Names are matched case-insensitively, as Apache does; an unknown name is a
// parse error ("Variable 'X' does not exist").

#include <cstdint>
#include <optional>
#include <string_view>

namespace sonora::expr {

enum class Var : std::uint8_t {
    // Request headers (also reachable through req()/http()).
    HttpAccept,
    HttpCookie,
    HttpForwarded,
    HttpHost,
    HttpProxyConnection,
    HttpReferer,
    HttpUserAgent,
    // Other request variables.
    RequestMethod,
    RequestScheme,
    RequestUri,
    DocumentUri,
    RequestFilename,
    ScriptFilename,
    LastModified,
    ScriptUser,
    ScriptGroup,
    PathInfo,
    QueryString,
    IsSubreq,
    TheRequest,
    RemoteAddr,
    RemotePort,
    RemoteHost,
    RemoteUser,
    RemoteIdent,
    ServerName,
    ServerPort,
    ServerAdmin,
    ServerProtocol,
    DocumentRoot,
    AuthType,
    ContentType,
    Handler,
    Http2,
    Https,
    Ipv6,
    RequestStatus,
    RequestLogId,
    ConnLogId,
    ConnRemoteAddr,
    ContextPrefix,
    ContextDocumentRoot,
    // Miscellaneous.
    TimeYear,
    TimeMon,
    TimeDay,
    TimeHour,
    TimeMin,
    TimeSec,
    TimeWday,
    Time,
    ServerSoftware,
    ApiVersion,
    kCount
};

// Case-insensitive lookup of a variable name; nullopt when Apache has no such variable.
std::optional<Var> find_variable(std::string_view name);

// Canonical (upper-case) name of a variable.
std::string_view variable_name(Var v);

// For the HTTP_* variables: the request header they read ("Host" for HttpHost);
// empty for every other variable.
std::string_view variable_header(Var v);

}  // namespace sonora::expr
