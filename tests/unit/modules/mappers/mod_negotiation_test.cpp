// mod_negotiation: LanguagePriority list rules, ForceLanguagePriority words,
// CacheNegotiatedDocs per server, errors.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/mappers/mod_negotiation.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;
using Names = std::vector<std::string>;

const std::string kLoad = "LoadModule negotiation_module modules/mod_negotiation.so\n";

const NegotiationDirConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<NegotiationDirConfig>(negotiation_module.index);
}
const NegotiationDirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<NegotiationDirConfig>(
        negotiation_module.index);
}

TEST(ModNegotiation, StoresAndMerges) {
    ConfigRoot root;
    auto g = root.load(
        kLoad +
        "LanguagePriority en fr\nLanguagePriority de\nForceLanguagePriority Prefer Fallback\n"
        "CacheNegotiatedDocs on\n"
        "<VirtualHost *:80>\nServerName vh\n</VirtualHost>\n"
        "<VirtualHost *:81>\nCacheNegotiatedDocs off\n</VirtualHost>\n"
        "<Directory /srv>\nLanguagePriority ja\n</Directory>\n"
        "<Directory /srv/x>\nForceLanguagePriority none\n</Directory>\n");
    EXPECT_EQ(defaults(*g).language_priority, (Names{"en", "fr", "de"}));
    EXPECT_EQ(defaults(*g).force_language_priority, kForceLangPrefer | kForceLangFallback);
    auto m = NegotiationDirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(m.language_priority, (Names{"ja"}));
    EXPECT_EQ(m.force_language_priority, kForceLangPrefer | kForceLangFallback);
    auto m2 = NegotiationDirConfig::merge(m, dir_section(*g, 1));
    EXPECT_EQ(m2.language_priority, (Names{"ja"}));
    EXPECT_EQ(m2.force_language_priority, kForceLangNone);
    EXPECT_EQ(g->main_conf<NegotiationServerConfig>(negotiation_module).cache_negotiated_docs,
              true);
    using G = config::Generation;
    EXPECT_EQ(G::server_conf<NegotiationServerConfig>(*g->vhosts.at(0), negotiation_module)
                  .cache_negotiated_docs,
              true);
    EXPECT_EQ(G::server_conf<NegotiationServerConfig>(*g->vhosts.at(1), negotiation_module)
                  .cache_negotiated_docs,
              false);
}

TEST(ModNegotiation, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::string conf;
        std::string message;
        int line;
    };
    const Case cases[] = {
        {"ForceLanguagePriority foo", "Invalid ForceLanguagePriority option foo", 1},
        {"ForceLanguagePriority none fallback",
         "Cannot combine ForceLanguagePriority options None and Fallback", 1},
        {"ForceLanguagePriority none prefer",
         "Cannot combine ForceLanguagePriority options None and Prefer", 1},
        {"ForceLanguagePriority fallback none",
         "Cannot combine ForceLanguagePriority options with None", 1},
        {"ForceLanguagePriority prefer\nForceLanguagePriority none",
         "Cannot combine ForceLanguagePriority options with None", 2},
        {"CacheNegotiatedDocs maybe", "CacheNegotiatedDocs must be On or Off", 1},
        {"CacheNegotiatedDocs", "CacheNegotiatedDocs must be On or Off", 1},
        {"<Directory />\nCacheNegotiatedDocs on\n</Directory>",
         "CacheNegotiatedDocs not allowed in <Directory> context", 2},
        {"LanguagePriority",
         "LanguagePriority requires at least one argument, language tags in order of preference, "
         "used to break "
         "negotiation ties",
         1},
    };
    for (const Case& c : cases) {
        ConfigRoot root;
        try {
            root.load(kLoad + c.conf);
            ADD_FAILURE() << "no error for " << c.conf;
        } catch (const ConfigError& e) {
            EXPECT_EQ(e.what(), c.message) << c.conf;
            EXPECT_EQ(e.line, c.line + 1) << c.conf;
        }
    }
    ConfigRoot root;
    EXPECT_NO_THROW(root.load(kLoad + "ForceLanguagePriority none none\n"));
    try {
        root.load("LanguagePriority en\n");
        ADD_FAILURE() << "accepted without LoadModule";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Invalid command 'LanguagePriority', perhaps misspelled or defined by a module "
                  "not included in the "
                  "server configuration");
    }
}

}  // namespace
}  // namespace sonora::modules::mappers
