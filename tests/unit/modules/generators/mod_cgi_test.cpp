// mod_cgi's and core's directives for scripts: CGIScriptTimeout (and
// mod_cgid's name for it), RLimit*, Suexec, ScriptSock; errors as httpd's.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/core/mod_unixd.h"
#include "modules/generators/mod_cgi.h"

#include <gtest/gtest.h>

namespace sonora::modules::generators {
namespace {

using test::ConfigRoot;
using test::refusal;

TEST(ModCgi, TimeoutsAreStoredPerDirectory) {
    ConfigRoot root;
    auto gen = root.load("LoadModule cgi_module modules/mod_cgi.so\nCGIScriptTimeout 7\n");
    const auto* conf = gen->main.lookup_defaults.get<CgiDirConfig>(cgi_module.index);
    ASSERT_NE(conf, nullptr);
    EXPECT_EQ(conf->timeout_ms, 7000);
    auto cgid = root.load("LoadModule cgid_module modules/mod_cgid.so\nCGIDScriptTimeout 250ms\n"
                          "ScriptSock /run/cgisock\n");
    EXPECT_EQ(cgid->main.lookup_defaults.get<CgiDirConfig>(cgid_module.index)->timeout_ms, 250);
    EXPECT_EQ(refusal("LoadModule cgi_module modules/mod_cgi.so\nCGIScriptTimeout soon\n").message,
              "CGIScriptTimeout has wrong format");
    // Without the module, its directives are unknown, as in httpd.
    EXPECT_NE(refusal("CGIScriptTimeout 7\n").message.find("Invalid command 'CGIScriptTimeout'"), std::string::npos);
}

TEST(ModCgi, ResourceLimitsParseAsHttpdReadsThem) {
    ConfigRoot root;
    auto gen = root.load("RLimitCPU 5 10\nRLimitMEM max\n<Directory />\nRLimitNPROC 20\n</Directory>\n");
    const auto& core = *gen->main.lookup_defaults.get<core::CoreDirConfig>(core::core_module.index);
    ASSERT_TRUE(core.rlimit_cpu);
    EXPECT_EQ(core.rlimit_cpu->soft, 5u);
    EXPECT_EQ(core.rlimit_cpu->hard, 10u);
    ASSERT_TRUE(core.rlimit_mem);
    EXPECT_TRUE(core.rlimit_mem->soft_max);
    EXPECT_EQ(core.rlimit_mem->hard, 0u);  // the server's stays
    EXPECT_FALSE(core.rlimit_nproc);       // only in <Directory />
}

TEST(ModCgi, SuexecOnIsRefusedWithoutTheWrapper) {
    EXPECT_NE(refusal("Suexec On\n").message.find("suEXEC isn't supported"), std::string::npos);
    EXPECT_EQ(refusal("Suexec Off\n").message, "");
}

}  // namespace
}  // namespace sonora::modules::generators
