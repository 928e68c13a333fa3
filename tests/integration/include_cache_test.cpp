// The SSI document cache on the real binary (beyond Apache): a parsed page
// and the .shtml it includes answer the same bytes from the kept scan as
// from the first scan, still evaluate per request, and follow the file when
// it changes on disk (content and mtime, size, a new inode); a document read
// in pieces replays as well, and its truncation is survived.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace sonora::test {
namespace {

std::string get(int port, const std::string& path) {
    return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
}

std::string body_of(const std::string& raw) {
    const auto rs = parse_responses(raw);
    return rs.empty() ? std::string("(no response)") : rs.front().body;
}

// The response without its Date line: what must be the same bytes twice.
std::string without_date(std::string raw) {
    const std::size_t at = raw.find("\r\nDate: ");
    if (at != std::string::npos) {
        raw.erase(at, raw.find("\r\n", at + 2) - at);
    }
    return raw;
}

void set_mtime(const std::string& path, std::time_t when) {
    const timespec times[2] = {{when, 0}, {when, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// The server's file cache sees a change once its stat is older than 1 s.
void let_the_stat_expire() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

TEST(IncludeCache, CachedScanFollowsTheFile) {
    TwinSite site("LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n");
    const std::string docs = site.root().str() + "/htdocs";
    site.append_config("AddType text/html .shtml\nAddOutputFilter INCLUDES .shtml\n"
                       "<Directory " + docs + ">\nOptions +Includes\nRequire all granted\n</Directory>\n");
    const std::string page = site.write_doc(
        "page.shtml",
        "[<!--#include virtual=\"/nested.shtml\" -->|<!--#echo var=\"DOCUMENT_URI\" -->|"
        "<!--#if expr=\"%{QUERY_STRING} == 'x'\" -->X<!--#else -->Y<!--#endif -->|<!--#bad]\n");
    site.write_doc("nested.shtml", "n1 <!--#echo var=\"DOCUMENT_NAME\" -->");  // the parent's variables, as httpd
    set_mtime(page, 1'600'000'000);
    struct stat st0 {};
    ASSERT_EQ(::stat(page.c_str(), &st0), 0);

    BinaryServer server = site.server("sonora");
    server.run_under({}, {"-X"});  // one thread: the second request is the cache's
    ASSERT_TRUE(server.start()) << server.startup_error;
    const int port = site.port();
    const std::string error = "[an error occurred while processing this directive]";

    const std::string first = get(port, "/page.shtml?x");
    EXPECT_EQ(body_of(first), "[n1 page.shtml|/page.shtml|X|" + error);
    const std::string second = get(port, "/page.shtml?x");
    EXPECT_EQ(without_date(second), without_date(first));
    EXPECT_EQ(body_of(get(port, "/page.shtml?y")), "[n1 page.shtml|/page.shtml|Y|" + error);

    // The same size, another content, another mtime; in place (same inode).
    site.write_doc("page.shtml",
                   "{<!--#include virtual=\"/nested.shtml\" -->|<!--#echo var=\"DOCUMENT_NAME\"-->|"
                   "<!--#if expr=\"%{QUERY_STRING} == 'x'\" -->x<!--#else -->y<!--#endif -->|<!--#bad}\n");
    struct stat st {};
    ASSERT_EQ(::stat(page.c_str(), &st), 0);
    ASSERT_EQ(st.st_size, st0.st_size);
    set_mtime(page, 1'600'000'100);
    let_the_stat_expire();
    EXPECT_EQ(body_of(get(port, "/page.shtml?x")), "{n1 page.shtml|page.shtml|x|" + error);

    // The included document changes size.
    site.write_doc("nested.shtml", "n2 is longer <!--#echo var=\"DOCUMENT_URI\" -->");
    let_the_stat_expire();
    EXPECT_EQ(body_of(get(port, "/page.shtml?y")), "{n2 is longer /page.shtml|page.shtml|y|" + error);
    const std::string again = get(port, "/page.shtml?y");
    EXPECT_EQ(body_of(again), "{n2 is longer /page.shtml|page.shtml|y|" + error);

    // Replaced by another file (a new inode) with the old size and mtime.
    const std::string fresh = site.write_doc("fresh.tmp",
                                             "<<!--#include virtual=\"/nested.shtml\" -->|<!--#echo var=\"QUERY_STRING\""
                                             " -->|<!--#if expr=\"%{QUERY_STRING} == 'x'\" -->1<!--#else -->2"
                                             "<!--#endif -->|<!--#bad>\n");
    struct stat old_st {};
    ASSERT_EQ(::stat(page.c_str(), &old_st), 0);
    struct stat fresh_st {};
    ASSERT_EQ(::stat(fresh.c_str(), &fresh_st), 0);
    ASSERT_EQ(fresh_st.st_size, old_st.st_size);
    set_mtime(fresh, 1'600'000'100);
    ASSERT_EQ(std::rename(fresh.c_str(), page.c_str()), 0);
    let_the_stat_expire();
    EXPECT_EQ(body_of(get(port, "/page.shtml?x")), "<n2 is longer /page.shtml|x|1|" + error);
    EXPECT_EQ(body_of(get(port, "/page.shtml?x")), "<n2 is longer /page.shtml|x|1|" + error);
    server.stop();
}

// A document larger than the file cache keeps in memory is read in pieces
// the first time (elements cut between them) and replayed after; truncated
// under the server, it is scanned again once the change is seen.
TEST(IncludeCache, LargeDocumentReplaysAndSurvivesTruncation) {
    TwinSite site("LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n");
    const std::string docs = site.root().str() + "/htdocs";
    site.append_config("AddType text/html .shtml\nAddOutputFilter INCLUDES .shtml\n"
                       "<Directory " + docs + ">\nOptions +Includes\nRequire all granted\n</Directory>\n");
    std::string doc;
    std::string expected;
    for (int i = 0; doc.size() < 200 * 1024; ++i) {
        doc += "row " + std::to_string(i) + " <!--#echo var=\"DOCUMENT_NAME\" --> <!--#if expr=\"-z '' \" -->t<!--#endif -->\n";
        expected += "row " + std::to_string(i) + " big.shtml t\n";
    }
    const std::string path = site.write_doc("big.shtml", doc);

    BinaryServer server = site.server("sonora");
    server.run_under({}, {"-X"});
    ASSERT_TRUE(server.start()) << server.startup_error;
    const int port = site.port();
    const std::string first = get(port, "/big.shtml");
    EXPECT_EQ(body_of(first), expected);
    EXPECT_EQ(without_date(get(port, "/big.shtml")), without_date(first));
    EXPECT_EQ(without_date(get(port, "/big.shtml")), without_date(first));

    ASSERT_EQ(::truncate(path.c_str(), 1000), 0);
    (void)get(port, "/big.shtml");  // the stat may still be the old one: whatever it answers, it answers
    let_the_stat_expire();
    const std::string shorter = body_of(get(port, "/big.shtml"));
    EXPECT_LT(shorter.size(), 1000u);
    EXPECT_TRUE(expected.starts_with(shorter.substr(0, shorter.rfind('\n') + 1))) << shorter;
    EXPECT_TRUE(server.running());
    server.stop();
}

}  // namespace
}  // namespace sonora::test
