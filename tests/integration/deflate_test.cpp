// mod_deflate and mod_brotli on the real binary, against Apache 2.4 with the
// same configuration when it is installed (every MPM through
// SONORA_TEST_MPM): gzip and br of static files byte for byte, Content-Length
// or chunked as Apache chooses, Vary, the ETag suffix, no-gzip from
// SetEnvIfNoCase, q=0, HEAD, tiny and empty bodies, the ratio note in the
// access log, the cache of compressed files (a second request is the same
// response), a script's output, and a client that goes away mid-body.

#include "support/client.h"
#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

// Bodies are compressed bytes: compared without printing them.
::testing::AssertionResult same_body(const Response& a, const Response& b) {
    if (a.body == b.body) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "bodies differ: " << a.body.size() << " vs " << b.body.size() << " bytes";
}

// A head's lines in sorted order. When a filter steps aside, httpd's
// Content-Length was set by the handler before the filter added Vary, and
// comes first; Sonora writes Content-Length in one place after the
// handler's fields. Same fields, other order.
std::string sorted_head(const Response& r) {
    std::vector<std::string> lines;
    std::string all = stable_head(r);
    for (std::size_t pos = 0; pos < all.size();) {
        const std::size_t end = all.find('\n', pos);
        lines.push_back(all.substr(pos, end - pos));
        pos = end + 1;
    }
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) {
        out += l + "\n";
    }
    return out;
}

