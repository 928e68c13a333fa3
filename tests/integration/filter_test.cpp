// mod_filter on the real binary, against Apache 2.4 with the same
// configuration when it is installed: AddOutputFilterByType (by the type a
// file or a script's head gives), FilterDeclare/FilterProvider with an
// ap_expr, FilterChain operations, FilterProtocol's head fix-ups, and
// httpd's refusals at startup.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

const std::string kModules =
    "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n"
    "LoadModule cgi_module /usr/lib/apache2/modules/mod_cgi.so\n"
    "LoadModule include_module /usr/lib/apache2/modules/mod_include.so\n"
    "LoadModule filter_module /usr/lib/apache2/modules/mod_filter.so\n";

std::string request(const std::string& path, const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

TEST(Filter, ChoosesProvidersAsHttpdDoes) {
    TwinSite site(kModules);
    const std::string docs = site.root().str() + "/htdocs";
    site.root().mkdir("cgi-bin");
    site.root().mkdir("htdocs/bytype");
    site.root().mkdir("htdocs/smart");
    site.root().mkdir("htdocs/cleared");
    site.append_config(
        "ScriptAlias /cgi-bin/ " + site.root().str() + "/cgi-bin/\n"
        "<Directory " + site.root().str() + "/cgi-bin>\nOptions +Includes\nRequire all granted\n"
        "AddOutputFilterByType INCLUDES text/html\n</Directory>\n"
        "<Directory " + docs + ">\nOptions +Includes\nRequire all granted\n</Directory>\n"
        "<Directory " + docs + "/bytype>\nAddOutputFilterByType INCLUDES text/html\n</Directory>\n"
        "<Directory " + docs + "/smart>\nFilterDeclare SSI\n"
        "FilterProvider SSI INCLUDES \"%{REQUEST_URI} =~ /\\.ssi\\.txt$/\"\nFilterChain SSI\n</Directory>\n"
        "<Directory " + docs + "/cleared>\nAddOutputFilterByType INCLUDES text/html\nFilterChain !\n</Directory>\n");
    const std::string echo = "<!--#echo var=\"DOCUMENT_NAME\" -->\n";
    site.write_doc("bytype/a.html", echo);
    site.write_doc("bytype/b.txt", echo);
    site.write_doc("smart/c.ssi.txt", echo);
    site.write_doc("smart/d.txt", echo);
    site.write_doc("cleared/e.html", echo);
    const std::string script = site.root().write(
        "cgi-bin/page.cgi", "#!/bin/sh\nprintf 'Content-Type: text/html\\n\\n'\necho '<!--#echo var=\"DOCUMENT_URI\" -->'\n");
    ::chmod(script.c_str(), 0755);
    const std::vector<std::string> requests = {request("/bytype/a.html"), request("/bytype/b.txt"),
                                               request("/smart/c.ssi.txt"), request("/smart/d.txt"),
                                               request("/cleared/e.html"), request("/cgi-bin/page.cgi"),
                                               request("/bytype/b.txt", "Range: bytes=4-9\r\n"),
                                               request("/bytype/a.html", "Range: bytes=4-9\r\n")};
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), (std::vector<int>{200, 200, 200, 200, 200, 200, 206, 200}))
        << site.read_log("sonora", "error_log");
    EXPECT_EQ(sonora[6].body, "#echo ");  // no provider for text/plain: the range applies
    EXPECT_EQ(sonora[0].body, "a.html\n");
    EXPECT_EQ(sonora[1].body, echo);  // text/plain: no provider applies
    EXPECT_EQ(sonora[2].body, "c.ssi.txt\n");
    EXPECT_EQ(sonora[3].body, echo);
    EXPECT_EQ(sonora[4].body, echo);  // the chain was cleared
    EXPECT_EQ(sonora[5].body, "/cgi-bin/page.cgi\n");  // the script's own type chose the filter
    // A provider's init runs where its smart filter is on the chain, whether
    // or not it then applies: INCLUDES takes the ETag of a file it leaves alone.
    EXPECT_EQ(sonora[1].header("ETag"), "");
    EXPECT_NE(sonora[4].header("ETag"), "");
    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        ASSERT_EQ(statuses(apache), statuses(sonora)) << site.read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(stable_head(sonora[i], true), stable_head(apache[i], true)) << requests[i];
            EXPECT_EQ(sonora[i].header("ETag").empty(), apache[i].header("ETag").empty()) << requests[i];
            EXPECT_EQ(sonora[i].header("Last-Modified").empty(), apache[i].header("Last-Modified").empty())
                << requests[i];
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
    }
}

