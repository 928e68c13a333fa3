// mod_speling: the distance between a requested name and a directory entry,
// the candidates a directory gives and their order, when httpd redirects
// rather than lists, the directives' checks and the merge (a section that
// sets any of them replaces the whole setting). Expected values come from
// Apache 2.4.71 runs.

#include "../../support/config_fixture.h"
#include "modules/mappers/mod_speling.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers {
namespace {

using speling::Quality;

TEST(ModSpeling, DistanceNamesTheOneEdit) {
    struct Case {
        const char* requested;
        const char* entry;
        Quality quality;
    };
    const Case cases[] = {
        {"GOOD.html", "good.html", Quality::Miscapitalized},
        {"godo.html", "good.html", Quality::Transposition},
        {"oGod.html", "good.html", Quality::Transposition},
        {"god.html", "good.html", Quality::MissingChar},
        {"good.htm", "good.html", Quality::MissingChar},
        {"goood.html", "good.html", Quality::ExtraChar},
        {"good.htmll", "good.html", Quality::ExtraChar},
        {"go_d.html", "good.html", Quality::SimpleTypo},
        {"x", ".", Quality::SimpleTypo},  // httpd offers "." for any one-letter name
        {"..x", "..", Quality::ExtraChar},
        {"dogo.html", "good.html", Quality::VeryDifferent},
        {"XooX.html", "good.html", Quality::VeryDifferent},
        {"Bad.html", "good.html", Quality::VeryDifferent},
        {"good.wrong_ext", "good.html", Quality::VeryDifferent},
        {"caf\xc3\xa9", "CAF\xc3\x89", Quality::SimpleTypo},  // case is ASCII only, as httpd in the C locale
    };
    for (const Case& c : cases) {
        EXPECT_EQ(speling::distance(c.requested, c.entry), c.quality) << c.requested << " / " << c.entry;
    }
}

TEST(ModSpeling, CandidatesBySpellingThenBasenameInDirectoryOrder) {
    const std::vector<std::string> dir = {"foo.txt", ".hidden", "several0.gif", ".", "several2.html",
                                          "several1.html", "sub", "..", "good.html", "several0.txt"};
    const speling::Matches m = speling::match_entries("several0.html", dir, false, true);
    ASSERT_FALSE(m.exact);
    ASSERT_EQ(m.candidates.size(), 4u);
    EXPECT_EQ(m.candidates[0].name, "several2.html");
    EXPECT_EQ(m.candidates[1].name, "several1.html");
    EXPECT_EQ(m.candidates[2].name, "several0.gif");
    EXPECT_EQ(m.candidates[3].name, "several0.txt");
    EXPECT_EQ(m.candidates[0].quality, Quality::SimpleTypo);
    EXPECT_EQ(m.candidates[3].quality, Quality::VeryDifferent);
    EXPECT_EQ(speling::reason(m.candidates[0].quality), "mistyped character");
    EXPECT_EQ(speling::reason(m.candidates[3].quality), "common basename");
    EXPECT_FALSE(speling::redirects(m.candidates));

    // Only the basename candidates are left under CheckCaseOnly, none without
    // CheckBasenameMatch.
    EXPECT_EQ(speling::match_entries("several0.html", dir, true, true).candidates.size(), 2u);
    EXPECT_TRUE(speling::match_entries("several0.html", dir, true, false).candidates.empty());

    // A leading dot makes every dot file a basename match, "." and ".." too.
    const speling::Matches dots = speling::match_entries(".foo", dir, false, true);
    ASSERT_EQ(dots.candidates.size(), 3u);
    EXPECT_EQ(dots.candidates[0].name, ".hidden");
    EXPECT_EQ(dots.candidates[1].name, ".");
    EXPECT_EQ(dots.candidates[2].name, "..");
}

TEST(ModSpeling, RedirectsOnlyToAnUnrivalledSpellingMatch) {
    const std::vector<std::string> dir = {"good.html", "Several0.htm", "several1.html", "several2.html"};
    // One miscapitalised-and-short name beats two mistyped ones.
    const speling::Matches m = speling::match_entries("several0.html", dir, false, true);
    ASSERT_EQ(m.candidates.size(), 3u);
    EXPECT_EQ(m.candidates[0].name, "Several0.htm");
    EXPECT_TRUE(speling::redirects(m.candidates));
    // A lone basename match is listed, never redirected to.
    const speling::Matches ext = speling::match_entries("good.wrong_ext", dir, false, true);
    ASSERT_EQ(ext.candidates.size(), 1u);
    EXPECT_FALSE(speling::redirects(ext.candidates));
    EXPECT_TRUE(speling::redirects(speling::match_entries("GOOD.html", dir, true, true).candidates));
    EXPECT_TRUE(speling::match_entries("god.html", dir, true, true).candidates.empty());
}

TEST(ModSpeling, AnEntryNamedExactlyStopsTheSearch) {
    const speling::Matches m = speling::match_entries("good.html", {"Good.html", "good.html"}, false, true);
    EXPECT_TRUE(m.exact);
    EXPECT_TRUE(m.candidates.empty());
}

TEST(ModSpeling, ASectionSettingAnyDirectiveReplacesTheWholeSetting) {
    SpelingDirConfig outer;
    outer.enabled = true;
    SpelingDirConfig inner;
    inner.case_only = true;
    const SpelingDirConfig merged = SpelingDirConfig::merge(outer, inner);
    EXPECT_FALSE(merged.enabled.value_or(false));
    EXPECT_TRUE(merged.case_only.value_or(false));
    EXPECT_TRUE(SpelingDirConfig::merge(outer, SpelingDirConfig{}).enabled.value_or(false));
}

TEST(ModSpeling, DirectivesAreFlagsAllowedEverywhere) {
    const std::string load = "LoadModule speling_module modules/mod_speling.so\nServerName x\n";
    EXPECT_EQ(test::refusal(load + "CheckSpelling maybe\n").message, "CheckSpelling must be On or Off");
    EXPECT_EQ(test::refusal(load + "CheckSpelling On\nCheckCaseOnly On\nCheckBasenameMatch Off\n"
                                   "<Directory />\nCheckSpelling Off\n</Directory>\n"
                                   "<Location /x>\nCheckCaseOnly Off\n</Location>\n")
                  .message,
              "");
    EXPECT_NE(test::refusal("ServerName x\nCheckSpelling On\n").message, "");  // not loaded: Invalid command
}

}  // namespace
}  // namespace sonora::modules::mappers
