// mod_status as clients see it: the HTML page and ?auto read from the live
// scoreboard, their options, ExtendedStatus, access control, and the same
// configuration under Apache 2.4 for the layout and the ?auto keys; then a
// real consumer, Debian's prometheus-apache-exporter, scraping ?auto.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

using namespace std::chrono_literals;

const std::string kModules = "/usr/lib/apache2/modules/";
const std::string kStatus = "LoadModule status_module " + kModules + "mod_status.so\n"
                            "<Location /server-status>\nSetHandler server-status\n</Location>\n";
// Exactly two children while idle: StartServers, with no spare-thread ramp.
const std::string kTwoChildren = "StartServers 2\nMinSpareThreads 25\nMaxSpareThreads 75\n";

// What ?auto said: keys in order and their values.
struct Auto {
    std::string host;
    std::vector<std::string> keys;
    std::map<std::string, std::string> values;
    long number(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? -1 : std::atol(it->second.c_str());
    }
};

Auto parse_auto(const std::string& body) {
    Auto a;
    std::istringstream in(body);
    std::getline(in, a.host);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        std::string key = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.erase(0, 1);
        }
        a.keys.push_back(key);
        a.values[key] = value;
    }
    return a;
}

Response fetch(int port, const std::string& path, const std::string& method = "GET") {
    const std::string request =
        method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    auto rs = parse_responses(http_exchange(port, request), method == "HEAD");
    if (rs.empty()) {
        return Response{};
    }
    return rs.front();  // a chunked page comes dechunked
}

Auto fetch_auto(int port) { return parse_auto(fetch(port, "/server-status?auto").body); }


std::size_t count_char(const std::string& s, char c) {
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), c));
}

// Apache 2.4.71's keys with ExtendedStatus On under the event MPM, once the
// server has been up a second and has served a request. CPULoad is left
// out: both servers print it only when the CPU time they measured is not 0.
const std::vector<std::string> kEventKeys = {
    "ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime", "ParentServerConfigGeneration",
    "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime", "Load1", "Load5", "Load15",
    "Total Accesses", "Total kBytes", "Total Duration", "CPUUser", "CPUSystem", "CPUChildrenUser",
    "CPUChildrenSystem", "Uptime", "ReqPerSec", "BytesPerSec", "BytesPerReq", "DurationPerReq", "BusyWorkers",
    "GracefulWorkers", "IdleWorkers", "Processes", "Stopping", "ConnsTotal", "ConnsAsyncWaitIO",
    "ConnsAsyncWriting", "ConnsAsyncKeepAlive", "ConnsAsyncClosing", "Scoreboard"};

std::vector<std::string> without_cpu_load(std::vector<std::string> keys) {
    keys.erase(std::remove(keys.begin(), keys.end(), "CPULoad"), keys.end());
    return keys;
}

TEST(Status, ThePageHasApachesSections) {
    ServerProcess server(kStatus + kTwoChildren);
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    Response r = fetch(server.port(), "/server-status");
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.header("Content-Type"), "text/html; charset=ISO-8859-1");
    EXPECT_EQ(r.header("Refresh"), "");
    const std::string sections[] = {
        "<title>Apache Status</title>",
        "<h1>Apache Server Status for localhost (via 127.0.0.1)</h1>",
        "<dt>Server Version: Sonora/",
        "<dt>Server MPM: event</dt>",
        "<dt>Server Built: ",
        "<dt>Current Time: ",
        "<dt>Restart Time: ",
        "<dt>Parent Server Config. Generation: 1</dt>",
        "<dt>Parent Server MPM Generation: 0</dt>",
        "<dt>Server uptime: ",
        "<dt>Server load: ",
        "<dt>Total accesses: ",
        "<dt>CPU Usage: u",
        "<dt>1 requests currently being processed, 0 workers gracefully restarting, 49 idle workers</dt>",
        "<th colspan=\"4\">Async connections</th>",
        "<tr><td>Sum</td><td>2</td><td>0</td>",
        "<pre>",
        "Scoreboard Key:",
        "<table border=\"0\"><tr><th>Srv</th>",
        // The request asking, in flight, in its worker's row.
        "<td><b>W</b>\n</td>",
        "</td><td>127.0.0.1</td><td>http/1.1</td><td nowrap>localhost:" + std::to_string(server.port()) +
            "</td><td nowrap>GET /server-status HTTP/1.1</td></tr>",
        "<tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>",
        "</body></html>\n",
    };
    std::size_t at = 0;
    for (const std::string& section : sections) {
        std::size_t found = r.body.find(section, at);
        ASSERT_NE(found, std::string::npos) << "missing or out of order: " << section << "\n" << r.body;
        at = found;
    }
    EXPECT_EQ(r.body.find("PID Key"), std::string::npos);
}

