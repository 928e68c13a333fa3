// Access logs written by the real binary: byte-for-byte against Apache 2.4
// for the same configuration and requests, BufferedLogs under concurrent
// load, piped loggers that die, conditions, failures and analysers.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace sonora::test {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) {
        out.push_back(line);
    }
    return out;
}

// Polls until `path` holds at least `count` lines or `timeout_ms` passes.
std::vector<std::string> wait_for_lines(const std::string& path, std::size_t count, int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<std::string> lines;
    do {
        lines = lines_of(read_file(path));
        if (lines.size() >= count) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return lines;
}

std::string get(int port, const std::string& path, const std::string& extra_headers = "") {
    return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers +
                                   "Connection: close\r\n\r\n");
}

// ---- the same requests through Apache and Sonora ----

const char* const kParityConfig = R"(
LogFormat "%h %l %u %t \"%r\" %>s %b" common
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%a %A %p %{local}p %m %H %U|%<U|%>U %q %s|%<s|%>s %B %b %O %k %X %v %V %{Host}i %{Content-Type}o %{Content-Length}o %{Last-Modified}o %{ETag}o %{Location}o %f %200{Referer}i %!200{User-Agent}i %{c}a %{Foo}C %{nothere}i %{nothere}e %% %{%Y}t" detail
CustomLog @LOGS@/common_log common
CustomLog @LOGS@/combined_log combined
CustomLog @LOGS@/detail_log detail
ErrorDocument 404 /missing.html
)";

// Every request on its own connection, then three on one kept-alive connection.
const char* const kParityRequests[] = {
    "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "GET / HTTP/1.0\r\nUser-Agent: Mozilla/5.0 (X11; Linux) \"quoted\" \\back\r\n"
    "Referer: http://example.com/a?b=c\r\nCookie: a=1; Foo=bar baz; c=\"q\"\r\n\r\n",
    "HEAD /a.txt HTTP/1.0\r\n\r\n",
    "GET /nope.html?x=1&y=%22 HTTP/1.0\r\n\r\n",
    "GET /sub HTTP/1.0\r\n\r\n",
    "GARBAGE\r\n\r\n",
    "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-2\r\nConnection: close\r\n\r\n",
    "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"
    "Connection: close\r\n\r\n",
    "GET /a.txt HTTP/1.0\r\nUser-Agent: caf\xc3\xa9 \xff\xfe tab\there\r\nReferer: -\r\n\r\n",
    "GET /a%20b.txt HTTP/1.0\r\n\r\n",
    "POST /a.txt HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello",
    "GET http://localhost/a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "GET /a.txt? HTTP/1.0\r\n\r\n",
    "GET /%zz HTTP/1.0\r\n\r\n",
    "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: localhost\r\n\r\n"
    "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
};

std::string run_parity(TwinSite& site, const std::string& which) {
    BinaryServer server = site.server(which);
    if (!server.start()) {
        return "failed to start " + which + ": " + server.startup_error;
    }
    for (const char* request : kParityRequests) {
        http_exchange(site.port(), request, 3000);
    }
    server.stop();
    return {};
}

TEST(AccessLogTest, CommonCombinedAndEveryStableLetterMatchApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 is not installed (scripts/install-deps.sh --test installs it)";
    }
    TwinSite site(kParityConfig);
    site.write_doc("index.html", "<h1>index</h1>\n");
    site.write_doc("a.txt", "hello, world\n");
    site.write_doc("missing.html", "not here\n");
    site.write_doc("sub/index.html", "sub index\n");
    // The same file times for both servers: Last-Modified and ETag must agree.
    // Aged an hour, so that neither server's ETag turns weak because a run
    // fell in the file's second of modification (httpd's one-second rule).
    for (const char* doc : {"index.html", "a.txt", "missing.html", "sub/index.html"}) {
        const auto p = site.root().path() / "htdocs" / doc;
        std::filesystem::last_write_time(p, std::filesystem::last_write_time(p) - std::chrono::hours(1));
    }
    ASSERT_EQ(run_parity(site, "apache"), "");
    ASSERT_EQ(run_parity(site, "sonora"), "");
    for (const char* log : {"common_log", "combined_log", "detail_log"}) {
        std::vector<std::string> apache = lines_of(mask_times(site.read_log("apache", log)));
        std::vector<std::string> sonora = lines_of(mask_times(site.read_log("sonora", log)));
        ASSERT_EQ(apache.size(), 17u) << log << "\n" << site.read_log("apache", log);
        ASSERT_EQ(sonora.size(), apache.size()) << log << "\n" << site.read_log("sonora", log);
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i], apache[i]) << log << " line " << i + 1;
        }
    }
}

