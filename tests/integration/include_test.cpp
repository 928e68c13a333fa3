// mod_include's INCLUDES filter on the real binary, against Apache 2.4 with
// the same configuration when it is installed: elements, include virtual and
// file through subrequests (static, nested SSI, a CGI script), exec cmd,
// errors in place (missing include, include loop, IncludesNOEXEC, Options
// without Includes), XBitHack on and full, the validators httpd drops or
// keeps (ETag, Last-Modified, no 304 from the file's), and a script's output
// parsed through SetOutputFilter.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <ctime>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr bool kWithoutFraming = true;

std::string request(const std::string& method, const std::string& path, const std::string& extra = "") {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

// Not before the files were written, not after the request: a date httpd
// takes for If-Modified-Since.
std::string now_http_date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

class SsiSite {
public:
    SsiSite()
        : site_("LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
                "LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n"
                "LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n") {
        const std::string docs = site_.root().str() + "/htdocs";
        site_.root().mkdir("cgi-bin");
        site_.root().mkdir("htdocs/noinc");
        site_.root().mkdir("htdocs/noexec");
        site_.root().mkdir("htdocs/xbit");
        site_.root().mkdir("htdocs/xfull");
        site_.root().mkdir("htdocs/validators");
        site_.root().mkdir("parsed-cgi");
        site_.append_config(
            "AddType text/html .shtml\nAddOutputFilter INCLUDES .shtml\n"
            "ScriptAlias /cgi-bin/ " + site_.root().str() + "/cgi-bin/\n"
            "ScriptAlias /parsed-cgi/ " + site_.root().str() + "/parsed-cgi/\n"
            "<Directory " + docs + ">\nOptions +Includes\nRequire all granted\n</Directory>\n"
            "<Directory " + docs + "/noinc>\nOptions -Includes\n</Directory>\n"
            "<Directory " + docs + "/noexec>\nOptions -Includes +IncludesNOEXEC\n</Directory>\n"
            "<Directory " + docs + "/xbit>\nXBitHack on\n</Directory>\n"
            "<Directory " + docs + "/xfull>\nXBitHack full\n</Directory>\n"
            "<Directory " + docs + "/validators>\nSSIETag on\nSSILastModified on\n</Directory>\n"
            "<Directory " + site_.root().str() + "/cgi-bin>\nRequire all granted\n</Directory>\n"
            "<Directory " + site_.root().str() + "/parsed-cgi>\nOptions +Includes\nSetOutputFilter INCLUDES\n"
            "Require all granted\n</Directory>\n");
    }
    TwinSite& site() { return site_; }
    void script(const std::string& relative, const std::string& body) {
        const std::string path = site_.root().write(relative, "#!/bin/sh\n" + body);
        ::chmod(path.c_str(), 0755);
    }
    void doc(const std::string& relative, const std::string& body, mode_t mode = 0644) {
        const std::string path = site_.write_doc(relative, body);
        ::chmod(path.c_str(), mode);
    }

private:
    TwinSite site_;
};

TEST(Include, AnswersAsHttpdDoes) {
    SsiSite ssi;
    ssi.script("cgi-bin/hello.cgi", "printf 'Content-Type: text/plain\\n\\n'\necho \"cgi says $QUERY_STRING\"\n");
    ssi.script("parsed-cgi/page.cgi",
               "printf 'Content-Type: text/html\\n\\n'\necho 'from script <!--#echo var=\"DOCUMENT_URI\" -->'\n");
    ssi.doc("inc.html", "included html\n");
    ssi.doc("inc2.txt", "included txt\n");
    ssi.doc("page.shtml",
            "<html>\nA <!--#echo var=\"DOCUMENT_NAME\" --> B\n"
            "<!--#include virtual=\"/inc.html\" -->\n"
            "<!--#include file=\"inc2.txt\" -->\n"
            "<!--#include virtual=\"/cgi-bin/hello.cgi?x=1\" -->\n"
            "<!--#set var=\"foo\" value=\"bar\" --><!--#echo var=\"foo\" -->\n"
            "<!--#if expr=\"v('foo') == 'bar'\" -->yes<!--#else -->no<!--#endif -->\n"
            "<!--#exec cmd=\"echo cmd-out; echo cmd-err >&2\" -->\n"
            "<!--#include virtual=\"/missing.html\" -->\n"
            "<!--#include file=\"../etc/passwd\" -->\n"
            "<!--#fsize file=\"inc2.txt\" --> <!--#echo var=\"DOCUMENT_URI\" encoding=\"entity\" -->\n"
            "<!--#echo var=\"QUERY_STRING_UNESCAPED\" -->\nend\n");
    ssi.doc("a.shtml", "A1<!--#include virtual=\"sub/b.shtml\" -->A2\n");
    ssi.doc("sub/b.shtml", "B1<!--#include virtual=\"../inc.html\" -->B2 <!--#echo var=\"DOCUMENT_NAME\" -->\n");
    ssi.doc("loop.shtml", "L<!--#include virtual=\"/loop.shtml\" -->\n");
    ssi.doc("noinc/p.shtml", "<!--#echo var=\"DOCUMENT_NAME\" -->\n");
    ssi.doc("noexec/p.shtml",
            "x<!--#exec cmd=\"echo no\" -->y<!--#include virtual=\"/cgi-bin/hello.cgi\" -->z"
            "<!--#include virtual=\"/inc.html\" -->\n");
    ssi.doc("xbit/off.html", "<!--#echo var=\"DOCUMENT_NAME\" -->\n", 0644);
    ssi.doc("xbit/on.html", "<!--#echo var=\"DOCUMENT_NAME\" -->\n", 0744);
    ssi.doc("xfull/g.html", "<!--#echo var=\"DOCUMENT_NAME\" -->\n", 0754);
    ssi.doc("validators/v.shtml", "<!--#echo var=\"DOCUMENT_NAME\" -->\n");
    const std::vector<std::string> requests = {
        request("GET", "/page.shtml?a%20b"),
        request("GET", "/a.shtml"),
        request("GET", "/loop.shtml"),
        request("GET", "/noinc/p.shtml"),
        request("GET", "/noexec/p.shtml"),
        request("GET", "/xbit/off.html"),
        request("GET", "/xbit/on.html"),
        request("GET", "/xfull/g.html"),
        request("GET", "/validators/v.shtml"),
        request("GET", "/parsed-cgi/page.cgi"),
        request("HEAD", "/page.shtml"),
        request("GET", "/xbit/on.html", "If-Modified-Since: " + now_http_date() + "\r\n"),
        request("GET", "/xfull/g.html", "If-Modified-Since: " + now_http_date() + "\r\n"),
        request("GET", "/a.shtml", "Range: bytes=0-3\r\n"),
        request("GET", "/inc.html", "Range: bytes=0-3\r\n"),
    };
    const std::vector<int> expected = {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 304, 200, 206};
    auto sonora = ssi.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << ssi.site().read_log("sonora", "error_log");

    const std::string error = "[an error occurred while processing this directive]";
    EXPECT_EQ(sonora[0].body,
              "<html>\nA page.shtml B\nincluded html\n\nincluded txt\n\ncgi says x=1\n\nbar\nyes\ncmd-out\n\n" +
                  error + "\n" + error + "\n 13  /page.shtml\na b\nend\n");
    EXPECT_EQ(sonora[0].header("Transfer-Encoding"), "chunked");  // httpd passes SSI output on before its end
    EXPECT_EQ(sonora[0].header("ETag"), "");
    EXPECT_EQ(sonora[0].header("Last-Modified"), "");
    EXPECT_EQ(sonora[1].body, "A1B1included html\nB2 a.shtml\nA2\n");
    EXPECT_EQ(sonora[2].body, std::string(11, 'L') + error + std::string(11, '\n'));
    EXPECT_EQ(sonora[3].body, "<!--#echo var=\"DOCUMENT_NAME\" -->\n");
    // httpd runs an included script under IncludesNOEXEC: only text/* is checked, and a
    // script has no type until it runs.
    EXPECT_EQ(sonora[4].body, "x" + error + "ycgi says \nzincluded html\n\n");
    EXPECT_EQ(sonora[5].body, "<!--#echo var=\"DOCUMENT_NAME\" -->\n");
    EXPECT_EQ(sonora[6].body, "on.html\n");
    EXPECT_EQ(sonora[6].header("Last-Modified"), "");
    EXPECT_NE(sonora[7].header("Last-Modified"), "");  // XBitHack full and g+x: the file's date stands
    EXPECT_NE(sonora[8].header("ETag"), "");
    EXPECT_NE(sonora[8].header("Last-Modified"), "");
    EXPECT_EQ(sonora[9].body, "from script /parsed-cgi/page.cgi\n");
    EXPECT_EQ(sonora[10].header("Content-Length"), "");
    EXPECT_EQ(sonora[11].body, "on.html\n");  // no 304 from validators the output does not have
    EXPECT_EQ(sonora[13].body, sonora[1].body);  // parsed output goes out whole, as httpd streams it
    EXPECT_EQ(sonora[14].body, "incl");          // a file no filter touches keeps its ranges

    const std::string log = ssi.site().read_log("sonora", "error_log");
    for (const std::string& line : std::vector<std::string>{
             "unable to include \"/missing.html\" in parsed file " + ssi.site().root().str() +
                 "/htdocs/page.shtml, subrequest returned 404",
             "Request exceeded the limit of 10 subrequest nesting levels",
             "mod_include: Options +Includes (or IncludesNoExec) wasn't set, INCLUDES filter removed: /noinc/p.shtml",
             "cmd-err"}) {
        EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
    }

    if (apache_available()) {
        auto apache = ssi.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << ssi.site().read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(stable_head(sonora[i], kWithoutFraming), stable_head(apache[i], kWithoutFraming)) << requests[i];
            EXPECT_EQ(sonora[i].header("Transfer-Encoding"), apache[i].header("Transfer-Encoding")) << requests[i];
            EXPECT_EQ(sonora[i].header("ETag").empty(), apache[i].header("ETag").empty()) << requests[i];
            EXPECT_EQ(sonora[i].header("Last-Modified").empty(), apache[i].header("Last-Modified").empty())
                << requests[i];
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
    }
}

// A large document streams: the client has its first bytes while a slow
// include is still running, and the whole output arrives intact.
TEST(Include, StreamsALargeDocumentAroundASlowScript) {
    SsiSite ssi;
    ssi.script("cgi-bin/slow.cgi", "printf 'Content-Type: text/plain\\n\\n'\necho before\nsleep 0.3\necho after\n");
    std::string big;
    for (int i = 0; i < 20000; ++i) {
        big += "line " + std::to_string(i) + " <!--#echo var=\"DOCUMENT_NAME\" -->\n";
    }
    ssi.doc("big.shtml", big + "<!--#include virtual=\"/cgi-bin/slow.cgi\" -->" + big);
    auto sonora = ssi.site().exchange("sonora", {request("GET", "/big.shtml")});
    ASSERT_EQ(statuses(sonora), std::vector<int>{200});
    std::string expected_half;
    for (int i = 0; i < 20000; ++i) {
        expected_half += "line " + std::to_string(i) + " big.shtml\n";
    }
    EXPECT_EQ(sonora[0].body, expected_half + "before\nafter\n" + expected_half);
}

// Options as httpd's bits, SetEnvIfExpr's captures seen by SSI, restricted
// ap_expr, and an unknown filter name: each against Apache when installed.
TEST(Include, OptionsAndVariablesAsHttpd) {
    SsiSite ssi;
    const std::string docs = ssi.site().root().str() + "/htdocs";
    ssi.site().root().mkdir("htdocs/limited");
    ssi.site().root().mkdir("htdocs/withexec");
    ssi.site().root().mkdir("htdocs/withexec/noexec");
    ssi.site().root().mkdir("htdocs/env");
    ssi.site().root().mkdir("htdocs/env2");
    ssi.site().root().mkdir("htdocs/unknown");
    ssi.site().append_config(
        "LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n"
        "<Directory " + docs + "/limited>\nOptions None\nAllowOverride Options=IncludesNOEXEC\n</Directory>\n"
        "<Directory " + docs + "/withexec>\nOptions Includes\n</Directory>\n"
        "<Directory " + docs + "/withexec/noexec>\nOptions +IncludesNOEXEC\n</Directory>\n"
        "<Directory " + docs + "/env>\n"
        "SetEnvIfExpr \"%{REQUEST_URI} =~ /\\.(sh)tml$/\" ONE=$0 TWO=$1\n"
        "SetEnvIfExpr \"%{REQUEST_URI} !~ /nothing/\" THREE=$1\n</Directory>\n"
        "<Directory " + docs + "/env2>\nSetEnvIfExpr \"%{REQUEST_URI} !~ /nothing/\" THREE=$1\n</Directory>\n"
        "<Directory " + docs + "/unknown>\nSetOutputFilter NOPE\n</Directory>\n");
    const std::string exec = "<!--#exec cmd=\"echo ran\" -->\n";
    ssi.doc("limited/.htaccess", "Options +Includes\n");
    ssi.doc("limited/p.shtml", exec);
    ssi.doc("withexec/noexec/p.shtml", exec);
    const std::string echoes = "<!--#echo var=\"ONE\" -->|<!--#echo var=\"TWO\" -->|<!--#echo var=\"THREE\" -->\n";
    ssi.doc("env/p.shtml", echoes);
    ssi.doc("env2/p.shtml", echoes);
    ssi.doc("restrict.shtml", "<!--#if expr=\"-e '/etc/passwd'\" -->yes<!--#endif -->\n");
    ssi.doc("unknown/u.html", "plain\n");
    const std::vector<std::string> requests = {request("GET", "/limited/p.shtml"),
                                               request("GET", "/withexec/noexec/p.shtml"),
                                               request("GET", "/env/p.shtml"), request("GET", "/restrict.shtml"),
                                               request("GET", "/unknown/u.html")};
    const std::vector<int> expected = {500, 200, 200, 200, 200};
    auto sonora = ssi.site().exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << ssi.site().read_log("sonora", "error_log");
    const std::string error = "[an error occurred while processing this directive]";
    EXPECT_EQ(sonora[1].body, error + "\n");  // +IncludesNOEXEC under Includes takes exec away
    EXPECT_EQ(sonora[2].body, ".shtml|sh|sh\n");  // the pass's last captures, as httpd's one match array
    // Nothing captured yet: the value as written (httpd-tests' expectation;
    // Apache 2.4.71 logs AH01505 and its child crashes here, so no comparison).
    const auto first = ssi.site().exchange("sonora", {request("GET", "/env2/p.shtml")});
    ASSERT_EQ(statuses(first), std::vector<int>{200});
    EXPECT_EQ(first[0].body, "(none)|(none)|$1\n");
    EXPECT_EQ(sonora[3].body, error + "\n");      // file tests are refused in SSI conditions
    EXPECT_EQ(sonora[4].body, "plain\n");
    const std::string log = ssi.site().read_log("sonora", "error_log");
    EXPECT_NE(log.find("Option Includes not allowed here"), std::string::npos) << log;
    EXPECT_NE(log.find("-e not available in restricted context"), std::string::npos) << log;
    EXPECT_NE(log.find("SN00082: an unknown filter was not added: NOPE"), std::string::npos) << log;
    if (apache_available()) {
        auto apache = ssi.site().exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << ssi.site().read_log("apache", "error_log");
        for (std::size_t i = 1; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
    }
}

}  // namespace
}  // namespace sonora::test