TEST(Status, AutoHasApachesKeysAndCountsTheRequestAsking) {
    ServerProcess server(kStatus + kTwoChildren);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    ASSERT_EQ(fetch(server.port(), "/a.txt").status, 200);
    std::this_thread::sleep_for(1100ms);  // ReqPerSec and BytesPerSec need a second of uptime
    Response r = fetch(server.port(), "/server-status?auto");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=ISO-8859-1");
    Auto a = parse_auto(r.body);
    EXPECT_EQ(a.host, "localhost");
    EXPECT_EQ(without_cpu_load(a.keys), kEventKeys) << r.body;
    EXPECT_EQ(a.values["ServerMPM"], "event");
    EXPECT_EQ(a.values["ServerVersion"].rfind("Sonora/", 0), 0u);
    EXPECT_EQ(a.number("BusyWorkers"), 1) << "the request asking is being processed";
    EXPECT_EQ(a.number("IdleWorkers"), 2 * 25 - 1);
    EXPECT_EQ(a.number("GracefulWorkers"), 0);
    EXPECT_EQ(a.number("Processes"), static_cast<long>(children_of(server.pid()).size()));
    EXPECT_EQ(a.number("Stopping"), 0);
    EXPECT_GE(a.number("ConnsTotal"), 1) << "this connection";
    EXPECT_GE(a.number("ServerUptimeSeconds"), 1);
    EXPECT_EQ(a.number("ParentServerConfigGeneration"), 1);
    EXPECT_EQ(a.number("ParentServerMPMGeneration"), 0);
    // Apache's length: (MaxRequestWorkers / ThreadsPerChild) * ThreadsPerChild cells, 16 * 25.
    const std::string& board = a.values["Scoreboard"];
    EXPECT_EQ(board.size(), 400u);
    EXPECT_EQ(count_char(board, 'W'), 1u);
    EXPECT_EQ(count_char(board, '_'), 49u);
    EXPECT_EQ(count_char(board, '.'), 400u - 50u);
}

TEST(Status, TotalAccessesGrowByTheRequestsMade) {
    ServerProcess server(kStatus + kTwoChildren);
    server.write_doc("a.txt", std::string(3000, 'a'));
    ASSERT_TRUE(server.start()) << server.startup_error;
    Auto before = fetch_auto(server.port());
    const long accesses = before.number("Total Accesses");
    ASSERT_GE(accesses, 0) << "ExtendedStatus is on by default with mod_status";
    constexpr int kRequests = 7;
    for (int i = 0; i < kRequests; ++i) {
        ASSERT_EQ(fetch(server.port(), "/a.txt").status, 200);
    }
    ASSERT_EQ(fetch(server.port(), "/missing").status, 404);
    Auto after = fetch_auto(server.port());
    // The first ?auto request counts once it is over; the second not yet.
    EXPECT_EQ(after.number("Total Accesses"), accesses + kRequests + 2);
    EXPECT_GE(after.number("Total kBytes"), before.number("Total kBytes") + kRequests * 3000 / 1024);
    EXPECT_GE(after.number("Total Duration"), before.number("Total Duration"));
}

