// mod_asis on the real binary, against Apache 2.4 with the same
// configuration when it is installed: a send-as-is file's own status line
// (custom reason included), fields and body; a local Location followed
// internally; a malformed head or a bad Status as httpd answers them; HEAD
// without a length; methods other than GET served as plain files.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

std::string request(const std::string& method, const std::string& path) {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

TEST(Asis, SendsTheFilesOwnHeadAsHttpdDoes) {
    TwinSite site("LoadModule asis_module /usr/lib/apache2/modules/mod_asis.so\n");
    site.write_doc("a.asis", "Status: 299 Custom Thing\nContent-Type: Text/Plain; Charset=UTF-8\nX-Foo: bar\n\n"
                             "This is asis content.\n");
    site.write_doc("b.asis", "Content-Type: text/html\n\nhello\n");
    site.write_doc("to-b.asis", "Status: 301 Moved\nLocation: /b.asis\n\nnot sent\n");
    site.write_doc("gone.asis", "Status: 404 Gone Away\r\nContent-Type: text/plain\r\n\r\nnot here\n");
    site.write_doc("away.asis", "Status: 302\nLocation: http://example.com/x\n\nmoved\n");
    site.write_doc("merge.asis", "X-A: 1\r\nX-A: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 3\r\n\r\nabcdef");
    site.write_doc("bad.asis", "X-Ok: 1\nno colon here\nX-After: 2\n\nbody\n");
    site.write_doc("status.asis", "Status: abc\n\nbody\n");
    site.write_doc("folded.asis", "X-Folded: a\n\tb\n\nbody\n");
    site.append_config("<Directory " + site.root().str() + "/htdocs>\nRequire all granted\n"
                       "AddHandler send-as-is asis\n</Directory>\n");
    const std::vector<std::string> requests = {
        request("GET", "/a.asis"),     request("GET", "/to-b.asis"),  request("GET", "/gone.asis"),
        request("GET", "/away.asis"),  request("GET", "/merge.asis"), request("GET", "/bad.asis"),
        request("GET", "/status.asis"), request("GET", "/folded.asis"), request("GET", "/missing.asis"),
        request("HEAD", "/a.asis"),    request("POST", "/b.asis"),
    };
    const std::vector<int> expected = {299, 200, 404, 302, 200, 200, 500, 200, 404, 299, 200};
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");

    EXPECT_EQ(sonora[0].status_line, "HTTP/1.1 299 Custom Thing");
    EXPECT_EQ(stable_head(sonora[0]),
              "X-Foo: bar\nContent-Length: 22\nConnection: close\nContent-Type: text/plain; Charset=UTF-8\n");
    EXPECT_EQ(sonora[0].body, "This is asis content.\n");
    EXPECT_EQ(sonora[1].body, "hello\n");  // followed internally, with b.asis's own head
    EXPECT_EQ(sonora[1].header("Content-Type"), "text/html");
    EXPECT_EQ(sonora[2].status_line, "HTTP/1.1 404 Gone Away");
    EXPECT_EQ(sonora[2].body, "not here\n");
    EXPECT_EQ(sonora[3].status_line, "HTTP/1.1 302 Found");
    EXPECT_EQ(sonora[3].header("Location"), "http://example.com/x");
    EXPECT_EQ(sonora[3].body, "moved\n");
    // Repeated fields merge, cookies stay apart, the file's Content-Length is not believed.
    EXPECT_EQ(stable_head(sonora[4]),
              "X-A: 1, 2\nSet-Cookie: a=1\nSet-Cookie: b=2\nContent-Length: 6\nConnection: close\n");
    EXPECT_EQ(sonora[4].body, "abcdef");
    EXPECT_EQ(stable_head(sonora[5]), "Content-Length: 0\nConnection: close\n");  // the whole head is dropped
    EXPECT_EQ(sonora[6].body, "body\n");
    EXPECT_EQ(sonora[7].body, "");  // httpd does not fold script fields
    EXPECT_EQ(sonora[9].header("Content-Length"), "");
    EXPECT_EQ(sonora[10].body, "Content-Type: text/html\n\nhello\n");  // POST: the default handler's file

    const std::string log = site.read_log("sonora", "error_log");
    EXPECT_NE(log.find("malformed header from script 'bad.asis': Bad header: no colon here"), std::string::npos) << log;
    EXPECT_NE(log.find("Invalid status line from script 'status.asis': abc"), std::string::npos) << log;

    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i].status_line, apache[i].status_line) << requests[i];
            EXPECT_EQ(stable_head(sonora[i]), stable_head(apache[i])) << requests[i];
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
    }
}

}  // namespace
}  // namespace sonora::test
