// Input filters on the real binary, against Apache 2.4 with the same
// configuration when it is installed: mod_deflate's DEFLATE input filter
// (SetInputFilter and AddInputFilter: a gzip body inflated for a script,
// its size and ratio limits, a bad stream, the same before a static file), and mod_request's KeptBodySize
// (a POST carried into an SSI include virtual, a body over the size).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

std::string gzip(const std::string& plain) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, plain.size()) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

std::string chunked_post(const std::string& path, const std::string& body, const std::string& extra = "") {
    std::string out = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra +
                      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    for (std::size_t pos = 0; pos < body.size(); pos += 1000) {
        const std::string piece = body.substr(pos, 1000);
        char size[16];
        std::snprintf(size, sizeof size, "%zx", piece.size());
        out += std::string(size) + "\r\n" + piece + "\r\n";
    }
    return out + "0\r\n\r\n";
}

std::string get(const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

class InputSite {
public:
    explicit InputSite(const std::string& extra = "")
        : site_(extra + "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
                "LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n"
                "LoadModule deflate_module /usr/lib/apache2/modules/mod_deflate.so\n"
                "LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n"
                "LoadModule request_module /usr/lib/apache2/modules/mod_request.so\n") {
        const std::string root = site_.root().str();
        site_.root().mkdir("cgi-bin");
        site_.root().mkdir("htdocs/doc");
        site_.root().mkdir("htdocs/kb");
        site_.root().mkdir("htdocs/ext");
        site_.append_config(
            "ScriptAlias /cgi-bin/ " + root + "/cgi-bin/\n"
            "ScriptAlias /in/ " + root + "/cgi-bin/\n"
            "ScriptAlias /inlim/ " + root + "/cgi-bin/\n"
            "<Directory " + root + "/cgi-bin>\nRequire all granted\n</Directory>\n"
            "<Location /in/>\nSetInputFilter DEFLATE\n</Location>\n"
            "<Location /inlim/>\nSetInputFilter DEFLATE\nDeflateInflateLimitRequestBody 1000\n</Location>\n"
            "<Directory " + root + "/htdocs/doc>\nSetInputFilter DEFLATE\n</Directory>\n"
            "AddType text/html .shtml\nAddOutputFilter INCLUDES .shtml\n"
            "<Directory " + root + "/htdocs/kb>\nOptions +Includes\nKeptBodySize 32\n</Directory>\n"
            "<Directory " + root + "/htdocs/ext>\nOptions +ExecCGI\nAddHandler cgi-script .cgi\n"
            "AddInputFilter DEFLATE .cgi\n</Directory>\n");
        const std::string echo =
            "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
            "echo \"$REQUEST_METHOD ${CONTENT_LENGTH-none} ${HTTP_CONTENT_ENCODING-none}\"\ncat\n";
        for (const std::string& path :
             {site_.root().write("cgi-bin/echo.cgi", echo), site_.write_doc("ext/echo.cgi", echo)}) {
            ::chmod(path.c_str(), 0755);
        }
        site_.write_doc("doc/f.txt", "static\n");
        site_.write_doc("kb/post.shtml",
                        "<!--#echo var=\"DOCUMENT_NAME\" -->\n<!--#include virtual=\"/cgi-bin/echo.cgi\" -->\n");
    }
    TwinSite& site() { return site_; }

private:
    TwinSite site_;
};

const std::string kGzip = "Content-Encoding: gzip\r\n";

TEST(InputFilter, DeflateAndKeptBodyAsHttpd) {
    InputSite in;
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += "line " + std::to_string(i) + "\n";
    }
    const std::string packed = gzip(text);
    const std::string bomb = gzip(std::string(4 << 20, '\0'));  // a ratio far over 200
    const std::vector<std::string> requests = {
        post("/in/echo.cgi", packed, kGzip),                           // 0 inflated for the script
        post("/in/echo.cgi", "plain body", ""),                        // 1 not gzip: passed as it is
        post("/inlim/echo.cgi", packed, kGzip),                        // 2 over DeflateInflateLimitRequestBody
        post("/in/echo.cgi", "not gzip at all", kGzip),                // 3 bad header
        post("/in/echo.cgi", bomb, kGzip),                             // 4 ratio limit
        post("/in/echo.cgi", packed.substr(0, packed.size() - 6), kGzip),  // 5 cut short
        chunked_post("/in/echo.cgi", packed, kGzip),                   // 6 chunked
        post("/doc/f.txt", packed, kGzip),                             // 7 before a static file
        post("/doc/f.txt", "not gzip at all", kGzip),                  // 8 ... whose body is bad
        post("/kb/post.shtml", "foo=bar&foo2=bar2"),                   // 9 the POST reaches the include
        post("/kb/post.shtml", "foo=bar&foo2=bar2&foo3=bar3&foo4=bar4"),  // 10 over KeptBodySize
        get("/kb/post.shtml"),                                         // 11 a kept body of nothing
        chunked_post("/kb/post.shtml", "a=b"),                         // 12 chunked, kept
        post("/ext/echo.cgi", packed, kGzip),                          // 13 AddInputFilter by extension
    };
    const std::vector<int> expected = {200, 200, 413, 400, 400, 400, 200, 200, 400, 200, 413, 200, 200, 200};
    auto sonora = in.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << in.site().read_log("sonora", "error_log");

    EXPECT_EQ(sonora[0].body, "POST " + std::to_string(packed.size()) + " gzip\n" + text);
    EXPECT_EQ(sonora[1].body, "POST 10 none\nplain body");
    EXPECT_EQ(sonora[6].body, "POST none gzip\n" + text);
    EXPECT_EQ(sonora[7].body, "static\n");
    EXPECT_EQ(sonora[9].body, "post.shtml\nPOST 17 none\nfoo=bar&foo2=bar2\n");
    EXPECT_EQ(sonora[11].body, "post.shtml\nGET 0 none\n\n");
    EXPECT_EQ(sonora[12].body, "post.shtml\nPOST 3 none\na=b\n");
    EXPECT_EQ(sonora[13].body, sonora[0].body);

    const std::string log = in.site().read_log("sonora", "error_log");
    for (const std::string& line : std::vector<std::string>{
             "SN02648: Inflated content length of", "is larger than the configured limit of 1000",
             "SN01387: Zlib: Invalid header",
             "SN02650: Inflated content ratio is larger than the configured limit 200 by 3 time(s)",
             "SN02481: Encountered premature end-of-stream while inflating",
             "SN01412: Requested content-length of 37 is larger than the configured limit of 32"}) {
        EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
    }

    if (apache_available()) {
        auto apache = in.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << in.site().read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            if (expected[i] == 200) {
                EXPECT_EQ(sonora[i].body, apache[i].body) << i;
            }
        }
    }
}