TEST(Status, ScoreboardLengthFollowsMaxRequestWorkers) {
    // Debian's mpm_event.conf: 150 workers of 25 threads make 6 processes' worth of cells.
    ServerProcess server(kStatus + kTwoChildren + "MaxRequestWorkers 150\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_EQ(fetch_auto(server.port()).values["Scoreboard"].size(), 150u);
}

TEST(Status, PreforkHasNoAsyncKeys) {
    ServerProcess server(kStatus + "LoadModule mpm_prefork_module " + kModules +
                         "mod_mpm_prefork.so\nStartServers 2\nMinSpareServers 1\nMaxSpareServers 10\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    Auto a = fetch_auto(server.port());
    EXPECT_EQ(a.values["ServerMPM"], "prefork");
    EXPECT_EQ(a.values.count("Processes"), 0u);
    EXPECT_EQ(a.values.count("ConnsTotal"), 0u);
    EXPECT_EQ(a.number("BusyWorkers"), 1);
    EXPECT_EQ(a.values["Scoreboard"].size(), 256u) << "ServerLimit 256, one worker each";
}

TEST(Status, RefreshHeaderAsApacheReadsTheQuery) {
    ServerProcess server(kStatus);
    ASSERT_TRUE(server.start()) << server.startup_error;
    const std::pair<std::string, std::string> cases[] = {
        {"?refresh=3", "3"}, {"?refresh", "10"}, {"?refresh=0", "10"}, {"?refresh=abc", "10"},
        {"?xrefreshy=5", "10"}, {"?notable&refresh=60", "60"}, {"", ""}, {"?auto", ""},
    };
    for (const auto& [query, expected] : cases) {
        Response r = fetch(server.port(), "/server-status" + query);
        ASSERT_EQ(r.status, 200) << query;
        EXPECT_EQ(r.header("Refresh"), expected) << query;
    }
    Response both = fetch(server.port(), "/server-status?auto&refresh=2");
    EXPECT_EQ(both.header("Refresh"), "2");
    EXPECT_EQ(both.header("Content-Type"), "text/plain; charset=ISO-8859-1");
}

TEST(Status, NotableListsWorkersWithoutTables) {
    ServerProcess server(kStatus);
    ASSERT_TRUE(server.start()) << server.startup_error;
    Response r = fetch(server.port(), "/server-status?notable");
    ASSERT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<hr /><h2>Server Details</h2>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("[<b>Write</b>]"), std::string::npos);
    EXPECT_NE(r.body.find("{GET /server-status?notable HTTP/1.1}"), std::string::npos);
    EXPECT_EQ(r.body.find("<table border=\"0\">"), std::string::npos);
    // ?auto wins over ?notable: the machine form has no HTML at all.
    Response a = fetch(server.port(), "/server-status?notable&auto");
    EXPECT_EQ(a.header("Content-Type"), "text/plain; charset=ISO-8859-1");
    EXPECT_EQ(a.body.find('<'), std::string::npos);
}

TEST(Status, ExtendedStatusOffShowsNoDetails) {
    ServerProcess server(kStatus + kTwoChildren + "ExtendedStatus Off\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    Response r = fetch(server.port(), "/server-status");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("Total accesses"), std::string::npos);
    EXPECT_EQ(r.body.find("<table border=\"0\">"), std::string::npos);
    EXPECT_NE(r.body.find("PID Key: <br />"), std::string::npos);
    EXPECT_NE(r.body.find(" in state: W ,"), std::string::npos);
    EXPECT_NE(r.body.find("you need to use the <code>ExtendedStatus On</code> directive."), std::string::npos);
    Auto a = fetch_auto(server.port());
    EXPECT_EQ(a.values.count("Total Accesses"), 0u);
    EXPECT_EQ(a.values.count("CPUUser"), 0u);
    // The request asking, and under load at times the previous one's slot,
    // released a moment after its connection was closed.
    EXPECT_GE(a.number("BusyWorkers"), 1);
    EXPECT_LE(a.number("BusyWorkers"), 2);
    EXPECT_EQ(a.number("Processes"), 2);
}

TEST(Status, ExtendedStatusOnDirectiveKeepsDetails) {
    ServerProcess server(kStatus + "ExtendedStatus On\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    EXPECT_NE(fetch(server.port(), "/server-status").body.find("<table border=\"0\">"), std::string::npos);
}

TEST(Status, AccessControlAsForAnyHandler) {
    const std::string authz = "LoadModule authz_core_module " + kModules + "mod_authz_core.so\n"
                              "LoadModule authz_host_module " + kModules + "mod_authz_host.so\n";
    ServerProcess allowed(authz +
                          "LoadModule status_module " + kModules + "mod_status.so\n"
                          "<Location /server-status>\nSetHandler server-status\nRequire ip 127.0.0.1\n</Location>\n");
    ASSERT_TRUE(allowed.start()) << allowed.startup_error;
    EXPECT_EQ(fetch(allowed.port(), "/server-status").status, 200);
    EXPECT_EQ(fetch(allowed.port(), "/server-status?auto").status, 200);
    allowed.stop();

    ServerProcess denied(authz +
                         "LoadModule status_module " + kModules + "mod_status.so\n"
                         "<Location /server-status>\nSetHandler server-status\nRequire ip 192.0.2.1\n</Location>\n");
    ASSERT_TRUE(denied.start()) << denied.startup_error;
    Response r = fetch(denied.port(), "/server-status?auto");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.body.find("Scoreboard"), std::string::npos);
}

