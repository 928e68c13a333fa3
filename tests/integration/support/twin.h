#pragma once
// One configuration served by Sonora and by Apache's httpd in turn, for tests
// that compare what the two write (access logs, responses). Both read the
// same httpd.conf: a stock Apache 2.4 configuration with Debian's module
// paths, as tools hand it to either server.

#include "support/process.h"
#include "support/server.h"

#include <string>
#include <vector>

namespace sonora::test {

inline constexpr const char* kApacheBinary = "/usr/sbin/apache2";

// True when Apache 2.4 from Debian is installed here.
bool apache_available();

class TwinSite {
public:
    // `extra` is appended to a minimal Apache configuration listening on
    // 127.0.0.1:port() with DocumentRoot htdocs; "@LOGS@" in it becomes the
    // log directory of the server that reads it (logs-sonora/, logs-apache/).
    explicit TwinSite(const std::string& extra);

    const TempDir& root() const { return root_; }
    int port() const { return port_; }
    std::string write_doc(const std::string& relative, const std::string& content) const {
        return root_.write("htdocs/" + relative, content);
    }
    // A server for this site: "sonora" or "apache". Start it, send requests,
    // stop it; the logs stay in its log directory.
    BinaryServer server(const std::string& which) const;
    std::string read_log(const std::string& which, const std::string& name) const;
    // Appends `text` to the configuration both servers read.
    void append_config(const std::string& text) const;
    // Runs both servers with `hosts` in front of /etc/hosts from now on:
    // fake DNS answers (support/stub_hosts.h; check can_stub_hosts() first).
    void stub_hosts(const std::string& hosts) { hosts_ = hosts; }
    // Starts `which`, sends each raw request on a connection of its own and
    // stops it; a HEAD request's response is read as bodiless. A server that
    // does not start is a test failure and gives no responses.
    std::vector<Response> exchange(const std::string& which, const std::vector<std::string>& requests) const;

private:
    TempDir root_;
    int port_;
    std::string hosts_;
};

// The status of each response, in order.
std::vector<int> statuses(const std::vector<Response>& responses);

// What Sonora says when it refuses to start with `modules` (TwinSite's
// `extra`) and `line` inside `<Directory />`; empty when it starts.
std::string refusal_of(const std::string& modules, const std::string& line);

// A response's header lines without what differs between servers or runs
// (Date, Server, ETag, Last-Modified), one per line; with `drop_framing`
// also without Content-Length and Transfer-Encoding.
std::string stable_head(const Response& r, bool drop_framing = false);

// Replaces every "[dd/Mon/yyyy:hh:mm:ss +zzzz]" by "[TIME]".
std::string mask_times(const std::string& log);

}  // namespace sonora::test
