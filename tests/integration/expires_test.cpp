// mod_expires on the real binary, against Apache 2.4 with the same
// configuration when it is installed: which responses get Expires and
// Cache-Control, by type, wildcard and default, from access or modification
// time, and which do not (errors, ExpiresActive Off).

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <utime.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules = "LoadModule expires_module /usr/lib/apache2/modules/mod_expires.so\n"
                                 "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n";

// The max-age of a response's Cache-Control, -1 without one.
long max_age(const Response& r) {
    const std::string cc = r.header("Cache-Control");
    const std::size_t at = cc.find("max-age=");
    return at == std::string::npos ? -1 : std::atol(cc.c_str() + at + 8);
}

class Expires : public ::testing::Test {
protected:
    Expires() : site(kModules) {
        for (const char* name : {"a.txt", "p.png", "d.bin", "off/o.txt"}) {
            const std::string path = site.write_doc(name, "x\n");
            const utimbuf times{1'000'000'000, 1'000'000'000};  // 2001-09-09: the same mtime for both servers
            ::utime(path.c_str(), &times);
        }
        site.append_config("<Directory " + site.root().str() + "/htdocs>\nRequire all granted\n</Directory>\n");
    }

    std::vector<Response> expect_both(const std::vector<std::string>& paths, const std::vector<int>& expected) {
        std::vector<std::string> requests;
        for (const std::string& p : paths) {
            requests.push_back(get_request(p));
        }
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                // A modification-based max-age counts down with the clock: the
                // two servers answer a second apart at most.
                EXPECT_LE(std::abs(max_age(sonora[i]) - max_age(apache[i])), 1) << paths[i];
                EXPECT_EQ(sonora[i].header("Expires").empty(), apache[i].header("Expires").empty()) << paths[i];
            }
        }
        return sonora;
    }

    TwinSite site;
};

TEST_F(Expires, ByTypeWildcardAndDefault) {
    site.append_config("ExpiresActive On\nExpiresByType text/plain \"access plus 1 hour\"\n"
                       "ExpiresByType image/* A600\nExpiresDefault \"modification plus 30 years\"\n"
                       "<Directory " + site.root().str() + "/htdocs/off>\nExpiresActive Off\n</Directory>\n");
    auto rs = expect_both({"/a.txt", "/p.png", "/d.bin", "/off/o.txt", "/missing.txt"}, {200, 200, 200, 200, 404});
    ASSERT_EQ(rs.size(), 5u);
    EXPECT_EQ(rs[0].header("Cache-Control"), "max-age=3600");
    EXPECT_FALSE(rs[0].header("Expires").empty());
    EXPECT_EQ(rs[1].header("Cache-Control"), "max-age=600");
    // mtime 1000000000 + 30 * 365 days.
    EXPECT_EQ(rs[2].header("Expires"), "Tue, 02 Sep 2031 01:46:40 GMT");
    EXPECT_EQ(rs[3].header("Expires"), "");
    EXPECT_EQ(rs[4].header("Expires"), "");  // never on errors
    EXPECT_EQ(rs[4].header("Cache-Control"), "");
}

// A modification-based expiry already past is "now": max-age=0. mod_headers
// comes after mod_expires and may take the fields away again.
TEST_F(Expires, PastExpiriesAndHeaderAfterwards) {
    site.append_config("ExpiresActive On\nExpiresByType text/plain M60\nExpiresDefault A100\n"
                       "<Files p.png>\nHeader unset Expires\nHeader append Cache-Control public\n</Files>\n");
    auto rs = expect_both({"/a.txt", "/p.png"}, {200, 200});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Cache-Control"), "max-age=0");
    EXPECT_EQ(rs[1].header("Cache-Control"), "max-age=100, public");
    EXPECT_EQ(rs[1].header("Expires"), "");
}

}  // namespace
}  // namespace sonora::test