TEST(Status, OnlyGetAndHeadAreAnswered) {
    ServerProcess server(kStatus);
    ASSERT_TRUE(server.start()) << server.startup_error;
    Response head = fetch(server.port(), "/server-status?auto", "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("Content-Type"), "text/plain; charset=ISO-8859-1");
    EXPECT_TRUE(head.body.empty());
    // Declined, as httpd declines: the default handler finds no such file.
    EXPECT_EQ(fetch(server.port(), "/server-status", "POST").status, 404);
}

TEST(Status, ADownloadInFlightIsAWorkerSendingItsReply) {
    ServerProcess server(kStatus + kTwoChildren);
    server.write_doc("big.bin", std::string(8u << 20, 'b'));
    ASSERT_TRUE(server.start()) << server.startup_error;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string req = "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[1024];
    ASSERT_GT(::recv(fd, buf, sizeof buf, 0), 0);
    Auto a = fetch_auto(server.port());
    EXPECT_EQ(a.number("BusyWorkers"), 2) << "the download and the request asking";
    EXPECT_EQ(count_char(a.values["Scoreboard"], 'W'), 2u) << a.values["Scoreboard"];
    Response page = fetch(server.port(), "/server-status");
    EXPECT_NE(page.body.find("<td nowrap>GET /big.bin HTTP/1.1</td>"), std::string::npos) << page.body;
    ::close(fd);
}

TEST(Status, OnAWildcardListenerTheHeadingNamesTheAddress) {
    // Debian's "Listen 80": the address a connection came in on is the kernel's to tell.
    TempDir root;
    root.mkdir("htdocs");
    root.mkdir("logs");
    const int port = free_port();
    root.write("conf/httpd.conf", "Listen " + std::to_string(port) +
                                      "\nServerName localhost\nDocumentRoot htdocs\nErrorLog logs/error_log\n"
                                      "PidFile logs/sonora.pid\nTypesConfig " SONORA_SOURCE_DIR "/conf/mime.types\n" +
                                      kStatus);
    BinaryServer server(SONORA_BINARY, root.str(), "conf/httpd.conf", port, "logs/sonora.pid");
    ASSERT_TRUE(server.start()) << server.startup_error;
    Response r = fetch(port, "/server-status");
    EXPECT_NE(r.body.find("<h1>Apache Server Status for localhost (via 127.0.0.1)</h1>"), std::string::npos)
        << r.body.substr(0, 400);
}

// The request line of a status request longer than the scoreboard keeps.
const std::string kLongPath = "/server-status?" + std::string(80, 'x') + "end";

std::string kept_request_line(bool tail) {
    const std::string line = "GET " + kLongPath + " HTTP/1.1";
    return tail ? line.substr(line.size() - 63) : line.substr(0, 63);
}

TEST(Status, SeeRequestTailKeepsTheEndOfALongRequestLine) {
    for (bool tail : {false, true}) {
        ServerProcess server(kStatus + (tail ? "SeeRequestTail On\n" : ""));
        ASSERT_TRUE(server.start()) << server.startup_error;
        Response r = fetch(server.port(), kLongPath);
        EXPECT_NE(r.body.find("<td nowrap>" + kept_request_line(tail) + "</td>"), std::string::npos)
            << "SeeRequestTail " << tail << "\n" << r.body;
        EXPECT_EQ(server.error_log().find("SeeRequestTail"), std::string::npos) << "no warning: it has effect";
    }
}

// ---- the same configuration under Apache 2.4 ----

// The page with what differs between two servers and two moments masked:
// numbers, the server's own lines, the rows of processes and workers.
std::string page_skeleton(const std::string& page) {
    std::istringstream in(page);
    std::string out;
    std::string line;
    bool in_board = false;
    while (std::getline(in, line)) {
        for (const char* own :
             {"<dl><dt>Server Version:", "<dt>Server Built:", "<dt>Current Time:", "<dt>Restart Time:"}) {
            if (line.rfind(own, 0) == 0) {
                line = own;
            }
        }
        if (line == "</dt></dl><hr /><dl>") {
            continue;  // the end of the Built line
        }
        if (line.rfind("<pre>", 0) == 0) {
            in_board = true;
        }
        if (in_board) {
            if (line.find("</pre>") != std::string::npos) {
                in_board = false;
                out += "<pre>BOARD</pre>\n";
            }
            continue;
        }
        // Process rows of the event table, worker rows (tables or ?notable
        // paragraphs) with their continuation lines.
        if (std::regex_search(line, std::regex("^(<tr><td>[0-9]|<tr><td><b>|</td><td>|<b>Server |[ ][0-9]|[ ]<i>)")) ||
            line.empty()) {
            continue;
        }
        line = std::regex_replace(line, std::regex(" - [.0-9]+% CPU load"), "");
        line = std::regex_replace(line, std::regex("(second|minute|hour|day)s"), "$1");
        line = std::regex_replace(line, std::regex("[.0-9]+ (B|kB|MB|GB)"), "N U");
        line = std::regex_replace(line, std::regex("[0-9][.0-9]*|\\.[0-9]+"), "N");
        out += line + "\n";
    }
    return out;
}

// Starts `which`, serves one file, waits a second, reads the pages at `paths`.
std::vector<Response> pages_from(const TwinSite& site, const std::string& which,
                                 const std::vector<std::string>& paths) {
    BinaryServer server = site.server(which);
    if (!server.start()) {
        ADD_FAILURE() << which << ": " << server.startup_error;
        return std::vector<Response>(paths.size());
    }
    fetch(site.port(), "/index.html");
    std::this_thread::sleep_for(1100ms);
    std::vector<Response> pages;
    for (const auto& path : paths) {
        pages.push_back(fetch(site.port(), path));
    }
    server.stop();
    return pages;
}

Response page_from(const TwinSite& site, const std::string& which, const std::string& path) {
    return pages_from(site, which, {path}).front();
}

TEST(StatusTwin, AutoKeysAndCountsMatchApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 (" << kApacheBinary << ") is not installed";
    }
    TwinSite site(kStatus);
    site.write_doc("index.html", "hello\n");
    Auto ours = parse_auto(page_from(site, "sonora", "/server-status?auto").body);
    Auto theirs = parse_auto(page_from(site, "apache", "/server-status?auto").body);
    EXPECT_EQ(without_cpu_load(theirs.keys), kEventKeys) << "Apache's keys changed: update the expected list";
    EXPECT_EQ(without_cpu_load(ours.keys), without_cpu_load(theirs.keys));
    EXPECT_EQ(ours.host, theirs.host);
    for (const char* same : {"ServerMPM", "BusyWorkers", "GracefulWorkers", "IdleWorkers", "Processes", "Stopping",
                             "ParentServerConfigGeneration", "ParentServerMPMGeneration", "ConnsAsyncWaitIO"}) {
        EXPECT_EQ(ours.values[same], theirs.values[same]) << same;
    }
    EXPECT_EQ(ours.values["Scoreboard"].size(), theirs.values["Scoreboard"].size());
    EXPECT_EQ(count_char(ours.values["Scoreboard"], '.'), count_char(theirs.values["Scoreboard"], '.'));
    EXPECT_EQ(ours.values["Total Accesses"], theirs.values["Total Accesses"]) << "the file, the first request";
}