std::string request(const std::string& method, const std::string& path, const std::string& extra = "") {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

// Deterministic markup-like text and noise, so both servers see the same files.
std::string page(std::size_t size) {
    static const char* const kWords[] = {"<div class=\"a\">", "</div>\n", "<p>", "</p>", "alpha ", "beta ",
                                         "gamma ", "sonora ", "filter ", "the ", "of "};
    std::string s;
    std::uint32_t x = 7;
    while (s.size() < size) {
        x = x * 1103515245u + 12345u;
        s += kWords[(x >> 16) % 11];
    }
    s.resize(size);
    return s;
}

std::string noise(std::size_t size) {
    static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string s;
    std::uint32_t x = 99;
    for (std::size_t i = 0; i < size; ++i) {
        x = x * 1664525u + 1013904223u;
        s += (i % 77 == 76) ? '\n' : kAlphabet[x >> 26];
    }
    return s;
}

const std::string kModules =
    "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    "LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n"
    "LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so\n"
    "LoadModule brotli_module /usr/lib/apache2/modules/mod_brotli.so\n";

class DeflateSite {
public:
    DeflateSite()
        : site_(kModules +
                "LogFormat \"%r %s %{ratio}n %{in}n %{out}n\" ratio\nCustomLog @LOGS@/ratio_log ratio\n"
                "DeflateFilterNote ratio\nDeflateFilterNote Input in\nDeflateFilterNote Output out\n"
                "SetEnvIfNoCase User-Agent nogz no-gzip\n") {
        const std::string root = site_.root().str();
        site_.root().mkdir("cgi-bin");
        site_.write_doc("page.html", page(102400));
        site_.write_doc("mid.html", page(20000));
        site_.write_doc("small.html", "<html>hi</html>\n");
        site_.write_doc("s68.html", page(68));
        site_.write_doc("s69.html", page(69));
        site_.write_doc("empty.html", "");
        site_.write_doc("noise.txt", noise(300000));
        script("cgi-bin/pause.cgi",
               "echo 'Content-Type: text/html'\necho\ni=0\nwhile [ $i -lt 20 ]; do echo \"<p>line $i of it</p>\"; "
               "i=$((i+1)); done\nsleep 1\necho '<p>after the pause</p>'\n");
        script("cgi-bin/noise.cgi", "echo 'Content-Type: text/plain'\necho\ncat " + root + "/htdocs/noise.txt\n"
               "sleep 1\necho end\n");
        site_.append_config("<Directory " + root + "/htdocs>\nRequire all granted\n</Directory>\n"
                            "<Location />\nSetOutputFilter DEFLATE\n</Location>\n"
                            "Alias /br/ " + root + "/htdocs/\n<Location /br/>\nSetOutputFilter BROTLI_COMPRESS\n</Location>\n"
                            "ScriptAlias /cgi-bin/ " + root + "/cgi-bin/\n<Directory " + root +
                            "/cgi-bin>\nRequire all granted\n</Directory>\n");
    }
    TwinSite& site() { return site_; }

private:
    void script(const std::string& relative, const std::string& body) {
        const std::string path = site_.root().write(relative, "#!/bin/sh\n" + body);
        ::chmod(path.c_str(), 0755);
    }
    TwinSite site_;
};

const std::string kGzip = "Accept-Encoding: gzip, deflate\r\n";

TEST(Deflate, StaticFilesAsApacheByteForByte) {
    DeflateSite d;
    const std::vector<std::string> requests = {
        request("GET", "/page.html", kGzip),
        request("GET", "/page.html", kGzip),  // the cached form
        request("GET", "/mid.html", kGzip),
        request("GET", "/small.html", kGzip),
        request("GET", "/s68.html", kGzip),
        request("GET", "/s69.html", kGzip),
        request("GET", "/empty.html", kGzip),
        request("GET", "/noise.txt", kGzip),  // a buffer fills before the end: chunked
        request("GET", "/page.html"),
        request("GET", "/page.html", "Accept-Encoding: gzip;q=0\r\n"),
        request("GET", "/page.html", kGzip + "User-Agent: NoGz/1\r\n"),
        request("HEAD", "/page.html", kGzip),
        request("GET", "/br/page.html", "Accept-Encoding: br\r\n"),
        request("GET", "/br/empty.html", "Accept-Encoding: br\r\n"),
        request("GET", "/br/noise.txt", "Accept-Encoding: gzip, br\r\n"),
        request("GET", "/br/small.html", kGzip),
    };
    auto sonora = d.site().exchange("sonora", requests);
    ASSERT_EQ(sonora.size(), requests.size()) << d.site().read_log("sonora", "error_log");
    EXPECT_EQ(sonora[0].header("Content-Encoding"), "gzip");
    EXPECT_EQ(sonora[0].header("Vary"), "Accept-Encoding");
    EXPECT_NE(sonora[0].header("Content-Length"), "");
    EXPECT_EQ(sonora[0].header("ETag").substr(sonora[0].header("ETag").size() - 6), "-gzip\"");
    EXPECT_TRUE(same_body(sonora[0], sonora[1]));
    EXPECT_EQ(sonora[0].head, sonora[1].head);
    EXPECT_EQ(sonora[3].header("Vary"), "") << "too small to compress";
    EXPECT_EQ(sonora[4].header("Content-Encoding"), "");
    EXPECT_EQ(sonora[5].header("Content-Encoding"), "gzip");
    EXPECT_EQ(sonora[7].header("Transfer-Encoding"), "chunked");
    EXPECT_EQ(sonora[8].header("Vary"), "Accept-Encoding");
    EXPECT_TRUE(sonora[8].body == page(102400));
    EXPECT_EQ(sonora[10].header("Vary"), "") << "no-gzip";
    EXPECT_EQ(sonora[12].header("Content-Encoding"), "br");
    EXPECT_EQ(sonora[13].body.size(), 1u);
    const std::string log = mask_times(d.site().read_log("sonora", "ratio_log"));
    EXPECT_NE(log.find("GET /page.html HTTP/1.1 200 "), std::string::npos) << log;

    if (apache_available()) {
        auto apache = d.site().exchange("apache", requests);
        ASSERT_EQ(apache.size(), requests.size());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            EXPECT_EQ(sonora[i].status_line, apache[i].status_line) << requests[i];
            EXPECT_EQ(sorted_head(sonora[i]), sorted_head(apache[i])) << requests[i];
            EXPECT_TRUE(same_body(sonora[i], apache[i])) << requests[i];
            EXPECT_EQ(sonora[i].header("ETag").empty(), apache[i].header("ETag").empty()) << requests[i];
        }
        // A compressed response's head is Apache's line for line.
        EXPECT_EQ(stable_head(sonora[0]), stable_head(apache[0]));
        EXPECT_EQ(stable_head(sonora[7]), stable_head(apache[7]));
        EXPECT_EQ(log, mask_times(d.site().read_log("apache", "ratio_log")));
    }
}