// ---- BufferedLogs: N requests, N whole lines ----

void concurrent_load(int port, int clients, int per_client, std::atomic<int>& ok) {
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            for (int i = 0; i < per_client; ++i) {
                // A long query makes lines long enough that a buffer holds only a few.
                std::string path = "/a.txt?client=" + std::to_string(c) + "&n=" + std::to_string(i) + "&pad=" +
                                   std::string(static_cast<std::size_t>(50 + (i * 37) % 400), 'x');
                if (get(port, path).starts_with("HTTP/1.1 200")) {
                    ++ok;
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
}

void expect_intact_lines(const std::string& log, int clients, int per_client) {
    std::vector<std::string> lines = lines_of(log);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(clients * per_client));
    static const std::regex line_re(
        R"re(^127\.0\.0\.1 - - \[[^\]]+\] "GET /a\.txt\?client=(\d+)&n=(\d+)&pad=x+ HTTP/1\.1" 200 13$)re");
    std::set<std::pair<int, int>> seen;
    for (const std::string& line : lines) {
        std::smatch m;
        ASSERT_TRUE(std::regex_match(line, m, line_re)) << line;
        seen.insert({std::stoi(m[1]), std::stoi(m[2])});
    }
    EXPECT_EQ(seen.size(), lines.size()) << "a request was logged twice";
}

class BufferedLogsTest : public ::testing::TestWithParam<bool> {};

TEST_P(BufferedLogsTest, EveryRequestIsOneIntactLine) {
    const bool buffered = GetParam();
    ServerProcess server(std::string("BufferedLogs ") + (buffered ? "On" : "Off") +
                         "\nLogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common\nCustomLog logs/access_log common\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    constexpr int kClients = 8;
    constexpr int kPerClient = 60;
    std::atomic<int> ok{0};
    concurrent_load(server.port(), kClients, kPerClient, ok);
    ASSERT_EQ(ok.load(), kClients * kPerClient);
    server.stop();  // buffered lines are written at exit
    expect_intact_lines(read_file(server.root().str() + "/logs/access_log"), kClients, kPerClient);
}

INSTANTIATE_TEST_SUITE_P(OnAndOff, BufferedLogsTest, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "On" : "Off"; });

TEST(AccessLogTest, BufferedLinesAreWrittenWithinAboutASecond) {
    ServerProcess server("BufferedLogs On\nCustomLog logs/access_log common\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    const std::string log = server.root().str() + "/logs/access_log";
    ASSERT_TRUE(get(server.port(), "/a.txt").starts_with("HTTP/1.1 200"));
    // Not written at once: the line waits in the buffer...
    EXPECT_EQ(read_file(log), "");
    // ...and leaves on the timer while the server keeps running.
    auto lines = wait_for_lines(log, 1, 3000);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(server.running());
}

TEST(AccessLogTest, UnbufferedLinesAreWrittenBeforeTheNextRequest) {
    ServerProcess server("CustomLog logs/access_log \"%>s %U\"\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(get(server.port(), "/a.txt").starts_with("HTTP/1.1 200"));
    ASSERT_TRUE(get(server.port(), "/missing").starts_with("HTTP/1.1 404"));
    EXPECT_EQ(read_file(server.root().str() + "/logs/access_log"), "200 /a.txt\n404 /missing\n");
}

// ---- piped logs ----

// The pid of a child of `parent` running `name` (from /proc), or -1.
pid_t child_named(pid_t parent, const std::string& name) {
    std::vector<int> pids = children_of(parent, name);
    return pids.empty() ? -1 : pids.front();
}

TEST(AccessLogTest, PipedLoggerThatDiesIsRestartedAndNoLineIsLost) {
    TempDir out;
    const std::string file = out.str() + "/piped.log";
    ServerProcess server("CustomLog \"||/usr/bin/dd bs=4096 status=none conv=notrunc oflag=append of=" + file +
                         "\" \"%U%q\"\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto logger = [&] {
        pid_t p = -1;
        for (int i = 0; i < 100 && p < 0; ++i) {
            p = child_named(server.pid(), "dd");
            if (p < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        return p;
    };
    pid_t first = logger();
    ASSERT_GT(first, 0) << "no piped logger running";
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(get(server.port(), "/a.txt?n=" + std::to_string(i)).starts_with("HTTP/1.1 200"));
    }
    ASSERT_EQ(wait_for_lines(file, 20).size(), 20u);
    ::kill(first, SIGKILL);
    // SIGKILL lands when the logger next runs; a line it read before that is
    // lost with it, whatever the server does. Wait until it is gone (or a zombie).
    for (int i = 0; i < 250; ++i) {
        std::string stat = read_file("/proc/" + std::to_string(first) + "/stat");
        auto close_paren = stat.rfind(')');
        if (close_paren == std::string::npos || stat.compare(close_paren + 2, 1, "Z") == 0) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Requests go on while the logger is dead and being restarted.
    for (int i = 20; i < 40; ++i) {
        ASSERT_TRUE(get(server.port(), "/a.txt?n=" + std::to_string(i)).starts_with("HTTP/1.1 200"));
    }
    std::vector<std::string> lines = wait_for_lines(file, 40);
    ASSERT_EQ(lines.size(), 40u);
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(lines[static_cast<std::size_t>(i)], "/a.txt?n=" + std::to_string(i));
    }
    pid_t second = logger();
    EXPECT_GT(second, 0);
    EXPECT_NE(second, first);
    EXPECT_TRUE(server.running());
}

TEST(AccessLogTest, ShellPipedLoggerGetsLines) {
    TempDir out;
    const std::string file = out.str() + "/shell.log";
    ServerProcess server("CustomLog \"|$cat >> " + file + "\" \"%>s %U\"\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    ASSERT_TRUE(get(server.port(), "/a.txt").starts_with("HTTP/1.1 200"));
    EXPECT_EQ(wait_for_lines(file, 1), std::vector<std::string>{"200 /a.txt"});
}

// ---- failures ----

TEST(AccessLogTest, AFullDiskNeverStopsServingAndIsReportedOnce) {
    if (::access("/dev/full", W_OK) != 0) {
        GTEST_SKIP() << "no /dev/full";
    }
    ServerProcess server("CustomLog /dev/full common\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(get(server.port(), "/a.txt").starts_with("HTTP/1.1 200"));
    }
    EXPECT_TRUE(server.running());
    server.stop();
    std::string errors = server.error_log();
    auto first = errors.find("SN00646");
    ASSERT_NE(first, std::string::npos) << errors;
    EXPECT_NE(errors.find("No space left on device"), std::string::npos) << errors;
    // Each child process reports for itself, at most once a minute.
    std::set<std::string> reporters;
    std::istringstream lines(errors);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("SN00646") == std::string::npos) {
            continue;
        }
        const auto at = line.find("[pid ");
        const std::string pid = line.substr(at, line.find(':', at) - at);
        EXPECT_TRUE(reporters.insert(pid).second) << pid << " reported more than once a minute\n" << errors;
    }
}

TEST(AccessLogTest, UnknownFormatDirectiveIsAConfigErrorAtItsLine) {
    TempDir root;
    root.mkdir("htdocs");
    root.write("conf/httpd.conf", "Listen 127.0.0.1:1\nDocumentRoot htdocs\n\nLogFormat \"%h %Z\" broken\n");
    RunResult r = run_sonora({"-t", "-d", root.str(), "-f", "conf/httpd.conf"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Syntax error on line 4 of " + root.str() + "/conf/httpd.conf"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("Unrecognized LogFormat directive %Z"), std::string::npos) << r.err;
}

TEST(AccessLogTest, MissingLogDirectoryStopsStartupNamingTheDirective) {
    TempDir root;
    root.mkdir("htdocs");
    root.write("conf/httpd.conf", "Listen 127.0.0.1:1\nDocumentRoot htdocs\nCustomLog nowhere/access_log common\n");
    RunResult r = run_sonora({"-t", "-d", root.str(), "-f", "conf/httpd.conf"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("(2)No such file or directory: SN02297: Cannot access directory '" + root.str() +
                         "/nowhere/' for log file '" + root.str() + "/nowhere/access_log' defined at " + root.str() +
                         "/conf/httpd.conf:3"),
              std::string::npos)
        << r.err;
}

TEST(AccessLogTest, ALogThatCannotBeOpenedStopsStartup) {
    // A directory cannot be opened for writing, even by root.
    // As with httpd, the error log is already open then: the reason is written there.
    ServerProcess server("CustomLog logs common\n");
    EXPECT_FALSE(server.start());
    const std::string errors = server.error_log();
    EXPECT_NE(errors.find("(21)Is a directory: SN00649: could not open transfer log file " + server.root().str() +
                          "/logs."),
              std::string::npos)
        << errors;
    EXPECT_NE(errors.find("Unable to open logs"), std::string::npos) << errors;
}

// ---- a real analyser reads the combined log ----

TEST(AccessLogTest, GoaccessParsesTheCombinedLog) {
    if (::access("/usr/bin/goaccess", X_OK) != 0) {
        GTEST_SKIP() << "goaccess is not installed (scripts/install-deps.sh --test installs it)";
    }
    ServerProcess server(
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n"
        "CustomLog logs/access_log combined\n");
    server.write_doc("a.txt", "hello, world\n");
    ASSERT_TRUE(server.start()) << server.startup_error;
    get(server.port(), "/a.txt", "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0\r\nReferer: http://x/\r\n");
    get(server.port(), "/missing", "User-Agent: curl/8.0 \"odd\"\r\n");
    get(server.port(), "/a.txt?q=1", "");
    server.stop();
    const std::string log = server.root().str() + "/logs/access_log";
    const std::string report = server.root().str() + "/report.csv";
    std::string cmd = "/usr/bin/goaccess " + log + " --log-format=COMBINED --no-global-config -o " + report +
                      " > " + server.root().str() + "/goaccess.out 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(server.root().str() + "/goaccess.out");
    std::string csv = read_file(report);
    // The general section: three requests, all valid, none failed to parse.
    EXPECT_NE(csv.find(",\"3\",\"total_requests\""), std::string::npos) << csv;
    EXPECT_NE(csv.find(",\"3\",\"valid_requests\""), std::string::npos) << csv;
    EXPECT_NE(csv.find(",\"0\",\"failed_requests\""), std::string::npos) << csv;
    EXPECT_NE(csv.find(",\"1\",\"unique_not_found\""), std::string::npos) << csv;
}

}  // namespace
}  // namespace sonora::test

namespace sonora::test {
namespace {

// ---- request environment: SetEnvIf, BrowserMatch, SetEnvIfExpr, SetEnv ----

const char* const kEnvConfig = R"cfg(
SetEnvIf Request_URI "\.gif$" dontlog
SetEnvIfNoCase User-Agent "^curl/([0-9]+)" client=curl$1
BrowserMatch "Mozilla" moz
SetEnvIfExpr "%{QUERY_STRING} =~ /debug/" debug=yes
SetEnv site main
<Location /private>
SetEnvIf Remote_Addr "^127\." local
SetEnvIf dontlog "1" !dontlog
UnsetEnv site
</Location>
LogFormat "%U %{dontlog}e %{client}e %{moz}e %{debug}e %{site}e %{local}e" envfmt
CustomLog @LOGS@/env_log envfmt
CustomLog @LOGS@/kept_log "%U %>s" env=!dontlog
CustomLog @LOGS@/errors_log "%U %>s" "expr=%{REQUEST_STATUS} -ge 400"
)cfg";

TEST(AccessLogTest, RequestEnvironmentAndConditionsMatchApache) {
    if (!apache_available()) {
        GTEST_SKIP() << "Apache 2.4 is not installed (scripts/install-deps.sh --test installs it)";
    }
    TwinSite site(kEnvConfig);
    site.write_doc("a.txt", "hello\n");
    site.write_doc("a.gif", "GIF89a");
    site.write_doc("private/p.gif", "GIF89a");
    const char* const requests[] = {
        "GET /a.gif HTTP/1.0\r\n\r\n",
        "GET /a.txt HTTP/1.0\r\nUser-Agent: CURL/8.1\r\n\r\n",
        "GET /a.txt?debug=1 HTTP/1.0\r\nUser-Agent: Mozilla/5.0\r\n\r\n",
        "GET /private/p.gif HTTP/1.0\r\n\r\n",
        "GET /private/none HTTP/1.0\r\n\r\n",
        "GET /none.gif HTTP/1.0\r\n\r\n",
    };
    for (const char* which : {"apache", "sonora"}) {
        BinaryServer server = site.server(which);
        ASSERT_TRUE(server.start()) << which << ": " << server.startup_error;
        for (const char* request : requests) {
            http_exchange(site.port(), request, 3000);
        }
        server.stop();
    }
    for (const char* log : {"env_log", "kept_log", "errors_log"}) {
        std::string apache = site.read_log("apache", log);
        EXPECT_FALSE(apache.empty()) << log;
        EXPECT_EQ(site.read_log("sonora", log), apache) << log;
    }
    // The variables really took values ($1 back-reference, SetEnv, BrowserMatch).
    EXPECT_NE(site.read_log("sonora", "env_log").find("/a.txt - curl8 - - main -\n"), std::string::npos)
        << site.read_log("sonora", "env_log");
    EXPECT_NE(site.read_log("sonora", "env_log").find("/a.txt - - 1 yes main -\n"), std::string::npos)
        << site.read_log("sonora", "env_log");
}

}  // namespace
}  // namespace sonora::test