TEST(StatusTwin, ExtendedStatusOffKeysMatchApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 (" << kApacheBinary << ") is not installed";
    }
    TwinSite site(kStatus + "ExtendedStatus Off\nMaxRequestWorkers 150\n");
    site.write_doc("index.html", "hello\n");
    Auto ours = parse_auto(page_from(site, "sonora", "/server-status?auto").body);
    Auto theirs = parse_auto(page_from(site, "apache", "/server-status?auto").body);
    EXPECT_EQ(ours.keys, theirs.keys);
    EXPECT_EQ(ours.values["Scoreboard"].size(), theirs.values["Scoreboard"].size());
    EXPECT_EQ(ours.values["Scoreboard"].size(), 150u);
}

TEST(StatusTwin, PageLayoutMatchesApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 (" << kApacheBinary << ") is not installed";
    }
    {
        TwinSite site(kStatus);
        site.write_doc("index.html", "hello\n");
        const std::vector<std::string> paths = {"/server-status", "/server-status?notable"};
        std::vector<Response> ours = pages_from(site, "sonora", paths);
        std::vector<Response> theirs = pages_from(site, "apache", paths);
        for (std::size_t i = 0; i < paths.size(); ++i) {
            ASSERT_EQ(ours[i].status, 200) << paths[i];
            ASSERT_EQ(theirs[i].status, 200) << paths[i];
            EXPECT_EQ(ours[i].header("Content-Type"), theirs[i].header("Content-Type"));
            EXPECT_EQ(page_skeleton(ours[i].body), page_skeleton(theirs[i].body)) << paths[i];
        }
    }
    TwinSite off(kStatus + "ExtendedStatus Off\n");
    off.write_doc("index.html", "hello\n");
    // The PID key lists each slot's process: mask the pids and compare the rest.
    std::regex pid("[0-9]+ in state");
    std::string ours = std::regex_replace(page_from(off, "sonora", "/server-status").body, pid, "P in state");
    std::string theirs = std::regex_replace(page_from(off, "apache", "/server-status").body, pid, "P in state");
    EXPECT_EQ(page_skeleton(ours), page_skeleton(theirs));
    auto key_of = [](const std::string& page) {
        auto at = page.find("PID Key");
        return at == std::string::npos ? std::string() : page.substr(at);
    };
    // Which slot is busy differs; the shape of the key does not.
    std::regex state("in state: [_W]");
    EXPECT_EQ(std::regex_replace(key_of(ours), state, "in state: X"),
              std::regex_replace(key_of(theirs), state, "in state: X"));
}

