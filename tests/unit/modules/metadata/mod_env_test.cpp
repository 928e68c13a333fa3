// mod_env: SetEnv/PassEnv/UnsetEnv storage, the merge (unset then set,
// case-insensitive names), warnings and errors.

#include "../../support/config_fixture.h"
#include "core/log.h"
#include "modules/core/core_config.h"
#include "modules/metadata/mod_env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sonora::modules::metadata {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;

const std::string kLoad = "LoadModule env_module modules/mod_env.so\n";

const EnvDirConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<EnvDirConfig>(env_module.index);
}
const EnvDirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<EnvDirConfig>(env_module.index);
}

struct WarningSink {
    std::vector<std::string> lines;
    WarningSink() {
        set_startup_log_sink([this](LogLevel, std::string_view line) { lines.emplace_back(line); });
    }
    ~WarningSink() { set_startup_log_sink({}); }
};

TEST(ModEnv, SetPassUnsetInOneContext) {
    ::setenv("SONORA_ENV_TEST_VAR", "from-env", 1);
    ConfigRoot root;
    auto g = root.load(kLoad +
                       "SetEnv A 1\nSetEnv Empty\nPassEnv SONORA_ENV_TEST_VAR\nSetEnv a 2\n"
                       "SetEnv Gone x\nUnsetEnv GONE\nUnsetEnv Later\nSetEnv Later back\n");
    const auto& c = defaults(*g);
    ASSERT_EQ(c.vars.size(), 4u);
    EXPECT_EQ(c.vars[0].first, "A");  // first spelling kept, value replaced
    EXPECT_EQ(c.vars[0].second, "2");
    EXPECT_EQ(*c.find("empty"), "");
    EXPECT_EQ(*c.find("SONORA_ENV_TEST_VAR"), "from-env");
    EXPECT_EQ(c.find("Gone"), nullptr);
    EXPECT_EQ(*c.find("Later"), "back");
    EXPECT_EQ(c.unsets, (std::vector<std::string>{"GONE", "Later"}));
}

TEST(ModEnv, MergeUnsetsParentThenSetsChild) {
    ConfigRoot root;
    auto g =
        root.load(kLoad +
                  "SetEnv KEEP k\nSetEnv DROP d\nSetEnv OVER o\n"
                  "<Directory /srv>\nUnsetEnv drop\nSetEnv over new\nSetEnv NEW n\n</Directory>\n"
                  "<Directory /srv/x>\nUnsetEnv NEW\n</Directory>\n");
    auto m = EnvDirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(*m.find("KEEP"), "k");
    EXPECT_EQ(m.find("DROP"), nullptr);
    EXPECT_EQ(*m.find("OVER"), "new");
    EXPECT_EQ(*m.find("NEW"), "n");
    EXPECT_TRUE(m.unsets.empty());
    auto m2 = EnvDirConfig::merge(m, dir_section(*g, 1));
    EXPECT_EQ(m2.find("NEW"), nullptr);
    EXPECT_EQ(*m2.find("KEEP"), "k");
}

TEST(ModEnv, Warnings) {
    ::unsetenv("SONORA_SURELY_UNSET");
    WarningSink sink;
    ConfigRoot root;
    auto g = root.load(kLoad + "PassEnv SONORA_SURELY_UNSET\nSetEnv A=b\n");
    ASSERT_EQ(sink.lines.size(), 2u);
    EXPECT_NE(sink.lines[0].find("[env:warn]"), std::string::npos);
    EXPECT_NE(sink.lines[0].find("PassEnv variable SONORA_SURELY_UNSET was undefined"),
              std::string::npos);
    EXPECT_NE(sink.lines[1].find(
                  "Spurious usage of '=' in an environment variable name. 'SetEnv A b' expected "
                  "instead?"),
              std::string::npos);
    EXPECT_EQ(defaults(*g).find("SONORA_SURELY_UNSET"), nullptr);
    EXPECT_EQ(*defaults(*g).find("A=b"), "");  // stored as written, as httpd does
}

TEST(ModEnv, Errors) {
    struct Case {
        std::string conf;
        std::string message;
    };
    const Case cases[] = {
        {"SetEnv",
         "SetEnv takes 1-2 arguments, variable name and optional value (empty if absent) for CGI "
         "scripts"},
        {"SetEnv A b c",
         "SetEnv takes 1-2 arguments, variable name and optional value (empty if absent) for CGI "
         "scripts"},
        {"UnsetEnv",
         "UnsetEnv requires at least one argument, names of variables removed from the CGI "
         "environment"},
        {"PassEnv",
         "PassEnv requires at least one argument, names of server environment variables handed on "
         "to CGI scripts"},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(kLoad + "ServerName x\n" + c.conf);
            ADD_FAILURE() << "no error for " << c.conf;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), c.message);
            EXPECT_EQ(e.line, 3);
        }
    }
    ConfigRoot root;
    try {
        root.load("SetEnv A b\n");
        ADD_FAILURE() << "SetEnv accepted without LoadModule";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'SetEnv', perhaps misspelled or defined by a module not "
                  "included in the server "
                  "configuration");
        EXPECT_EQ(e.line, 1);
    }
}

}  // namespace
}  // namespace sonora::modules::metadata
