#include "support/twin.h"

#include <algorithm>
#include <iterator>

#include "support/stub_hosts.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <regex>

namespace sonora::test {

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
    return s;
}

}  // namespace

bool apache_available() { return ::access(kApacheBinary, X_OK) == 0; }

TwinSite::TwinSite(const std::string& extra) : port_(free_port()) {
    // Apache's children run as www-data and must reach the documents.
    ::chmod(root_.str().c_str(), 0755);
    root_.mkdir("htdocs");
    root_.mkdir("logs-sonora");
    root_.mkdir("logs-apache");
    const std::string modules = "/usr/lib/apache2/modules/";
    const std::string mpm = test_mpm().empty() ? "event" : test_mpm();
    std::string conf = "Listen 127.0.0.1:" + std::to_string(port_) +
                       "\nLoadModule mpm_" + mpm + "_module " + modules + "mod_mpm_" + mpm + ".so\n"
                       "LoadModule authz_core_module " + modules + "mod_authz_core.so\n"
                       "LoadModule mime_module " + modules + "mod_mime.so\n"
                       "LoadModule dir_module " + modules + "mod_dir.so\n"
                       "LoadModule env_module " + modules + "mod_env.so\n"
                       "LoadModule setenvif_module " + modules + "mod_setenvif.so\n"
                       "ServerName localhost\nServerTokens Prod\nDocumentRoot htdocs\n"
                       "TypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n"
                       "ErrorLog @LOGS@/error_log\nPidFile @LOGS@/httpd.pid\n"
                       "<Directory />\nAllowOverride None\n</Directory>\n";
    if (::geteuid() == 0) {
        conf += "User www-data\nGroup www-data\n";
    }
    conf += extra;
    root_.write("conf/sonora.conf", replace_all(conf, "@LOGS@", "logs-sonora"));
    root_.write("conf/apache.conf", replace_all(conf, "@LOGS@", "logs-apache"));
}

BinaryServer TwinSite::server(const std::string& which) const {
    std::string binary = which == "apache" ? kApacheBinary : SONORA_BINARY;
    if (!hosts_.empty()) {
        binary = stub_hosts_wrapper(root_, binary, hosts_, which);
    }
    return BinaryServer(binary, root_.str(), "conf/" + which + ".conf", port_, "logs-" + which + "/httpd.pid");
}

std::string TwinSite::read_log(const std::string& which, const std::string& name) const {
    return read_file((root_.path() / ("logs-" + which) / name).string());
}

void TwinSite::append_config(const std::string& text) const {
    for (const char* which : {"sonora", "apache"}) {
        std::string relative = std::string("conf/") + which + ".conf";
        root_.write(relative, read_file((root_.path() / relative).string()) + text);
    }
}

std::vector<Response> TwinSite::exchange(const std::string& which, const std::vector<std::string>& requests) const {
    std::vector<Response> out;
    BinaryServer server = this->server(which);
    if (!server.start()) {
        ADD_FAILURE() << "failed to start " << which << ": " << server.startup_error;
        return out;
    }
    for (const std::string& request : requests) {
        auto rs = parse_responses(http_exchange(port_, request), request.rfind("HEAD ", 0) == 0);
        out.push_back(rs.empty() ? Response{} : rs.front());
    }
    server.stop();
    return out;
}

std::string refusal_of(const std::string& modules, const std::string& line) {
    TwinSite site(modules);
    site.append_config("<Directory />\n" + line + "\n</Directory>\n");
    BinaryServer server = site.server("sonora");
    return server.start() ? std::string() : server.startup_error;
}

std::string stable_head(const Response& r, bool drop_framing) {
    static const char* const kVarying[] = {"Date:", "Server:", "ETag:", "Last-Modified:"};
    static const char* const kFraming[] = {"Content-Length:", "Transfer-Encoding:"};
    std::string out;
    std::size_t pos = 0;
    while (pos < r.head.size()) {
        std::size_t end = r.head.find("\r\n", pos);
        end = end == std::string::npos ? r.head.size() : end;
        const std::string line = r.head.substr(pos, end - pos);
        auto starts = [&line](const char* prefix) { return line.rfind(prefix, 0) == 0; };
        const bool varying = std::any_of(std::begin(kVarying), std::end(kVarying), starts);
        const bool framing = drop_framing && std::any_of(std::begin(kFraming), std::end(kFraming), starts);
        if (!varying && !framing) {
            out += line + "\n";
        }
        pos = end + 2;
    }
    return out;
}

std::vector<int> statuses(const std::vector<Response>& responses) {
    std::vector<int> out;
    for (const Response& r : responses) {
        out.push_back(r.status);
    }
    return out;
}

std::string mask_times(const std::string& log) {
    static const std::regex clf(R"(\[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\])");
    return std::regex_replace(log, clf, "[TIME]");
}

}  // namespace sonora::test
