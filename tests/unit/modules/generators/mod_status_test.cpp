// mod_status: registered without directives; LoadModule and <IfModule> see it.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/generators/mod_status.h"

#include <gtest/gtest.h>

namespace sonora::modules::generators {
namespace {

using test::ConfigRoot;

TEST(ModStatus, LoadableByNameAndSourceFile) {
    EXPECT_FALSE(status_module.is_static);
    EXPECT_TRUE(status_module.directives.empty());
    ConfigRoot root;
    auto off = root.load("<IfModule mod_status.c>\nServerAdmin loaded@x\n</IfModule>\n");
    EXPECT_FALSE(off->modules.enabled(status_module));
    EXPECT_FALSE(core::server_config(off->main).server_admin);
    auto on = root.load(
        "LoadModule status_module modules/mod_status.so\n"
        "<IfModule mod_status.c>\nServerAdmin loaded@x\n</IfModule>\n"
        "<IfModule status_module>\nExtendedStatus on\n</IfModule>\n");
    EXPECT_TRUE(on->modules.enabled(status_module));
    EXPECT_EQ(core::server_config(on->main).server_admin, "loaded@x");
    EXPECT_EQ(core::server_config(on->main).extended_status, true);
}

}  // namespace
}  // namespace sonora::modules::generators

namespace sonora::modules::generators {
namespace {

TEST(ModStatus, SeeRequestTailIsStoredForTheScoreboard) {
    test::ConfigRoot root;
    auto gen = root.load("SeeRequestTail On\n");
    EXPECT_EQ(core::server_config(gen->main).see_request_tail, true);
    EXPECT_FALSE(core::server_config(root.load("")->main).see_request_tail);
}

}  // namespace
}  // namespace sonora::modules::generators
