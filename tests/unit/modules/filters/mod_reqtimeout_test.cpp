// mod_reqtimeout: RequestReadTimeout parsed and refused with httpd 2.4.71's
// messages (each recorded from `apache2 -t`), merged per virtual host, and
// httpd's defaults whenever the module is loaded.

#include "../../support/config_fixture.h"
#include "modules/filters/mod_reqtimeout.h"

#include <gtest/gtest.h>

namespace sonora::modules::filters {
namespace {

using config::ConfigError;
using test::ConfigRoot;

const std::string kLoad = "LoadModule reqtimeout_module modules/mod_reqtimeout.so\nServerName x\n";

ReadTimeouts limits_of(const Server& s) {
    ReadTimeouts t;
    reqtimeout_module.read_timeouts(s, t);
    return t;
}

bool same(const StageTimeout& a, const StageTimeout& b) {
    return a.timeout_s == b.timeout_s && a.max_timeout_s == b.max_timeout_s && a.min_rate == b.min_rate;
}

TEST(ModReqtimeout, LoadedWithoutTheDirectiveAppliesHttpdDefaults) {
    ConfigRoot root;
    auto g = root.load(kLoad);
    ReadTimeouts t = limits_of(g->main);
    EXPECT_TRUE(same(t.header, StageTimeout{20, 40, 500}));
    EXPECT_TRUE(same(t.body, StageTimeout{20, 0, 500}));
    EXPECT_FALSE(t.handshake.enabled());
}

TEST(ModReqtimeout, StagesParsedAndAVirtualHostOverridesOnlyWhatItSets) {
    ConfigRoot root;
    auto g = root.load(kLoad + "RequestReadTimeout header=10-30,MinRate=500 body=5 handshake=3\n"
                               "<VirtualHost *:80>\nServerName v\nRequestReadTimeout body=0\n</VirtualHost>\n");
    ReadTimeouts main = limits_of(g->main);
    EXPECT_TRUE(same(main.header, StageTimeout{10, 30, 500}));
    EXPECT_TRUE(same(main.body, StageTimeout{5, 0, 0}));
    EXPECT_TRUE(same(main.handshake, StageTimeout{3, 0, 0}));
    ReadTimeouts vhost = limits_of(*g->vhosts.at(0));
    EXPECT_TRUE(same(vhost.header, StageTimeout{10, 30, 500}));
    EXPECT_FALSE(vhost.body.enabled()) << "body=0 switches the body limit off";
    // The last word for a stage wins, MinRate included.
    ConfigRoot again;
    auto h = again.load(kLoad + "RequestReadTimeout header=3,minrate=5 header=4\n");
    EXPECT_TRUE(same(limits_of(h->main).header, StageTimeout{4, 0, 0}));
}

TEST(ModReqtimeout, BadArgumentsAreRefusedAsHttpdRefusesThem) {
    struct Case {
        const char* arg;
        const char* message;
    };
    const Case cases[] = {
        {"header=10-20", "RequestReadTimeout: header=10-20: Must set MinRate option if using timeout range"},
        {"header=abc", "RequestReadTimeout: header=abc: Value 'abc' not numerical"},
        {"foo=1", "RequestReadTimeout: foo=1: Unknown RequestReadTimeout parameter"},
        {"header=20,MinRate=0", "RequestReadTimeout: header=20,MinRate=0: Minimum data rate must be larger than 0"},
        {"header=-5", "RequestReadTimeout: header=-5: Must set MinRate option if using timeout range"},
        {"header=10-5,MinRate=5",
         "RequestReadTimeout: header=10-5,MinRate=5: Maximum timeout must be larger than initial timeout"},
        {"body=10,MinRate=abc", "RequestReadTimeout: body=10,MinRate=abc: Value 'abc' not numerical"},
        {"header", "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'"},
        {"header=10-5x,MinRate=5", "RequestReadTimeout: header=10-5x,MinRate=5: Cannot parse 'x'"},
        {"header=1.5", "RequestReadTimeout: header=1.5: Cannot parse '.5'"},
        {"header=5-,MinRate=5", "RequestReadTimeout: header=5-,MinRate=5: Value '' not numerical"},
        {"body=5,MinRate=5,MinRate=6", "RequestReadTimeout: body=5,MinRate=5,MinRate=6: Cannot parse ',MinRate=6'"},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(kLoad + "RequestReadTimeout " + c.arg + "\n");
            ADD_FAILURE() << "accepted: " << c.arg;
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()), c.message) << c.arg;
            EXPECT_EQ(e.line, 3) << c.arg;
        }
    }
}

TEST(ModReqtimeout, NotAllowedInsideDirectorySections) {
    ConfigRoot root;
    try {
        root.load(kLoad + "<Directory />\nRequestReadTimeout header=5\n</Directory>\n");
        ADD_FAILURE() << "accepted in <Directory>";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "RequestReadTimeout not allowed in <Directory> context");
    }
}

}  // namespace
}  // namespace sonora::modules::filters
