// Merge rules of core's per-directory configuration.

#include "modules/core/core_config.h"

#include <gtest/gtest.h>

namespace sonora::modules::core {
namespace {

BitsSetting absolute(unsigned v) { return BitsSetting{true, v, 0, 0}; }
BitsSetting relative(unsigned add, unsigned remove) { return BitsSetting{false, 0, add, remove}; }

TEST(CoreMerge, OptionsAbsoluteReplacesRelativeAdjusts) {
    CoreDirConfig server;
    server.options = absolute(kOptSymLinks | kOptIndexes);
    CoreDirConfig dir;
    dir.options = relative(kOptExecCgi, kOptIndexes);
    auto merged = CoreDirConfig::merge(server, dir);
    EXPECT_EQ(merged.options->apply(0), kOptSymLinks | kOptExecCgi);

    CoreDirConfig replace;
    replace.options = absolute(kOptNone);
    EXPECT_EQ(CoreDirConfig::merge(merged, replace).options->apply(kOptAll), kOptNone);

    // Two relative levels accumulate, the later winning on conflicts.
    CoreDirConfig a;
    a.options = relative(kOptIndexes, 0);
    CoreDirConfig b;
    b.options = relative(0, kOptIndexes);
    EXPECT_EQ(CoreDirConfig::merge(a, b).options->apply(kOptIndexes | kOptSymLinks), kOptSymLinks);
}

TEST(CoreMerge, UnsetInheritsSetOverrides) {
    CoreDirConfig parent;
    parent.enable_sendfile = true;
    parent.add_default_charset = "UTF-8";
    parent.hostname_lookups = Tristate::Third;
    CoreDirConfig child;
    child.enable_sendfile = false;
    auto m = CoreDirConfig::merge(parent, child);
    EXPECT_EQ(m.enable_sendfile, false);
    EXPECT_EQ(m.add_default_charset, "UTF-8");
    EXPECT_EQ(m.hostname_lookups, Tristate::Third);
    EXPECT_FALSE(m.enable_mmap.has_value());
}

TEST(CoreMerge, ErrorDocumentsMergePerStatus) {
    CoreDirConfig parent;
    parent.error_documents = {{404, "/missing.html"}, {500, "/oops.html"}};
    CoreDirConfig child;
    child.error_documents = {{404, "\"Not here"}, {500, "default"}};
    auto m = CoreDirConfig::merge(parent, child);
    EXPECT_EQ(m.error_documents.size(), 1u);
    EXPECT_EQ(m.error_documents.at(404), "\"Not here");
}

TEST(CoreMerge, FileSectionsAppend) {
    CoreDirConfig parent;
    parent.sec_file.push_back(std::make_shared<Section>());
    CoreDirConfig child;
    child.sec_file.push_back(std::make_shared<Section>());
    auto m = CoreDirConfig::merge(parent, child);
    ASSERT_EQ(m.sec_file.size(), 2u);
    EXPECT_EQ(m.sec_file[0], parent.sec_file[0]);
    EXPECT_EQ(m.sec_file[1], child.sec_file[0]);
}

TEST(CoreMerge, ServerLevelKeepsVhostIdentity) {
    CoreServerConfig main;
    main.server_name = "main";
    main.document_root = "/main";
    main.timeout_ms = 1000;
    CoreServerConfig vh;
    vh.server_name = "vh";
    auto m = CoreServerConfig::merge(main, vh);
    EXPECT_EQ(m.server_name, "vh");
    EXPECT_EQ(m.document_root, "/main");
    EXPECT_EQ(m.timeout_ms, 1000);
    CoreServerConfig unnamed;
    EXPECT_FALSE(CoreServerConfig::merge(main, unnamed).server_name.has_value());
}

}  // namespace
}  // namespace sonora::modules::core
