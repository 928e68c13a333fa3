// mod_vhost_alias on the real binary, against Apache 2.4 with the same
// configuration when it is installed: the DocumentRoot made from the Host
// (UseCanonicalName Off) or from the local address, a virtual host that
// turns it off, and Alias coming first.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

// Each request, with its Host, against both servers: statuses and bodies.
void expect_both(const TwinSite& site, const std::vector<std::string>& requests, const std::vector<int>& expected,
                 const std::vector<std::string>& bodies) {
    for (const char* which : {"sonora", "apache"}) {
        if (std::string(which) == "apache" && !apache_available()) {
            continue;
        }
        auto rs = site.exchange(which, requests);
        EXPECT_EQ(statuses(rs), expected) << which << "\n" << site.read_log(which, "error_log");
        for (std::size_t i = 0; i < rs.size() && i < bodies.size(); ++i) {
            if (expected[i] == 200) {
                EXPECT_EQ(rs[i].body, bodies[i]) << which << " " << requests[i];
            }
        }
    }
}

// The Host picks the directory; Alias comes first (it is registered to run
// before, whatever the LoadModule order).
TEST(VhostAlias, TheDocumentRootComesFromTheName) {
    TwinSite site("LoadModule vhost_alias_module /usr/lib/apache2/modules/mod_vhost_alias.so\n"
                  "LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n");
    const std::string root = site.root().str();
    site.root().write("vhosts/example.com/w/index.txt", "www.example.com\n");
    site.root().write("vhosts/example.org/s/index.txt", "shop.example.org\n");
    site.root().write("aliased/index.txt", "aliased\n");
    site.append_config("VirtualDocumentRoot " + root + "/vhosts/%2+/%1.1\n"
                       "Alias /aliased " + root + "/aliased\n"
                       "<Directory " + root + ">\nRequire all granted\n</Directory>\n");
    expect_both(site,
                {get_request("/index.txt", "www.Example.com"), get_request("/index.txt", "shop.example.org"),
                 get_request("/index.txt", "nowhere.example.net"), get_request("/aliased/index.txt", "www.example.com")},
                {200, 200, 404, 200}, {"www.example.com\n", "shop.example.org\n", "", "aliased\n"});
}

// The IP form ignores the Host: the address the connection came in on.
TEST(VhostAlias, TheIpFormUsesTheLocalAddress) {
    TwinSite site("LoadModule vhost_alias_module /usr/lib/apache2/modules/mod_vhost_alias.so\n");
    const std::string root = site.root().str();
    site.root().write("byip/127.0.0.1/index.txt", "by address\n");
    site.append_config("VirtualDocumentRootIP " + root + "/byip/%0/\n"
                       "<Directory " + root + ">\nRequire all granted\n</Directory>\n");
    expect_both(site, {get_request("/index.txt", "anything.example")}, {200}, {"by address\n"});
}

// A VirtualScriptAlias'd script is never sent as a file: Sonora has no CGI
// yet and refuses it (httpd without mod_cgi would send its source).
TEST(VhostAlias, AScriptIsRefusedNotSent) {
    TwinSite site("LoadModule vhost_alias_module /usr/lib/apache2/modules/mod_vhost_alias.so\n");
    const std::string root = site.root().str();
    site.root().write("scripts/example.com/run.sh", "echo secret source\n");
    site.append_config("VirtualScriptAlias " + root + "/scripts/%2+\n"
                       "<Directory " + root + ">\nRequire all granted\n</Directory>\n");
    auto rs = site.exchange("sonora", {get_request("/cgi-bin/run.sh", "www.example.com")});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].status, 500);
    EXPECT_EQ(rs[0].body.find("secret source"), std::string::npos);
    EXPECT_NE(site.read_log("sonora", "error_log").find("SN90002"), std::string::npos);
}

}  // namespace
}  // namespace sonora::test
