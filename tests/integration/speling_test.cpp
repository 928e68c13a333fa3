// mod_speling on the real binary, against Apache 2.4 with the same
// configuration when it is installed: a GET for a missing file is a 301 to
// the one name it was likely meant to be (case, one letter wrong, missing,
// extra or swapped, a directory name too), or a 300 listing the candidates
// (several as good, or names sharing only the part before the first dot);
// CheckCaseOnly corrects case alone; nothing happens without CheckSpelling,
// for other methods, or below a section that sets only CheckCaseOnly.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules = "LoadModule speling_module /usr/lib/apache2/modules/mod_speling.so\n";

class Speling : public ::testing::Test {
protected:
    Speling() : site(kModules) {
        for (const char* dir : {"nocase", "caseonly"}) {
            for (const char* name : {"good.html", "several1.html", "several2.html"}) {
                site.write_doc(std::string(dir) + "/" + name, "x\n");
            }
        }
        site.write_doc("nocase/sub/x.html", "x\n");
        site.write_doc("nocase/inner/good.html", "x\n");
        site.write_doc("off/good.html", "x\n");
        site.write_doc("ht/good.html", "x\n");
        site.write_doc("ht/.htaccess", "CheckSpelling on\n");
        const std::string docs = site.root().str() + "/htdocs";
        site.append_config("LogLevel info\n"
                           "<Directory " + docs + ">\nRequire all granted\n</Directory>\n"
                           "<Directory " + docs + "/nocase>\nCheckSpelling on\n</Directory>\n"
                           "<Directory " + docs + "/nocase/inner>\nCheckCaseOnly on\n</Directory>\n"
                           "<Directory " + docs + "/caseonly>\nCheckSpelling on\nCheckCaseOnly on\n</Directory>\n"
                           "<Directory " + docs + "/ht>\nAllowOverride Options\n</Directory>\n");
    }

    // The requests' Host names no port: under UseCanonicalName Off the
    // redirect names none either, as httpd's ap_construct_url.
    static std::string url(const std::string& path) { return "http://localhost" + path; }

    // Sonora's answers, checked against `expected`; Apache's, where it is
    // installed, must be the same byte for byte in status, Location and body.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                EXPECT_EQ(sonora[i].header("Location"), apache[i].header("Location")) << requests[i];
                EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
            }
        }
        return sonora;
    }

    TwinSite site;
};

TEST_F(Speling, OneLikelyNameIsAPermanentRedirect) {
    auto rs = expect_both({get_request("/nocase/GOOD.html"), get_request("/nocase/god.html?a=b&c"),
                           get_request("/nocase/godo.html"), get_request("/nocase/goood.html"),
                           get_request("/nocase/go_d.html"), get_request("/nocase/SUB/x.html"),
                           "HEAD /nocase/GOOD.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"},
                          {301, 301, 301, 301, 301, 301, 301});
    ASSERT_EQ(rs.size(), 7u);
    EXPECT_EQ(rs[0].header("Location"), url("/nocase/good.html"));
    EXPECT_NE(rs[0].body.find("<a href=\"" + url("/nocase/good.html") + "\">here</a>"), std::string::npos);
    EXPECT_EQ(rs[1].header("Location"), url("/nocase/good.html?a=b&c"));
    EXPECT_EQ(rs[2].header("Location"), url("/nocase/good.html"));
    EXPECT_EQ(rs[3].header("Location"), url("/nocase/good.html"));
    EXPECT_EQ(rs[4].header("Location"), url("/nocase/good.html"));
    EXPECT_EQ(rs[5].header("Location"), url("/nocase/sub/x.html"));
    EXPECT_EQ(rs[6].header("Location"), url("/nocase/good.html"));
    EXPECT_NE(site.read_log("sonora", "error_log").find("[speling:info]"), std::string::npos);
    EXPECT_NE(site.read_log("sonora", "error_log")
                  .find("SN03225: Fixed spelling: /nocase/GOOD.html to /nocase/good.html"),
              std::string::npos);
}

TEST_F(Speling, SeveralCandidatesAreListedWithMultipleChoices) {
    auto rs = expect_both({get_request("/nocase/several0.html"), get_request("/nocase/good.wrong_ext"),
                           get_request("/nocase/GOOD.wrong_ext"), get_request("/caseonly/good.wrong_ext")},
                          {300, 300, 300, 300});
    ASSERT_EQ(rs.size(), 4u);
    const std::string& list = rs[0].body;
    EXPECT_NE(list.find("<title>300 Multiple Choices</title>"), std::string::npos);
    EXPECT_NE(list.find("The document name you requested (<code>/nocase/several0.html</code>) could not be found"),
              std::string::npos);
    EXPECT_NE(list.find("<li><a href=\"/nocase/several1.html\">/nocase/several1.html</a> (mistyped character)\n"),
              std::string::npos);
    EXPECT_NE(list.find("<li><a href=\"/nocase/several2.html\">/nocase/several2.html</a> (mistyped character)\n"),
              std::string::npos);
    EXPECT_EQ(rs[0].header("Location"), "");
    EXPECT_NE(rs[1].body.find("<li><a href=\"/nocase/good.html\">/nocase/good.html</a> (common basename)\n"),
              std::string::npos);
    EXPECT_NE(rs[3].body.find("/caseonly/good.html</a> (common basename)"), std::string::npos);
}

TEST_F(Speling, TheListNamesTheReferringPage) {
    auto rs = expect_both({"GET /nocase/several0.html?q=1&r=%3c HTTP/1.1\r\nHost: localhost\r\n"
                           "Referer: http://example.com/a?b=<c>&d\r\nConnection: close\r\n\r\n"},
                          {300});
    ASSERT_EQ(rs.size(), 1u);
    // httpd escapes the query into the link with the path ('?' as %3f).
    EXPECT_NE(rs[0].body.find("<a href=\"/nocase/several1.html%3fq=1&r=%253c\">"
                              "/nocase/several1.html?q=1&amp;r=%3c</a>"),
              std::string::npos);
    EXPECT_NE(rs[0].body.find("</ul>\nPlease consider informing the owner of the referring page "
                              "<tt>http://example.com/a?b=&lt;c&gt;&amp;d</tt> about the broken link.\n</body>"),
              std::string::npos);
}

TEST_F(Speling, CaseOnlyOffByDefaultAndOtherMethodsAreNotCorrected) {
    expect_both({get_request("/caseonly/god.html"), get_request("/caseonly/GOOD.html"),
                 get_request("/caseonly/several0.html"), get_request("/off/GOOD.html"),
                 "POST /nocase/GOOD.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                 get_request("/nocase/dogo.html"), get_request("/nocase/Bad.html")},
                {404, 301, 404, 404, 404, 404, 404});
}

// A section that sets any of the directives replaces the enclosing setting
// whole: CheckCaseOnly alone turns spelling off again (httpd merges nothing).
// .htaccess may set them under AllowOverride Options.
TEST_F(Speling, SectionsReplaceTheSettingAndHtaccessMaySetIt) {
    auto rs = expect_both({get_request("/nocase/inner/GOOD.html"), get_request("/ht/GOOD.html")}, {404, 301});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[1].header("Location"), url("/ht/good.html"));
}

}  // namespace
}  // namespace sonora::test
