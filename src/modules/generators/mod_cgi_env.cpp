#include "modules/generators/mod_cgi_env.h"

#include "core/strings.h"
#include "modules/core/core_config.h"
#include "modules/core/signature.h"
#include "modules/mappers/mod_alias.h"

#include <cstdlib>
#include <string_view>

namespace sonora::modules::generators {

namespace {

using request::Request;

// httpd's DEFAULT_PATH, when the server has no PATH of its own.
constexpr std::string_view kDefaultPath = "/bin:/usr/bin:/usr/ucb:/usr/bsd:/usr/local/bin";

// A small ordered table with httpd's apr_table semantics: set replaces,
// add_merged joins a repeated request header with ", ".
class EnvTable {
public:
    void set(std::string_view name, std::string_view value) {
        for (auto& [n, v] : entries_) {
            if (equals_nocase(n, name)) {
                v.assign(value);
                return;
            }
        }
        entries_.emplace_back(std::string(name), std::string(value));
    }
    void add_merged(std::string_view name, std::string_view value) {
        for (auto& [n, v] : entries_) {
            if (n == name) {
                v.append(", ").append(value);
                return;
            }
        }
        entries_.emplace_back(std::string(name), std::string(value));
    }
    bool has(std::string_view name) const {
        for (const auto& e : entries_) {
            if (equals_nocase(e.first, name)) {
                return true;
            }
        }
        return false;
    }
    // ap_create_environment: a leading digit and anything but letters,
    // digits and '_' in a name become '_'.
    std::vector<std::string> render() const {
        std::vector<std::string> out;
        out.reserve(entries_.size() + 1);
        for (const auto& [name, value] : entries_) {
            std::string line = name;
            for (std::size_t i = 0; i < line.size(); ++i) {
                const unsigned char c = static_cast<unsigned char>(line[i]);
                if ((i == 0 && c >= '0' && c <= '9') || !(std::isalnum(c) || c == '_')) {
                    line[i] = '_';
                }
            }
            line.append(1, '=').append(value);
            out.push_back(std::move(line));
        }
        return out;
    }

private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

// "HTTP_" + the name uppercased with '-' as '_'; empty when the name holds
// anything else (httpd 2.4 does not export such a header).
std::string header_variable(std::string_view name) {
    std::string out = "HTTP_";
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        } else if (c == '-') {
            out.push_back('_');
        } else {
            return {};
        }
    }
    return out;
}

// The request target as the request line has it.
std::string_view request_line_uri(std::string_view line) {
    std::size_t i = line.find_first_of(" \t");
    if (i == std::string_view::npos) {
        return {};
    }
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
        ++i;
    }
    std::size_t end = line.find_first_of(" \t", i);
    return line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
}

// httpd's ap_find_path_info: where PATH_INFO starts in the URI, matching
// the two from their ends and stopping at a slash.
std::size_t path_info_start(std::string_view uri, std::string_view path_info) {
    std::ptrdiff_t lu = static_cast<std::ptrdiff_t>(uri.size());
    std::ptrdiff_t lp = static_cast<std::ptrdiff_t>(path_info.size());
    while (lu-- && lp-- && uri[static_cast<std::size_t>(lu)] == path_info[static_cast<std::size_t>(lp)]) {
    }
    if (lu == -1) {
        lu = 0;
    }
    std::size_t i = static_cast<std::size_t>(lu);
    while (i < uri.size() && uri[i] != '/') {
        ++i;
    }
    return i;
}

std::string_view protocol_name(const Request& r) {
    switch (r.version) {
        case 9: return "HTTP/0.9";
        case 10: return "HTTP/1.0";
        default: return "HTTP/1.1";
    }
}

}  // namespace

