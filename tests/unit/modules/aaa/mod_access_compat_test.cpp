// mod_access_compat: Order, Allow, Deny, Satisfy; the replace-whole merge; and
// httpd's messages (checked against apache2 -t).

#include "../../support/config_fixture.h"
#include "modules/aaa/mod_access_compat.h"
#include "modules/aaa/mod_authz_host.h"
#include "modules/core/core_config.h"
#include "http/method.h"

#include <gtest/gtest.h>

namespace sonora::modules::aaa {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const std::string kLoad = "LoadModule access_compat_module modules/mod_access_compat.so\n";

const AccessCompatDirConfig& dir(const config::Generation& g, std::size_t i) {
    return *core::server_config(g.main).sec_dir.at(i)->config.get<AccessCompatDirConfig>(
        access_compat_module.index);
}

void expect_error(const std::string& body, const std::string& message) {
    ConfigRoot root;
    try {
        root.load(kLoad + "<Directory />\n" + body + "\n</Directory>\n");
        ADD_FAILURE() << "accepted: " << body;
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), message) << body;
        EXPECT_EQ(e.line, 3) << body;
    }
}

TEST(ModAccessCompat, NotLoadedIsInvalidCommand) {
    ConfigRoot root;
    try {
        root.load("<Directory />\nOrder allow,deny\n</Directory>\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'Order', perhaps misspelled or defined by a module not included in the server "
                  "configuration");
        EXPECT_EQ(e.line, 2);
    }
}

TEST(ModAccessCompat, RulesAreParsed) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "<Directory />\nOrder Allow,Deny\n"
                       "Allow from all env=x env=!y 10.1 10.0.0.0/8 ::1 2001:db8::/32 "
                       "1.2.3.4/255.255.0.0\n"
                       "Deny FROM 192.168.1.7\nSatisfy ANY\n</Directory>\n"
                       "<Directory /a>\nOrder mutual-failure\n<Limit POST>\nDeny from env=\n</Limit>\n</Directory>\n");
    const auto& d = dir(*g, 0);
    EXPECT_TRUE(d.used);
    for (int m = 0; m < http::kMethodLimit; ++m) {
        EXPECT_EQ(d.order[static_cast<std::size_t>(m)], AccessOrder::AllowDeny) << m;
        EXPECT_EQ(d.satisfy[static_cast<std::size_t>(m)], Satisfy::Any) << m;
    }
    using T = AccessRule::Type;
    ASSERT_EQ(d.allows.size(), 8u);
    const T types[] = {T::All, T::Env, T::NotEnv, T::Ip, T::Ip, T::Ip, T::Ip, T::Ip};
    for (std::size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(d.allows[i].type, types[i]) << i;
    }
    EXPECT_EQ(d.allows[1].from, "x");
    EXPECT_EQ(d.allows[2].from, "y");
    EXPECT_TRUE(d.allows[3].ip.contains("10.1.200.3"));
    EXPECT_TRUE(d.allows[7].ip.contains("1.2.99.99"));
    ASSERT_EQ(d.denys.size(), 1u);
    EXPECT_TRUE(d.denys[0].ip.contains("192.168.1.7"));
    EXPECT_EQ(d.denys[0].methods, http::kAllMethods);

    const auto& a = dir(*g, 1);
    EXPECT_EQ(a.order[0], AccessOrder::MutualFailure);
    ASSERT_EQ(a.denys.size(), 1u);
    EXPECT_EQ(a.denys[0].type, AccessRule::Type::Env);
    EXPECT_EQ(a.denys[0].from, "");
    EXPECT_EQ(a.denys[0].methods, http::method_bit(http::method_number("POST")));
    EXPECT_FALSE(a.satisfy[0].has_value());
}

