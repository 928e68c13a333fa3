// mod_actions on the real binary, against Apache 2.4 with the same
// configuration when it is installed: Action by handler (AddHandler,
// SetHandler), with and without `virtual`; Script by method (GET only with a
// query string); the target is asked for with the original path after it
// and the query kept; the access log keeps the original request. The
// targets here are plain files with AcceptPathInfo, as a CGI script's
// answer needs mod_cgi (issue 13).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules = "LoadModule actions_module /usr/lib/apache2/modules/mod_actions.so\n";

std::string request(const std::string& method, const std::string& path) {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

TEST(Actions, HandlersAndMethodsGoToTheirScripts) {
    TwinSite site(std::string(kModules) + "LogFormat \"%r %>s %U %q %R\" act\nCustomLog @LOGS@/act_log act\n");
    site.write_doc("target.txt", "TARGET\n");
    site.write_doc("act/real.xyz", "file\n");
    site.write_doc("sc/page.html", "page\n");
    const std::string htdocs = site.root().str() + "/htdocs";
    site.append_config("LogLevel warn actions:info\n<Directory " + htdocs + ">\nRequire all granted\n</Directory>\n"
                       "<Files target.txt>\nAcceptPathInfo On\n</Files>\n"
                       "<Directory " + htdocs + "/act>\nAddHandler my-type .xyz\nAction my-type /target.txt\n"
                       "AddHandler my-virt .vv\nAction My-Virt /target.txt virtual\n</Directory>\n"
                       "<Directory " + htdocs + "/sc>\nScript GET /target.txt\nScript POST /target.txt\n</Directory>\n"
                       "<Location /loc>\nSetHandler loc-handler\nAction loc-handler /target.txt virtual\n</Location>\n");
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"GET", "/act/real.xyz"},     {"GET", "/act/missing.xyz"}, {"GET", "/act/missing.vv"},
        {"GET", "/act/a%20b.vv?x=1"}, {"GET", "/sc/page.html"},    {"GET", "/sc/page.html?q=1"},
        {"HEAD", "/sc/page.html?q"},  {"GET", "/loc/any/thing"},   {"POST", "/sc/page.html"},
        {"PUT", "/sc/page.html"},     {"OPTIONS", "/sc/page.html"},
    };
    std::vector<std::string> requests;
    for (const auto& [method, path] : cases) {
        requests.push_back(request(method, path));
    }
    const std::vector<int> expected = {200, 404, 200, 200, 200, 200, 200, 200, 200, 405, 200};
    auto sonora = site.exchange("sonora", requests);
    ASSERT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
    EXPECT_EQ(sonora[0].body, "TARGET\n");  // the file exists: its Action answers
    EXPECT_EQ(sonora[2].body, "TARGET\n");  // virtual: no file needed
    EXPECT_EQ(sonora[3].body, "TARGET\n");
    EXPECT_EQ(sonora[4].body, "page\n");    // Script GET wants a query string
    EXPECT_EQ(sonora[5].body, "TARGET\n");
    EXPECT_EQ(sonora[7].body, "TARGET\n");
    EXPECT_EQ(sonora[8].body, "TARGET\n");
    const std::string log = site.read_log("sonora", "act_log");
    EXPECT_NE(log.find("GET /act/a%20b.vv?x=1 HTTP/1.1 200 /act/a b.vv ?x=1 my-virt\n"), std::string::npos) << log;
    EXPECT_NE(site.read_log("sonora", "error_log").find("File does not exist: " + htdocs + "/act/missing.xyz"),
              std::string::npos);
    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        ASSERT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size(); ++i) {
            EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
        }
        EXPECT_EQ(site.read_log("sonora", "act_log"), site.read_log("apache", "act_log"));
    }
}

TEST(Actions, BadArgumentsStopTheServerAsHttpd) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"Action a /x bogus", "unrecognized option 'bogus'"},
        {"Action a", "Action takes two or three arguments, a media type followed by a script name"},
        {"Script TRACE /x", "TRACE not allowed for Script"},
        {"Script GET", "Script takes two arguments, a method followed by a script name"},
    };
    for (const auto& [line, message] : cases) {
        const std::string error = refusal_of(kModules, line);
        EXPECT_NE(error.find(message), std::string::npos) << line << "\n" << error;
    }
}

}  // namespace
}  // namespace sonora::test