std::vector<std::string> cgi_environment(const Request& r, Services& services) {
    EnvTable e;
    for (const request::Header& h : r.env) {
        e.set(h.name, h.value);
    }
    const auto& core_dir = *r.dir_config->get<core::CoreDirConfig>(core::core_module.index);
    const auto& core_srv = core::server_config(*r.server);
    const bool pass_auth = core_dir.cgi_pass_auth.value_or(false);
    EnvTable headers;
    for (const request::Header& h : r.headers) {
        if (equals_nocase(h.name, "Content-Type")) {
            headers.add_merged("CONTENT_TYPE", h.value);
        } else if (equals_nocase(h.name, "Content-Length")) {
            headers.add_merged("CONTENT_LENGTH", h.value);
        } else if (!pass_auth && (equals_nocase(h.name, "Authorization") || equals_nocase(h.name, "Proxy-Authorization"))) {
            continue;  // a script must not see the client's password
        } else if (std::string name = header_variable(h.name); !name.empty()) {
            headers.add_merged(name, h.value);
        }
    }
    for (const std::string& line : headers.render()) {
        const std::size_t eq = line.find('=');
        e.set(std::string_view(line).substr(0, eq), std::string_view(line).substr(eq + 1));
    }
    const char* path = std::getenv("PATH");
    e.set("PATH", path != nullptr ? std::string_view(path) : kDefaultPath);
    e.set("SERVER_SIGNATURE", core::server_signature(r, services.server_banner(), ""));
    e.set("SERVER_SOFTWARE", services.server_banner());
    std::string name;
    append_html_escaped(name, core::server_name(r));
    e.set("SERVER_NAME", name);
    const request::ConnectionInfo* conn = r.connection;
    e.set("SERVER_ADDR", conn != nullptr ? conn->local_ip : std::string_view());
    e.set("SERVER_PORT", std::to_string(core::server_port(r)));
    if (conn != nullptr && !conn->remote_host.empty()) {
        e.set("REMOTE_HOST", conn->remote_host);
    }
    e.set("REMOTE_ADDR", r.client_ip);
    const std::string_view document_root =
        core_srv.document_root ? std::string_view(*core_srv.document_root) : std::string_view();
    e.set("DOCUMENT_ROOT", document_root);
    e.set("REQUEST_SCHEME", "http");
    e.set("CONTEXT_PREFIX", r.context_prefix);
    e.set("CONTEXT_DOCUMENT_ROOT", r.context_prefix.empty() && r.context_document_root.empty()
                                       ? document_root
                                       : r.context_document_root);
    e.set("SERVER_ADMIN", core_srv.server_admin ? std::string_view(*core_srv.server_admin) : std::string_view("[no address given]"));
    e.set("SCRIPT_FILENAME", r.filename);
    e.set("REMOTE_PORT", std::to_string(r.client_port));
    if (r.user) {
        e.set("REMOTE_USER", *r.user);
    }
    if (!r.auth_type.empty()) {
        e.set("AUTH_TYPE", r.auth_type);
    }
    if (r.redirected) {
        if (!r.original_query.empty()) {
            e.set("REDIRECT_QUERY_STRING", r.original_query);
        }
        e.set("REDIRECT_URL", r.original_uri);
    }
    e.set("GATEWAY_INTERFACE", "CGI/1.1");
    e.set("SERVER_PROTOCOL", protocol_name(r));
    e.set("REQUEST_METHOD", r.method_name);
    e.set("QUERY_STRING", r.query);
    // CGIVar REQUEST_URI current-uri: the path now served (after internal
    // redirects), decoded and without the query, as httpd gives r->uri.
    e.set("REQUEST_URI", core_dir.cgi_request_uri_current.value_or(false) ? std::string_view(r.uri)
                                                                          : request_line_uri(r.the_request));
    if (r.path_info.empty()) {
        e.set("SCRIPT_NAME", r.uri);
    } else {
        e.set("SCRIPT_NAME", std::string_view(r.uri).substr(0, path_info_start(r.uri, r.path_info)));
        e.set("PATH_INFO", r.path_info);
        // PATH_TRANSLATED: PATH_INFO taken as a URL path on this server.
        const Services::Lookup found = services.lookup_uri(r, mappers::escape_path(r.path_info));
        if (!found.filename.empty()) {
            e.set("PATH_TRANSLATED", std::string(found.filename).append(found.path_info));
        }
    }
    if (!e.has("TZ")) {
        if (const char* tz = std::getenv("TZ"); tz != nullptr) {
            e.set("TZ", tz);
        }
    }
    return e.render();
}

}  // namespace sonora::modules::generators
