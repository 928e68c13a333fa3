// mod_include's directives: their checks and error texts (httpd's), where
// they are allowed, the per-directory merge, and the engine settings made
// from them. The module is not in the static list yet, so these tests load
// configuration with it added to the built-in modules.

#include "../../support/config_fixture.h"
#include "modules/filters/mod_include.h"
#include "modules/module_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace sonora::modules::filters {
namespace {

std::vector<Module*> with_include() {
    const auto builtin = modules::builtin_modules();
    std::vector<Module*> all(builtin.begin(), builtin.end());
    all.push_back(&include_module);
    return all;
}

std::unique_ptr<config::Generation> load(test::ConfigRoot& root, const std::string& text) {
    static const std::vector<Module*> modules = with_include();
    root.write("conf/httpd.conf", "LoadModule include_module modules/mod_include.so\nServerName x\n" + text);
    config::LoadOptions options;
    options.server_root = root.path();
    options.config_file = "conf/httpd.conf";
    options.modules = modules;
    return config::load_configuration(options);
}

std::string refusal(const std::string& text) {
    test::ConfigRoot root;
    try {
        load(root, text);
    } catch (const config::ConfigError& e) {
        return e.what();
    }
    return "";
}

// Messages as apache2 -t gives them for the same lines.
TEST(ModInclude, DirectiveChecks) {
    EXPECT_EQ(refusal("XBitHack maybe\n"), "XBitHack must be set to Off, On, or Full");
    EXPECT_EQ(refusal("SSIStartTag \"<!-- #\"\n"), "SSIStartTag may not contain any whitespaces");
    EXPECT_EQ(refusal("SSIEndTag \"-- >\"\n"), "SSIEndTag may not contain any whitespaces");
    EXPECT_EQ(refusal("XBitHack full\nSSIErrorMsg \"oops\"\nSSITimeFormat \"%Y\"\nSSIUndefinedEcho none\n"
                      "SSIStartTag [%\nSSIEndTag %]\n"
                      "<Directory />\nXBitHack on\nSSIErrorMsg x\nSSILegacyExprParser on\nSSILastModified on\n"
                      "SSIETag off\n</Directory>\n"),
              "");
    // OR_LIMIT directives are not allowed outside sections, as in httpd.
    EXPECT_EQ(refusal("SSILegacyExprParser on\n"), "SSILegacyExprParser not allowed here");
    EXPECT_EQ(refusal("SSIETag on\n"), "SSIEtag not allowed here");
    EXPECT_EQ(refusal("<Directory />\nSSIStartTag [%\n</Directory>\n"),
              "SSIStartTag not allowed in <Directory> context");
    EXPECT_NE(refusal("<Directory />\nSSILegacyExprParser maybe\n</Directory>\n"), "");
}

TEST(ModInclude, NotLoadedMeansInvalidCommand) {
    EXPECT_NE(test::refusal("ServerName x\nSSIErrorMsg x\n").message, "");
    EXPECT_EQ(test::refusal("LoadModule include_module modules/mod_include.so\nServerName x\nSSIErrorMsg x\n").message,
              "");
}

TEST(ModInclude, MergeTakesTheNearestSetting) {
    IncludeDirConfig outer;
    outer.error_msg = "outer";
    outer.legacy_expr = true;
    outer.xbithack = XBitHack::Full;
    IncludeDirConfig inner;
    inner.error_msg = "inner";
    inner.xbithack = XBitHack::Off;
    const IncludeDirConfig merged = IncludeDirConfig::merge(outer, inner);
    EXPECT_EQ(merged.error_msg, "inner");
    EXPECT_EQ(merged.legacy_expr, true);
    EXPECT_EQ(merged.xbithack, XBitHack::Off);
    EXPECT_FALSE(merged.time_fmt.has_value());
}

TEST(ModInclude, SettingsFromTheConfiguration) {
    test::ConfigRoot root;
    const auto gen = load(root, "SSIStartTag [%\nSSIEndTag %]\nSSIUndefinedEcho \"<!-- undef -->\"\n"
                                "SSITimeFormat \"%Y\"\n");
    const auto* server = gen->main.module_config.get<IncludeServerConfig>(include_module.index);
    const auto* dir = gen->main.lookup_defaults.get<IncludeDirConfig>(include_module.index);
    const ssi::Settings s = ssi_settings(dir, server, true, false);
    EXPECT_EQ(s.start_tag, "[%");
    EXPECT_EQ(s.end_tag, "%]");
    EXPECT_EQ(s.undefined_echo, "<!-- undef -->");
    EXPECT_EQ(s.time_fmt, "%Y");
    EXPECT_EQ(s.error_msg, ssi::kDefaultErrorMsg);
    EXPECT_FALSE(s.legacy_expr);
    EXPECT_TRUE(s.no_exec);
    const ssi::Settings d = ssi_settings(nullptr, nullptr, false, true);
    EXPECT_EQ(d.start_tag, "<!--#");
    EXPECT_EQ(d.time_fmt, "%A, %d-%b-%Y %H:%M:%S %Z");
}

}  // namespace
}  // namespace sonora::modules::filters
