// mod_cgi on the real binary, against Apache 2.4 with the same configuration
// when it is installed: the CGI environment, the script's head (Status,
// Location local and remote, merged fields), nph- scripts, what httpd answers
// for a missing script, a directory, ExecCGI off, a file it cannot run, no
// output and malformed output; stderr in the error log; request bodies
// streamed both ways; chunked output; the timeout; RLimitCPU; keep-alive and
// pipelining around a script. Scripts are POSIX sh.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace sonora::test {
namespace {

// Whether a script's body goes with a Content-Length or chunked depends on
// whether the script had ended when its head was read (with httpd as with
// Sonora), so heads are compared without their framing.
constexpr bool kWithoutFraming = true;

std::string request(const std::string& method, const std::string& path, const std::string& extra = "") {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

class CgiSite {
public:
    explicit CgiSite(const std::string& extra = "")
        : site_("LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
                "LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n" + extra) {
        site_.root().mkdir("cgi-bin");
        site_.root().mkdir("cgi-bin/adir");
        site_.root().mkdir("htdocs/plain");
        const std::string bin = site_.root().str() + "/cgi-bin/";
        site_.append_config("ScriptAlias /cgi-bin/ " + bin + "\n<Directory " + bin +
                            ">\nRequire all granted\n</Directory>\n<Directory " + site_.root().str() +
                            "/htdocs>\nRequire all granted\n</Directory>\n<Directory " + site_.root().str() +
                            "/htdocs/plain>\nAddHandler cgi-script .cgi\n</Directory>\n");
    }
    TwinSite& site() { return site_; }
    void script(const std::string& relative, const std::string& body, mode_t mode = 0755) {
        const std::string path = site_.root().write(relative, "#!/bin/sh\n" + body);
        ::chmod(path.c_str(), mode);
    }

private:
    TwinSite site_;
};

TEST(Cgi, AnswersAsHttpdDoes) {
    CgiSite cgi;
    cgi.script("cgi-bin/env.cgi",
               "echo 'Content-Type: text/plain'\necho\n"
               "for v in GATEWAY_INTERFACE SERVER_PROTOCOL REQUEST_METHOD QUERY_STRING REQUEST_URI SCRIPT_NAME "
               "PATH_INFO PATH_TRANSLATED CONTENT_TYPE CONTENT_LENGTH HTTP_X_FOO_BAR HTTP_X_UNDER HTTP_AUTHORIZATION "
               "CONTEXT_PREFIX CONTEXT_DOCUMENT_ROOT SERVER_NAME SERVER_PORT SERVER_ADDR REMOTE_ADDR "
               "SCRIPT_FILENAME DOCUMENT_ROOT REQUEST_SCHEME SERVER_ADMIN; do\n"
               "  eval \"echo $v=\\${$v-unset}\"\ndone\n"
               "echo \"cwd=$(pwd) args=$*\"\necho \"body=$(cat)\"\n");
    cgi.script("cgi-bin/status.cgi",
               "echo 'Status: 404 Nope'\necho 'Content-Type: text/plain'\necho 'X-A: 1'\necho 'X-A: 2'\n"
               "echo\necho body\n");
    cgi.script("cgi-bin/local.cgi", "echo 'Location: /hello.txt'\necho\n");
    cgi.script("cgi-bin/remote.cgi", "echo 'Location: http://example.com/x'\necho\n");
    cgi.script("cgi-bin/nph-raw.cgi", "printf 'HTTP/1.1 203 NPH here\\r\\nContent-Type: text/plain\\r\\n\\r\\nraw\\n'\n");
    cgi.script("cgi-bin/empty.cgi", "exit 0\n");
    cgi.script("cgi-bin/bad.cgi", "echo 'Bad header line'\necho\n");
    cgi.script("cgi-bin/noexec.cgi", "echo 'Content-Type: text/plain'\necho\n", 0644);
    cgi.script("cgi-bin/big.cgi",
               "echo 'Content-Type: text/plain'\necho\nsleep 1\ni=0\nwhile [ $i -lt 3000 ]; do\n"
               "  echo \"line $i 0123456789012345678901234567890123456789\"\n  i=$((i+1))\ndone\n");
    cgi.script("htdocs/plain/a.cgi", "echo 'Content-Type: text/plain'\necho\necho ran\n");
    cgi.site().write_doc("hello.txt", "hello\n");
    const std::vector<std::string> requests = {
        request("POST", "/cgi-bin/env.cgi/extra/path?q=1",
                "X-Foo-Bar: 1\r\nX_Under: 2\r\nAuthorization: Basic eDp5\r\nContent-Type: text/x-test\r\n"
                "Content-Length: 3\r\n").append("a=b"),
        request("GET", "/cgi-bin/env.cgi?word1+word%202+a%3Bb"),
        request("GET", "/cgi-bin/status.cgi"),
        request("GET", "/cgi-bin/local.cgi"),
        request("GET", "/cgi-bin/remote.cgi"),
        request("GET", "/cgi-bin/nph-raw.cgi"),
        request("GET", "/cgi-bin/empty.cgi"),
        request("GET", "/cgi-bin/bad.cgi"),
        request("GET", "/cgi-bin/noexec.cgi"),
        request("GET", "/cgi-bin/missing.cgi"),
        request("GET", "/cgi-bin/adir/"),
        request("GET", "/plain/a.cgi"),
        request("GET", "/cgi-bin/big.cgi"),
        request("HEAD", "/cgi-bin/status.cgi"),
    };
    const std::vector<int> expected = {200, 200, 404, 200, 302, 203, 500, 500, 500, 404, 403, 403, 200, 404};
    auto sonora = cgi.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << cgi.site().read_log("sonora", "error_log");

    const std::string root = cgi.site().root().str();
    const std::string& env = sonora[0].body;
    for (const char* line :
         {"GATEWAY_INTERFACE=CGI/1.1", "SERVER_PROTOCOL=HTTP/1.1", "REQUEST_METHOD=POST", "QUERY_STRING=q=1",
          "REQUEST_URI=/cgi-bin/env.cgi/extra/path?q=1", "SCRIPT_NAME=/cgi-bin/env.cgi", "PATH_INFO=/extra/path",
          "CONTENT_TYPE=text/x-test", "CONTENT_LENGTH=3", "HTTP_X_FOO_BAR=1", "HTTP_X_UNDER=unset",
          "HTTP_AUTHORIZATION=unset", "CONTEXT_PREFIX=/cgi-bin/", "REQUEST_SCHEME=http", "REMOTE_ADDR=127.0.0.1",
          "SERVER_ADDR=127.0.0.1", "SERVER_NAME=localhost", "SERVER_ADMIN=[no address given]", "body=a=b"}) {
        EXPECT_NE(env.find(std::string(line) + "\n"), std::string::npos) << line << "\n" << env;
    }
    EXPECT_NE(env.find("SCRIPT_FILENAME=" + root + "/cgi-bin/env.cgi\n"), std::string::npos) << env;
    EXPECT_NE(env.find("CONTEXT_DOCUMENT_ROOT=" + root + "/cgi-bin/\n"), std::string::npos) << env;
    EXPECT_NE(env.find("cwd=" + root + "/cgi-bin args=\n"), std::string::npos) << env;
    // Decoded, then shell metacharacters escaped, as httpd passes ISINDEX words.
    EXPECT_NE(sonora[1].body.find("args=word1 word 2 a\\;b\n"), std::string::npos) << sonora[1].body;
    EXPECT_EQ(sonora[2].status_line, "HTTP/1.1 404 Nope");
    EXPECT_EQ(stable_head(sonora[2], kWithoutFraming), "X-A: 1, 2\nConnection: close\nContent-Type: text/plain\n");
    EXPECT_EQ(sonora[3].body, "hello\n");  // followed internally
    EXPECT_EQ(sonora[4].header("Location"), "http://example.com/x");
    EXPECT_EQ(sonora[5].status_line, "HTTP/1.1 203 NPH here");
    EXPECT_EQ(stable_head(sonora[5], kWithoutFraming), "Content-Type: text/plain\n");  // nothing of the server's own
    EXPECT_EQ(sonora[5].body, "raw\n");
    EXPECT_EQ(sonora[12].header("Transfer-Encoding"), "chunked");  // still running when its head was read
    EXPECT_EQ(sonora[12].body.size(), 151890u);
    EXPECT_EQ(sonora[13].body, "");

    const std::string log = cgi.site().read_log("sonora", "error_log");
    for (const std::string& line : std::vector<std::string>{
             "End of script output before headers: empty.cgi", "malformed header from script 'bad.cgi': Bad header: Bad header line",
          "SN02811: stderr from " + root + "/cgi-bin/missing.cgi: script not found or unable to stat",
          "SN02812: stderr from " + root + "/cgi-bin/adir/: attempt to invoke directory as script",
          "SN02809: stderr from " + root + "/htdocs/plain/a.cgi: Options ExecCGI is off in this directory",
          "SN01215: stderr from " + root + "/cgi-bin/noexec.cgi: (13)Permission denied: exec of '" + root +
              "/cgi-bin/noexec.cgi' failed",
          "End of script output before headers: noexec.cgi"}) {
        EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
    }

    if (apache_available()) {
        auto apache = cgi.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << cgi.site().read_log("apache", "error_log");
        for (std::size_t i = 1; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i].status_line, apache[i].status_line) << requests[i];
            EXPECT_EQ(stable_head(sonora[i], kWithoutFraming), stable_head(apache[i], kWithoutFraming)) << requests[i];
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
        // The environment but for what names the server.
        auto without_server = [](std::string s) {
            const std::size_t at = s.find("SERVER_ADMIN=");
            return s.substr(0, at);
        };
        EXPECT_EQ(without_server(sonora[0].body), without_server(apache[0].body));
    }
}

TEST(Cgi, LogsWhatTheScriptWritesToStderr) {
    CgiSite cgi;
    cgi.script("cgi-bin/err.cgi", "echo 'oops line one' >&2\necho second >&2\necho 'Content-Type: text/plain'\necho\necho hi\n");
    auto sonora = cgi.site().exchange("sonora", {request("GET", "/cgi-bin/err.cgi")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{200});
    EXPECT_EQ(sonora[0].body, "hi\n");
    const std::string log = cgi.site().read_log("sonora", "error_log");
    const std::string script = cgi.site().root().str() + "/cgi-bin/err.cgi";
    EXPECT_NE(log.find("[cgi:error]"), std::string::npos) << log;
    EXPECT_NE(log.find("[client 127.0.0.1:"), std::string::npos) << log;
    EXPECT_NE(log.find("SN01215: stderr from " + script + ": oops line one\n"), std::string::npos) << log;
    EXPECT_NE(log.find("SN01215: stderr from " + script + ": second\n"), std::string::npos) << log;
}

TEST(Cgi, StreamsRequestBodiesBothWays) {
    CgiSite cgi;
    cgi.script("cgi-bin/echo.cgi", "echo 'Content-Type: application/octet-stream'\necho\ncat\n");
    cgi.script("cgi-bin/deaf.cgi", "echo 'Content-Type: text/plain'\necho\necho ignored\n");
    cgi.site().write_doc("hello.txt", "hello\n");
    BinaryServer server = cgi.site().server("sonora");
    ASSERT_TRUE(server.start());
    // A megabyte through a script that echoes it as it reads: neither side
    // may wait for the other to finish first.
    const std::string body(1 << 20, 'x');
    std::string raw = http_exchange(server.port(),
                                    "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                                    20000);
    auto r = parse_responses(raw);
    ASSERT_EQ(r.size(), 1u) << raw.substr(0, 300);
    EXPECT_EQ(r[0].status, 200);
    EXPECT_EQ(r[0].body.size(), body.size());
    // A script that never reads its stdin still answers.
    raw = http_exchange(server.port(),
                        "POST /cgi-bin/deaf.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body,
                        20000);
    r = parse_responses(raw);
    ASSERT_GE(r.size(), 1u);
    EXPECT_EQ(r[0].body, "ignored\n");
    // A chunked body reaches the script decoded, with no CONTENT_LENGTH.
    raw = http_exchange(server.port(),
                        "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    r = parse_responses(raw);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].body, "hello world");
    // Keep-alive and pipelining around scripts: a body, then a file, then a script.
    raw = http_exchange(server.port(),
                        "POST /cgi-bin/echo.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc"
                        "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        "GET /cgi-bin/deaf.cgi HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    r = parse_responses(raw);
    ASSERT_EQ(r.size(), 3u) << raw;
    EXPECT_EQ(r[0].body, "abc");
    EXPECT_EQ(r[1].body, "hello\n");
    EXPECT_EQ(r[2].body, "ignored\n");
    // Output of unknown length is chunked; a HTTP/1.0 client gets it up to the close.
    cgi.script("cgi-bin/slowly.cgi", "echo 'Content-Type: text/plain'\necho\necho one\nsleep 0.3\necho two\n");
    raw = http_exchange(server.port(), request("GET", "/cgi-bin/slowly.cgi"));
    r = parse_responses(raw);
    ASSERT_EQ(r.size(), 1u) << raw;
    EXPECT_EQ(r[0].header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(r[0].body, "one\ntwo\n");
    raw = http_exchange(server.port(), "GET /cgi-bin/slowly.cgi HTTP/1.0\r\n\r\n");
    r = parse_responses(raw);
    ASSERT_EQ(r.size(), 1u) << raw;
    EXPECT_EQ(r[0].header("Connection"), "close");
    EXPECT_EQ(r[0].body, "one\ntwo\n");
}

TEST(Cgi, ASilentScriptTimesOutAndIsKilled) {
    CgiSite cgi("CGIScriptTimeout 1\n");
    const std::string pid_file = cgi.site().root().str() + "/cgi-bin/silent.pid";
    cgi.script("cgi-bin/silent.cgi", "echo $$ > " + pid_file + "\nwhile :; do sleep 1; done\n");
    ::chmod(cgi.site().root().str().append("/cgi-bin").c_str(), 0777);  // Apache's www-data writes the pid
    auto sonora = cgi.site().exchange("sonora", {request("GET", "/cgi-bin/silent.cgi")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{504});
    const std::string log = cgi.site().read_log("sonora", "error_log");
    EXPECT_NE(log.find("SN01220: Timeout waiting for output from CGI script"), std::string::npos) << log;
    EXPECT_NE(log.find("Script timed out before returning headers: silent.cgi"), std::string::npos) << log;
    std::ifstream in(pid_file);
    pid_t pid = 0;
    in >> pid;
    ASSERT_GT(pid, 0);
    // The server has stopped by now; the script was terminated when its
    // request ended and reaped (a zombie would still answer kill(pid, 0)).
    EXPECT_NE(::kill(pid, 0), 0);
}

TEST(Cgi, RLimitCpuBoundsTheScript) {
    CgiSite cgi("RLimitCPU 1 1\n");
    cgi.script("cgi-bin/spin.cgi", "echo 'Content-Type: text/plain'\necho\necho start\nwhile :; do :; done\n");
    const auto started = std::chrono::steady_clock::now();
    auto sonora = cgi.site().exchange("sonora", {request("GET", "/cgi-bin/spin.cgi")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{200});
    EXPECT_EQ(sonora[0].body, "start\n");
    // One CPU second, not the minute of Timeout.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

// A carriage return inside a field the script writes cannot split the
// response head: httpd's last check on the head answers a bare 500.
// A script's validators answer the request's conditions (httpd's
// ap_meets_conditions after the head, for a GET whose script set no
// Status); CGIVar REQUEST_URI current-uri; an internal redirect's target is
// decoded as a client's path (ErrorDocument).
TEST(Cgi, ValidatorsCgiVarAndRedirectTargetsAsHttpd) {
    CgiSite cgi;
    const std::string docs = cgi.site().root().str() + "/htdocs";
    cgi.site().root().mkdir("htdocs/cur");
    cgi.site().root().mkdir("htdocs/orig");
    cgi.site().append_config("<Location /cgi-bin/cur/>\nCGIVar REQUEST_URI current-uri\n</Location>\n"
                             "<Directory " + docs + "/cur>\nErrorDocument 404 \"/cgi-bin/cur/uri.cgi/p%20i?x=1\"\n</Directory>\n"
                             "<Directory " + docs + "/orig>\nErrorDocument 404 \"/cgi-bin/uri.cgi/p%20i?x=1\"\n</Directory>\n");
    cgi.site().root().mkdir("cgi-bin/cur");
    cgi.script("cgi-bin/dated.cgi",
               "printf 'Content-Type: text/plain\\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\\nETag: \"abc\"\\n\\nhello\\n'\n");
    cgi.script("cgi-bin/status.cgi",
               "printf 'Status: 200 OK\\nContent-Type: text/plain\\nETag: \"abc\"\\n\\nhello\\n'\n");
    const std::string uri = "printf 'Content-Type: text/plain\\n\\n'\necho \"$REQUEST_URI|$PATH_INFO|$QUERY_STRING\"\n";
    cgi.script("cgi-bin/uri.cgi", uri);
    cgi.script("cgi-bin/cur/uri.cgi", uri);
    const std::string since = "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n";
    const std::vector<std::string> requests = {
        request("GET", "/cgi-bin/dated.cgi", "If-None-Match: \"abc\"\r\n"),
        request("GET", "/cgi-bin/dated.cgi", since),
        request("GET", "/cgi-bin/dated.cgi", "If-Match: \"zzz\"\r\n"),
        request("GET", "/cgi-bin/dated.cgi", "If-None-Match: \"other\"\r\n"),
        request("GET", "/cgi-bin/status.cgi", "If-None-Match: \"abc\"\r\n"),
        request("POST", "/cgi-bin/dated.cgi", "If-None-Match: \"abc\"\r\nContent-Length: 0\r\n"),
        request("GET", "/cgi-bin/cur/uri.cgi/a%20b?z=1"),
        request("GET", "/cgi-bin/uri.cgi/a%20b?z=1"),
        request("GET", "/cur/no%20pe?q=1"),
        request("GET", "/orig/no%20pe?q=1"),
    };
    const std::vector<int> expected = {304, 304, 412, 200, 200, 200, 200, 200, 404, 404};
    auto sonora = cgi.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << cgi.site().read_log("sonora", "error_log");
    EXPECT_EQ(sonora[0].body, "");
    EXPECT_EQ(sonora[0].header("ETag"), "\"abc\"");
    EXPECT_EQ(sonora[0].header("Last-Modified"), "Mon, 01 Jan 2024 00:00:00 GMT");
    EXPECT_EQ(sonora[2].header("ETag"), "");  // the error page drops the script's head
    EXPECT_EQ(sonora[3].body, "hello\n");
    EXPECT_EQ(sonora[4].body, "hello\n");  // a Status field: no conditions
    EXPECT_EQ(sonora[6].body, "/cgi-bin/cur/uri.cgi/a b|/a b|z=1\n");
    EXPECT_EQ(sonora[7].body, "/cgi-bin/uri.cgi/a%20b?z=1|/a b|z=1\n");
    EXPECT_EQ(sonora[8].body, "/cgi-bin/cur/uri.cgi/p i|/p i|x=1\n");
    EXPECT_EQ(sonora[9].body, "/orig/no%20pe?q=1|/p i|x=1\n");
    if (apache_available()) {
        auto apache = cgi.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << cgi.site().read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
            EXPECT_EQ(sonora[i].header("ETag"), apache[i].header("ETag")) << requests[i];
        }
    }
}

TEST(Cgi, HeaderInjectionThroughTheScriptsHeadIsRefused) {
    CgiSite cgi;
    cgi.script("cgi-bin/inject.cgi",
               "printf 'Content-Type: text/plain\\nX-Note: a\\rSet-Cookie: evil=1\\n\\nbody\\n'\n");
    auto sonora = cgi.site().exchange("sonora", {request("GET", "/cgi-bin/inject.cgi")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{500});
    EXPECT_EQ(sonora[0].header("Set-Cookie"), "");
    EXPECT_EQ(sonora[0].head.find("evil"), std::string::npos) << sonora[0].head;
}

TEST(Cgi, WithoutTheModuleAScriptIsRefusedNotSent) {
    TwinSite site("LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n");
    site.root().mkdir("cgi-bin");
    site.root().write("cgi-bin/s.cgi", "#!/bin/sh\necho secret\n");
    site.append_config("ScriptAlias /cgi-bin/ " + site.root().str() + "/cgi-bin/\n<Directory " + site.root().str() +
                       "/cgi-bin>\nRequire all granted\n</Directory>\n");
    auto sonora = site.exchange("sonora", {request("GET", "/cgi-bin/s.cgi")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{500});
    EXPECT_EQ(sonora[0].body.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace sonora::test
