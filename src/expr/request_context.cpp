#include "expr/request_context.h"

#include "core/strings.h"

#include <span>

namespace sonora::expr {

namespace {

std::optional<std::string> header_value(std::span<const request::Header> headers, std::string_view name) {
    auto v = request::find_header(headers, name);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

}  // namespace

std::string RequestContext::variable(Var v) {
            auto header = [&](std::string_view name) { return header_value(r_.headers, name).value_or(""); };
    switch (v) {
        case Var::HttpAccept: return header("Accept");
        case Var::HttpCookie: return header("Cookie");
        case Var::HttpForwarded: return header("Forwarded");
        case Var::HttpHost: return header("Host");
        case Var::HttpProxyConnection: return header("Proxy-Connection");
        case Var::HttpReferer: return header("Referer");
        case Var::HttpUserAgent: return header("User-Agent");
        case Var::RequestMethod: return std::string(r_.method_name);
        case Var::RequestScheme: return "http";
        case Var::RequestUri:
        case Var::DocumentUri: return std::string(r_.uri);
        case Var::RequestFilename:
        case Var::ScriptFilename: return std::string(r_.filename);
        case Var::PathInfo: return std::string(r_.path_info);
        case Var::QueryString: return std::string(r_.query);
        case Var::TheRequest: return std::string(r_.the_request);
        case Var::RemoteAddr:
        case Var::ConnRemoteAddr: return std::string(r_.client_ip);
        case Var::RemotePort: return std::to_string(r_.client_port);
        case Var::RemoteHost:
            return std::string(r_.lookups_wanted && r_.connection != nullptr && !r_.connection->remote_host.empty()
                                   ? r_.connection->remote_host
                                   : r_.client_ip);
        case Var::ServerName: return std::string(r_.server_host());
        case Var::ServerPort: return std::to_string(r_.host_port != 0 ? r_.host_port : r_.local_port);
        case Var::ServerProtocol: return r_.version == 10 ? "HTTP/1.0" : "HTTP/1.1";
        case Var::ContentType: return std::string(r_.content_type);
        case Var::Handler: return std::string(r_.handler);
        case Var::Https: return "off";
        case Var::Ipv6: return r_.client_ip.find(':') != std::string_view::npos ? "on" : "off";
        case Var::RequestStatus: return std::to_string(r_.status);
        case Var::RemoteUser: return std::string(r_.user.value_or(std::string_view()));
        case Var::AuthType: return std::string(r_.auth_type);
        default: return {};
    }
}
std::optional<std::string> RequestContext::request_header(std::string_view name, bool vary) {
    if (vary && vary_ != nullptr && !equals_nocase(name, "Host")) {
        vary_->merge_header("Vary", name);
    }
    return header_value(r_.headers, name);
}
std::optional<std::string> RequestContext::response_header(std::string_view name) {
    if (equals_nocase(name, "Content-Type") && !r_.content_type.empty()) {
        return std::string(r_.content_type);
    }
    return header_value(r_.headers_out, name);
}
std::optional<std::string> RequestContext::request_env(std::string_view name) {
    auto v = r_.env_get(name);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}
std::optional<std::string> RequestContext::note(std::string_view name) {
    if (auto v = request::find_header(r_.notes, name)) {
        return std::string(*v);
    }
    return std::nullopt;
}
bool RequestContext::subrequest_allowed(std::string_view, bool) { return true; }

}  // namespace sonora::expr
