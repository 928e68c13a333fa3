// mod_logio: LogIOTrackTTFB anywhere (OR_ALL), nearest setting wins.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/loggers/mod_logio.h"

#include <gtest/gtest.h>

namespace sonora::modules::loggers {
namespace {

using config::ConfigError;
using test::ConfigRoot;

TEST(ModLogio, TrackTtfbPerSectionNearestWins) {
    ConfigRoot root;
    auto g = root.load(
        "LogIOTrackTTFB on\n"
        "<Directory /a>\nLogIOTrackTTFB off\n</Directory>\n"
        "<Location /b>\n</Location>\n");
    const auto& top = *g->main.lookup_defaults.get<LogioDirConfig>(logio_module.index);
    EXPECT_EQ(top.track_ttfb, true);
    const auto& sec = core::server_config(g->main).sec_dir;
    const auto& a = *sec.at(0)->config.get<LogioDirConfig>(logio_module.index);
    EXPECT_EQ(LogioDirConfig::merge(top, a).track_ttfb, false);
    const auto& b = *core::server_config(g->main).sec_url.at(0)->config.get<LogioDirConfig>(logio_module.index);
    EXPECT_EQ(LogioDirConfig::merge(top, b).track_ttfb, true);
    EXPECT_FALSE(LogioDirConfig::merge(LogioDirConfig{}, LogioDirConfig{}).track_ttfb.has_value());
}

TEST(ModLogio, FlagErrorAndStatic) {
    EXPECT_TRUE(logio_module.is_static);
    ConfigRoot root;
    try {
        root.load("\nLogIOTrackTTFB maybe\n");
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(), "LogIOTrackTTFB must be On or Off");
        EXPECT_EQ(e.line, 2);
    }
}

}  // namespace
}  // namespace sonora::modules::loggers