TEST(Deflate, TheSuffixedEtagIsNotMatchedAndARangeIsOfTheCompressedBody) {
    DeflateSite d;
    // An hour old: a strong ETag, which If-Range can match.
    const std::string mid = d.site().root().str() + "/htdocs/mid.html";
    const struct utimbuf hour_ago{std::time(nullptr) - 3600, std::time(nullptr) - 3600};
    ASSERT_EQ(::utime(mid.c_str(), &hour_ago), 0);
    auto first = d.site().exchange("sonora", {request("GET", "/mid.html", kGzip)});
    ASSERT_EQ(first.size(), 1u);
    std::string etag = first[0].header("ETag");
    const std::string plain = etag.substr(0, etag.size() - 6) + "\"";
    const std::string whole = std::to_string(first[0].body.size());
    const std::vector<std::string> requests = {
        request("GET", "/mid.html", kGzip + "If-None-Match: " + etag + "\r\n"),
        request("GET", "/mid.html", kGzip + "If-None-Match: " + plain + "\r\n"),
        request("GET", "/mid.html", kGzip + "Range: bytes=0-99\r\n"),
        request("GET", "/mid.html", kGzip + "Range: bytes=0-99\r\nIf-Range: " + etag + "\r\n"),
        request("GET", "/mid.html", kGzip + "Range: bytes=0-99\r\nIf-Range: " + plain + "\r\n"),
        request("GET", "/mid.html", kGzip + "Range: bytes=0-9,20-29\r\n"),
        request("GET", "/mid.html", kGzip + "Range: bytes=" + whole + "-\r\n"),
        request("GET", "/noise.txt", kGzip + "Range: bytes=0-99\r\n"),
    };
    const std::vector<int> expected = {200, 304, 206, 206, 200, 206, 416, 200};
    auto sonora = d.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected);
    // Apache 2.4.71 likewise: 200 for the suffixed tag, and a 304 without Vary.
    EXPECT_EQ(sonora[1].header("Vary"), "");
    EXPECT_EQ(sonora[1].header("Content-Encoding"), "");
    // httpd's byterange filter runs after DEFLATE and ranges a body that
    // reaches it whole: the gzip bytes, If-Range against the suffixed ETag.
    EXPECT_EQ(sonora[2].header("Content-Encoding"), "gzip");
    EXPECT_EQ(sonora[2].header("Content-Range"), "bytes 0-99/" + whole);
    EXPECT_TRUE(sonora[2].body == first[0].body.substr(0, 100));
    EXPECT_TRUE(sonora[3].body == sonora[2].body);
    EXPECT_TRUE(sonora[4].body == first[0].body);
    EXPECT_EQ(sonora[5].header("Content-Type").rfind("multipart/byteranges; boundary=", 0), 0u);
    EXPECT_NE(sonora[5].body.find(first[0].body.substr(20, 10)), std::string::npos);
    // One passed on before its end (a full DeflateBufferSize) goes out whole.
    EXPECT_EQ(sonora[7].header("Content-Range"), "");
    if (apache_available()) {
        auto apache = d.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected);
        for (std::size_t i : {2u, 3u, 4u, 7u}) {
            EXPECT_TRUE(same_body(sonora[i], apache[i])) << requests[i];
            EXPECT_EQ(sonora[i].header("Content-Range"), apache[i].header("Content-Range")) << requests[i];
        }
    }
}

TEST(Deflate, AScriptsOutputIsCompressedAsApacheDoes) {
    DeflateSite d;
    const std::vector<std::string> requests = {request("GET", "/cgi-bin/pause.cgi", kGzip),
                                               request("GET", "/cgi-bin/noise.cgi", kGzip)};
    auto sonora = d.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), (std::vector<int>{200, 200})) << d.site().read_log("sonora", "error_log");
    EXPECT_EQ(sonora[0].header("Content-Encoding"), "gzip");
    EXPECT_EQ(sonora[1].header("Transfer-Encoding"), "chunked");
    if (apache_available()) {
        auto apache = d.site().exchange("apache", requests);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            EXPECT_EQ(stable_head(sonora[i]), stable_head(apache[i])) << requests[i];
            EXPECT_TRUE(same_body(sonora[i], apache[i])) << requests[i];
        }
    }
}

TEST(Deflate, AClientThatLeavesMidBodyCostsNothingLater) {
    DeflateSite d;
    BinaryServer server = d.site().server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    for (int i = 0; i < 3; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(d.site().port()));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        const std::string req = request("GET", i == 1 ? "/cgi-bin/noise.cgi" : "/noise.txt", kGzip);
        ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
        char buf[100];
        ASSERT_GT(::read(fd, buf, sizeof buf), 0);
        ::close(fd);
    }
    KeepAliveClient client(d.site().port());
    auto r = client.get("/page.html");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body == page(102400));
    server.stop();
}

}  // namespace
}  // namespace sonora::test