TEST(StatusTwin, RefreshValuesMatchApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 (" << kApacheBinary << ") is not installed";
    }
    TwinSite site(kStatus);
    const std::vector<std::string> queries = {"?refresh=3",  "?refresh",    "?refresh=0", "?refresh=-4",
                                              "?refresh=7x", "?refresh=+6", "?xrefreshy", "?auto&refresh=2"};
    std::map<std::string, std::vector<std::string>> seen;
    for (const char* which : {"sonora", "apache"}) {
        BinaryServer server = site.server(which);
        ASSERT_TRUE(server.start()) << which << ": " << server.startup_error;
        for (const auto& q : queries) {
            Response r = fetch(site.port(), "/server-status" + q);
            seen[which].push_back(std::to_string(r.status) + " " + r.header("Refresh") + " " +
                                  r.header("Content-Type"));
        }
        server.stop();
    }
    EXPECT_EQ(seen["sonora"], seen["apache"]);
}

TEST(StatusTwin, SeeRequestTailMatchesApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 (" << kApacheBinary << ") is not installed";
    }
    TwinSite site(kStatus + "SeeRequestTail On\n");
    for (const char* which : {"sonora", "apache"}) {
        BinaryServer server = site.server(which);
        ASSERT_TRUE(server.start()) << which << ": " << server.startup_error;
        Response r = fetch(site.port(), kLongPath);
        server.stop();
        EXPECT_NE(r.body.find("<td nowrap>" + kept_request_line(true) + "</td>"), std::string::npos) << which;
    }
}