// A large gzip body streams through to a script that answers as it reads:
// nothing waits for the whole body, and every byte arrives in order.
TEST(InputFilter, LargeGzipBodyStreamsToTheScript) {
    InputSite in;
    std::string text;
    for (int i = 0; i < 300000; ++i) {
        text += std::to_string(i) + "\n";
    }
    const std::string packed = gzip(text);
    auto sonora = in.site().exchange("sonora", {post("/in/echo.cgi", packed, kGzip)});
    ASSERT_EQ(statuses(sonora), std::vector<int>{200});
    const std::string head = "POST " + std::to_string(packed.size()) + " gzip\n";
    ASSERT_EQ(sonora[0].body.size(), head.size() + text.size());
    EXPECT_TRUE(sonora[0].body == head + text);
}

// A client that stops sending the body of a request for a file under an
// input filter gets 408 after Timeout, as httpd's default handler reading
// the body to discard it; the server is not held.
TEST(InputFilter, AStalledBodyBeforeAFileTimesOut) {
    InputSite in("Timeout 1\n");
    const std::string head = "POST /doc/f.txt HTTP/1.1\r\nHost: localhost\r\n" + kGzip +
                             "Content-Length: 1000\r\nConnection: close\r\n\r\n";
    const std::vector<std::string> requests = {head + gzip("x").substr(0, 10)};
    auto sonora = in.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), std::vector<int>{408}) << in.site().read_log("sonora", "error_log");
    if (apache_available()) {
        auto apache = in.site().exchange("apache", requests);
        EXPECT_EQ(statuses(apache), statuses(sonora));
    }
}

}  // namespace
}  // namespace sonora::test