// FilterTrace 1 logs, at debug, what reaches the chosen provider: the smart
// filter's name, then each piece and the end (httpd's filter_trace; its
// pieces are buckets, named by their kind).
TEST(Filter, TraceLogsWhatReachesTheProvider) {
    TwinSite site(kModules);
    const std::string docs = site.root().str() + "/htdocs";
    site.root().mkdir("htdocs/smart");
    site.append_config("LogLevel debug\n<Directory " + docs + ">\nOptions +Includes\nRequire all granted\n</Directory>\n"
                       "<Directory " + docs + "/smart>\nFilterDeclare SSI\n"
                       "FilterProvider SSI INCLUDES \"%{REQUEST_URI} =~ /\\.ssi\\.txt$/\"\nFilterChain SSI\n"
                       "FilterTrace SSI 1\n</Directory>\n");
    const std::string echo = "<!--#echo var=\"DOCUMENT_NAME\" -->\n";
    site.write_doc("smart/c.ssi.txt", echo);
    site.write_doc("smart/d.txt", echo);
    const std::vector<std::string> requests = {request("/smart/c.ssi.txt"), request("/smart/d.txt")};
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), (std::vector<int>{200, 200}));
    EXPECT_EQ(sonora[0].body, "c.ssi.txt\n");
    const std::string log = site.read_log("sonora", "error_log");
    EXPECT_NE(log.find("SN01375: SSI"), std::string::npos) << log;
    EXPECT_NE(log.find("SN01376: SSI: type: HEAP, length: " + std::to_string(echo.size())), std::string::npos) << log;
    EXPECT_EQ(log.find("SN01376: SSI: type: EOS, length: 0"), log.rfind("SN01376: SSI: type: EOS, length: 0"))
        << "one end, for the one response the provider ran on\n" << log;
    EXPECT_NE(log.find("SN01376: SSI: type: EOS, length: 0"), std::string::npos) << log;
    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        ASSERT_EQ(statuses(apache), statuses(sonora));
        const std::string alog = site.read_log("apache", "error_log");
        EXPECT_NE(alog.find("AH01375: SSI"), std::string::npos) << alog;
        EXPECT_NE(alog.find("SSI: type: EOS, length: 0"), std::string::npos) << alog;
    }
}

// FilterProtocol FILTER PROVIDER changes what the provider is said to do
// (httpd changes it for the provider everywhere; here only one smart filter
// uses it, so both servers agree).
TEST(Filter, ProtocolFlagsFixUpTheHead) {
    TwinSite site(kModules);
    const std::string docs = site.root().str() + "/htdocs";
    site.append_config("<Directory " + docs + ">\nOptions +Includes\nRequire all granted\nFilterDeclare SSI\n"
                       "FilterProvider SSI INCLUDES \"true\"\n"
                       "FilterProtocol SSI INCLUDES \"change=yes cache=no byteranges=no\"\nFilterChain SSI\n"
                       "</Directory>\n");
    site.write_doc("p.html", "<!--#echo var=\"DOCUMENT_NAME\" -->\n");
    const std::vector<std::string> requests = {request("/p.html")};
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), std::vector<int>{200}) << site.read_log("sonora", "error_log");
    EXPECT_EQ(sonora[0].body, "p.html\n");
    EXPECT_EQ(sonora[0].header("Cache-Control"), "no-cache");
    EXPECT_EQ(sonora[0].header("Accept-Ranges"), "none");
    EXPECT_EQ(sonora[0].header("Last-Modified"), "");
    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        ASSERT_EQ(statuses(apache), statuses(sonora));
        EXPECT_EQ(stable_head(sonora[0], true), stable_head(apache[0], true));
        EXPECT_EQ(sonora[0].body, apache[0].body);
    }
}

TEST(Filter, BadDirectivesStopTheServerAsHttpd) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"AddOutputFilterByType NOPE text/html", "Unknown filter provider NOPE"},
        {"FilterProvider X NOPE \"true\"", "Unknown filter provider NOPE"},
        {"FilterProvider X INCLUDES \"%{BAD\"", "Error parsing FilterProvider expression:"},
        {"FilterProtocol Q \"change=yes\"", "FilterProtocol: No such filter"},
    };
    for (const auto& [line, message] : cases) {
        const std::string error = refusal_of(kModules, line);
        EXPECT_NE(error.find(message), std::string::npos) << line << "\n" << error;
    }
    const std::string kept = refusal_of("LoadModule request_module /usr/lib/apache2/modules/mod_request.so\n",
                                        "KeptBodySize -1");
    EXPECT_NE(kept.find("KeptBodySize must be a valid size in bytes, or zero."), std::string::npos) << kept;
}

}  // namespace
}  // namespace sonora::test
