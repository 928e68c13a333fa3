// mod_allowmethods on the real binary, against Apache 2.4 with the same
// configuration when it is installed: the methods a location allows, HEAD
// with GET, TRACE untouched, "reset" below, and what the 405 carries.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

std::string with_method(const std::string& method, const std::string& path) {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

TEST(AllowMethods, OnlyTheListedMethodsPass) {
    TwinSite site("LoadModule allowmethods_module /usr/lib/apache2/modules/mod_allowmethods.so\n");
    site.write_doc("b.txt", "b\n");
    site.write_doc("sub/s.txt", "s\n");
    const std::string htdocs = site.root().str() + "/htdocs";
    site.append_config("<Directory " + htdocs + ">\nRequire all granted\nAllowMethods GET POST\n</Directory>\n"
                       "<Directory " + htdocs + "/sub>\nAllowMethods reset\n</Directory>\n");
    const std::vector<std::string> requests = {
        with_method("GET", "/b.txt"),     with_method("HEAD", "/b.txt"),  with_method("POST", "/b.txt"),
        with_method("PUT", "/b.txt"),     with_method("OPTIONS", "/b.txt"), with_method("TRACE", "/b.txt"),
        with_method("PROPFIND", "/b.txt"), with_method("PUT", "/missing"), with_method("OPTIONS", "/sub/s.txt"),
    };
    const std::vector<int> expected = {200, 200, 200, 405, 405, 200, 405, 405, 200};
    auto sonora = site.exchange("sonora", requests);
    EXPECT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
    ASSERT_EQ(sonora.size(), expected.size());
    EXPECT_EQ(sonora[3].header("Allow"), "TRACE");  // httpd's: no handler has declared any method
    EXPECT_NE(site.read_log("sonora", "error_log").find("client method denied by server configuration: 'PUT' to " +
                                                        htdocs + "/b.txt"),
              std::string::npos);
    if (apache_available()) {
        auto apache = site.exchange("apache", requests);
        EXPECT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
        for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
            if (apache[i].status == 405) {
                EXPECT_EQ(sonora[i].header("Allow"), apache[i].header("Allow")) << requests[i];
            }
        }
    }
}

}  // namespace
}  // namespace sonora::test