// ---- a real consumer of ?auto ----

constexpr const char* kExporter = "/usr/bin/prometheus-apache-exporter";

class Exporter {
public:
    Exporter(int scrape_port, int listen_port, const std::string& log) {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
            const std::string scrape = "--scrape_uri=http://127.0.0.1:" + std::to_string(scrape_port) +
                                       "/server-status?auto";
            const std::string listen = "--telemetry.address=127.0.0.1:" + std::to_string(listen_port);
            const char* argv[] = {kExporter, scrape.c_str(), listen.c_str(), nullptr};
            ::execv(kExporter, const_cast<char* const*>(argv));
            ::_exit(127);
        }
    }
    ~Exporter() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Exporter(const Exporter&) = delete;
    Exporter& operator=(const Exporter&) = delete;

private:
    pid_t pid_ = -1;
};

// The value of one sample line ("name{labels} value"), or -1.
double metric(const std::string& text, const std::string& series) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(series + " ", 0) == 0) {
            return std::atof(line.c_str() + series.size() + 1);
        }
    }
    return -1;
}

TEST(StatusExporter, PrometheusApacheExporterReadsOurAuto) {
    if (::access(kExporter, X_OK) != 0) {
        GTEST_SKIP() << kExporter
                     << " is missing (Debian's prometheus-apache-exporter; scripts/install-deps.sh --test)";
    }
    ServerProcess server(kStatus + kTwoChildren);
    server.write_doc("a.txt", "a\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(wait_until([&] { return children_of(server.pid()).size() == 2; }));
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(fetch(server.port(), "/a.txt").status, 200);
    }
    const int port = free_port();
    Exporter exporter(server.port(), port, server.root().str() + "/logs/exporter.log");
    std::string metrics;
    ASSERT_TRUE(wait_until(
        [&] {
            Response r = fetch(port, "/metrics");
            metrics = r.body;
            return r.status == 200 && contains(metrics, "apache_up");
        },
        10000))
        << read_file(server.root().str() + "/logs/exporter.log");
    Auto ours = fetch_auto(server.port());
    EXPECT_EQ(metric(metrics, "apache_up"), 1) << metrics;
    EXPECT_EQ(metric(metrics, "apache_processes{state=\"all\"}"), 2);
    EXPECT_EQ(metric(metrics, "apache_processes{state=\"stopping\"}"), 0);
    // Its own scrape was the busy worker, as ours is now.
    EXPECT_EQ(metric(metrics, "apache_workers{state=\"busy\"}"), ours.number("BusyWorkers"));
    EXPECT_EQ(metric(metrics, "apache_workers{state=\"idle\"}"), ours.number("IdleWorkers"));
    EXPECT_EQ(metric(metrics, "apache_scoreboard{state=\"idle\"}"),
              static_cast<double>(count_char(ours.values["Scoreboard"], '_')));
    EXPECT_EQ(metric(metrics, "apache_scoreboard{state=\"open_slot\"}"),
              static_cast<double>(count_char(ours.values["Scoreboard"], '.')));
    EXPECT_GE(metric(metrics, "apache_accesses_total"), 3);
    EXPECT_NE(metrics.find("apache_info{mpm=\"event\",version=\"Sonora/"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace sonora::test