TEST(ModAccessCompat, OrderAndSatisfyArePerMethod) {
    ConfigRoot root;
    auto g = root.load(kLoad + "<Directory />\n<LimitExcept GET>\nOrder allow,deny\nSatisfy any\n</LimitExcept>\n"
                               "</Directory>\n");
    const auto& d = dir(*g, 0);
    EXPECT_EQ(d.order[0], AccessOrder::DenyAllow);  // GET (and HEAD) keep the default
    EXPECT_FALSE(d.satisfy[0].has_value());
    const auto post = static_cast<std::size_t>(http::method_number("POST"));
    EXPECT_EQ(d.order[post], AccessOrder::AllowDeny);
    EXPECT_EQ(d.satisfy[post], Satisfy::Any);
}

TEST(ModAccessCompat, HostNamesAreHostRules) {
    ConfigRoot root;
    auto g = root.load(kLoad + "<Directory />\nAllow from example.com .org localhost\n</Directory>\n");
    const auto& d = dir(*g, 0);
    ASSERT_EQ(d.allows.size(), 3u);
    for (const AccessRule& rule : d.allows) {
        EXPECT_EQ(rule.type, AccessRule::Type::Host) << rule.from;
    }
    EXPECT_EQ(d.allows[1].from, ".org");
}

TEST(ModAccessCompat, InDomainMatchesWholeLabels) {
    EXPECT_TRUE(in_domain("good.com", "good.com"));
    EXPECT_TRUE(in_domain("good.com", "www.GOOD.com"));
    EXPECT_FALSE(in_domain("good.com", "nogood.com"));
    EXPECT_TRUE(in_domain(".good.com", "www.good.com"));
    EXPECT_FALSE(in_domain("www.good.com", "good.com"));
    EXPECT_FALSE(in_domain("", "good.com"));
}

TEST(ModAccessCompat, MergeReplacesWholeWhenUsed) {
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "<Directory />\nOrder allow,deny\nAllow from 10.1\n</Directory>\n"
                       "<Directory /a>\nSatisfy any\n</Directory>\n"
                       "<Directory /b>\nOptions None\n</Directory>\n");
    const auto& top = dir(*g, 0);
    auto a = AccessCompatDirConfig::merge(top, dir(*g, 1));
    EXPECT_TRUE(a.allows.empty());  // httpd: the section's record replaces the parent's
    EXPECT_EQ(a.order[0], AccessOrder::DenyAllow);
    EXPECT_EQ(a.satisfy[0], Satisfy::Any);
    auto b = AccessCompatDirConfig::merge(top, dir(*g, 2));
    EXPECT_EQ(b.allows.size(), 1u);  // untouched section: the parent's record
    EXPECT_EQ(b.order[0], AccessOrder::AllowDeny);
}

TEST(ModAccessCompat, Errors) {
    expect_error("Order foo", "unknown order");
    expect_error("Deny to all", "allow and deny must be followed by 'from'");
    expect_error("Allow from foo/24", "An IP address was expected");
    expect_error("Allow from 1.2.3.4/33", "The specified network mask is invalid.");
    expect_error("Allow from 1.2.3.400", "The specified IP address is invalid.");
    expect_error("Allow from 10.1/16", "The specified IP address is invalid.");
    expect_error("Allow from foo#bar", "No comments are allowed here");
    expect_error("Satisfy foo", "Satisfy either 'any' or 'all'.");
    for (const char* bad : {"Allow all", "Allow from", "Allow"}) {
        ConfigRoot root;
        try {
            root.load(kLoad + "<Directory />\n" + bad + "\n</Directory>\n");
            ADD_FAILURE() << bad;
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()).rfind("allow requires at least two arguments, ", 0), 0u) << e.what();
        }
    }
    ConfigRoot root;
    try {
        root.load(kLoad + "<Directory />\nOrder Deny, Allow\n</Directory>\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("order takes one argument, ", 0), 0u) << e.what();
    }
    try {
        root.load(kLoad + "Order allow,deny\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "order not allowed here");
    }
    try {
        root.load(kLoad + "LoadModule authz_core_module x.so\n<Directory />\n<RequireAll>\nAllow from all\n"
                          "Require all granted\n</RequireAll>\n</Directory>\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "allow not allowed in <RequireAll> context");
    }
}

}  // namespace
}  // namespace sonora::modules::aaa
