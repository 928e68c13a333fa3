// mod_autoindex: IndexOptions words and their errors, the merge of absolute
// and incremental options across contexts (httpd 2.4's rules), and the
// listing's query arguments.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/generators/mod_autoindex.h"
#include "modules/generators/mod_autoindex_options.h"

#include <gtest/gtest.h>

namespace sonora::modules::generators::autoindex {
namespace {

using core::server_config;
using test::ConfigRoot;

CmdResult options(AutoindexConfig& c, std::vector<std::string> words) { return apply_index_options(c, words); }

const AutoindexConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<AutoindexConfig>(autoindex_module.index);
}
const AutoindexConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<AutoindexConfig>(autoindex_module.index);
}
constexpr const char* kLoad = "LoadModule autoindex_module modules/mod_autoindex.so\n";

TEST(AutoindexOptions, AbsoluteWordsAccumulateAndKeepTheUnsetMark) {
    AutoindexConfig c;
    EXPECT_EQ(options(c, {"FancyIndexing", "htmltable", "FOLDERSFIRST"}), std::nullopt);
    EXPECT_EQ(c.opts, kOptionUnset | kFancyIndexing | kHtmlTable | kFoldersFirst);
    EXPECT_EQ(options(c, {"VersionSort"}), std::nullopt);  // a second line adds to the first
    EXPECT_EQ(c.opts & kVersionSort, kVersionSort);
}

TEST(AutoindexOptions, IncrementalWordsAreKeptApart) {
    AutoindexConfig c;
    EXPECT_EQ(options(c, {"+FancyIndexing", "-SuppressSize", "+SuppressSize"}), std::nullopt);
    EXPECT_EQ(c.opts, kOptionUnset);
    EXPECT_EQ(c.incremented, kFancyIndexing | kSuppressSize);
    EXPECT_EQ(c.decremented, 0u);
    // An absolute word forgets the adjustments written before it.
    EXPECT_EQ(options(c, {"IconsAreLinks"}), std::nullopt);
    EXPECT_EQ(c.incremented, 0u);
    // So do the valued words without a sign (httpd treats them alike).
    EXPECT_EQ(options(c, {"+XHTML", "Charset=UTF-8"}), std::nullopt);
    EXPECT_EQ(c.incremented, 0u);
    EXPECT_EQ(c.charset, "UTF-8");
}

TEST(AutoindexOptions, ValuedWords) {
    AutoindexConfig c;
    EXPECT_EQ(options(c, {"IconWidth", "IconHeight=7", "NameWidth=*", "DescriptionWidth=40", "Type=text/xhtml",
                          "UseOldDateFormat"}),
              std::nullopt);
    EXPECT_EQ(c.icon_width, kDefaultIconWidth);
    EXPECT_EQ(c.icon_height, 7);
    EXPECT_EQ(c.name_adjust, Width::Adjust);
    EXPECT_EQ(c.name_width, kDefaultNameWidth);
    EXPECT_EQ(c.desc_adjust, Width::Fixed);
    EXPECT_EQ(c.desc_width, 40);
    EXPECT_EQ(c.content_type, "text/xhtml");
    EXPECT_EQ(c.old_date_format, true);
    EXPECT_EQ(options(c, {"-IconWidth", "-NameWidth", "IconHeight=12abc", "NameWidth=0"}), std::nullopt);
    EXPECT_EQ(c.icon_width, 0);
    EXPECT_EQ(c.icon_height, 12);  // as atoi reads it
    EXPECT_EQ(c.name_adjust, Width::Fixed);
    EXPECT_EQ(c.name_width, 0);
}

TEST(AutoindexOptions, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::vector<std::string> words;
        const char* error;
    };
    const Case cases[] = {
        {{"Bogus"}, "Invalid directory indexing option"},
        {{"+None"}, "Cannot combine '+' or '-' with 'None' keyword"},
        {{"None", "FancyIndexing"}, "Cannot combine other IndexOptions keywords with 'None'"},
        {{"-IconWidth=3"}, "Cannot combine '-' with IconWidth=n"},
        {{"-IconHeight=3"}, "Cannot combine '-' with IconHeight=n"},
        {{"NameWidth"}, "NameWidth with no value may only appear as '-NameWidth'"},
        {{"+NameWidth"}, "NameWidth with no value may only appear as '-NameWidth'"},
        {{"-NameWidth=9"}, "Cannot combine '-' with NameWidth=n"},
        {{"NameWidth=4"}, "NameWidth value must be greater than 5"},
        {{"DescriptionWidth"}, "DescriptionWidth with no value may only appear as '-DescriptionWidth'"},
        {{"-DescriptionWidth=*"}, "Cannot combine '-' with DescriptionWidth=n"},
        {{"DescriptionWidth=11"}, "DescriptionWidth value must be greater than 12"},
    };
    for (const Case& c : cases) {
        AutoindexConfig conf;
        EXPECT_EQ(options(conf, c.words), std::optional<std::string>(c.error)) << c.words.front();
    }
    AutoindexConfig conf;
    EXPECT_EQ(options(conf, {"FancyIndexing", "None"}), std::nullopt);  // None last wins
    EXPECT_EQ(conf.opts, kNoOptions);
}

TEST(AutoindexOptions, DefaultOrder) {
    AutoindexConfig c;
    EXPECT_EQ(set_default_order(c, "descending", "date"), std::nullopt);
    EXPECT_EQ(c.default_direction, 'D');
    EXPECT_EQ(c.default_key, 'M');
    EXPECT_EQ(set_default_order(c, "Up", "Name"),
              std::optional<std::string>("First keyword must be 'Ascending' or 'Descending'"));
    EXPECT_EQ(set_default_order(c, "Ascending", "Owner"),
              std::optional<std::string>("Second keyword must be 'Name', 'Date', 'Size', or 'Description'"));
}

TEST(AutoindexOptions, ErrorsCarryTheLine) {
    ConfigRoot root;
    try {
        root.load(std::string(kLoad) + "IndexOptions FancyIndexing Nonsense\n");
        FAIL() << "accepted";
    } catch (const config::ConfigError& e) {
        EXPECT_EQ(e.line, 2);
        EXPECT_NE(std::string(e.what()).find("Invalid directory indexing option"), std::string::npos) << e.what();
    }
}

TEST(AutoindexMerge, AbsoluteOptionsReplaceIncrementalOnesAdjust) {
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "IndexOptions FancyIndexing FoldersFirst\n"
                       "<Directory /a>\nIndexOptions +HTMLTable -FoldersFirst\n</Directory>\n"
                       "<Directory /a/b>\nIndexOptions SuppressSize\n</Directory>\n"
                       "<Directory /a/c>\nIndexOptions +IgnoreCase\n</Directory>\n"
                       "<Directory /a/d>\nIndexOptions None\n</Directory>\n");
    const AutoindexConfig a = AutoindexConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(a.opts & ~kOptionUnset, kFancyIndexing | kHtmlTable);
    const AutoindexConfig b = AutoindexConfig::merge(a, dir_section(*g, 1));
    EXPECT_EQ(b.opts & ~kOptionUnset, kSuppressSize);  // nothing inherited
    // Adjustments pass on: /a/c still has /a's +HTMLTable -FoldersFirst. But
    // httpd merges the two sections first, and their merge counts as absolute
    // options (it is not "unset"), so the server's FancyIndexing is lost: what
    // Apache 2.4 does (recorded: FancyIndexing at server level, +words in two
    // nested <Directory> sections give a plain list).
    const AutoindexConfig c = AutoindexConfig::merge(a, dir_section(*g, 2));
    EXPECT_EQ(c.opts & ~kOptionUnset, kHtmlTable | kIgnoreCase);
    ASSERT_TRUE(c.chain);
    EXPECT_EQ(c.chain->incremented, kHtmlTable | kIgnoreCase);
    EXPECT_EQ(c.chain->decremented, kFoldersFirst);
    const AutoindexConfig d = AutoindexConfig::merge(a, dir_section(*g, 3));
    EXPECT_EQ(d.opts, kNoOptions);
    EXPECT_EQ(d.incremented, 0u);
    // Under None, later +words start from nothing.
    const AutoindexConfig e = AutoindexConfig::merge(d, dir_section(*g, 2));
    EXPECT_EQ(e.opts & ~kOptionUnset, kIgnoreCase);
}

TEST(AutoindexMerge, SectionsWithoutItsDirectivesTakeNoPart) {
    // httpd has no configuration of the module in a section without one of
    // its directives: one section with +words still adjusts the server's options.
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "IndexOptions FancyIndexing\n<Directory />\nOptions None\n</Directory>\n"
                       "<Directory /a>\nIndexOptions +SuppressSize\n</Directory>\n");
    const AutoindexConfig slash = AutoindexConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_FALSE(slash.chain);
    const AutoindexConfig a = AutoindexConfig::merge(slash, dir_section(*g, 1));
    EXPECT_EQ(a.opts & ~kOptionUnset, kFancyIndexing | kSuppressSize);
}

TEST(AutoindexMerge, EachKindOfSectionIsMergedOnWhatCameBefore) {
    // <Directory>, then <Location>: the location's +words adjust the
    // directories' result, as httpd's location walk merges onto it.
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "IndexOptions FancyIndexing\n"
                       "<Directory /a>\nIndexOptions +SuppressSize\n</Directory>\n"
                       "<Directory /a/b>\nIndexOptions +SuppressIcon\n</Directory>\n"
                       "<Location /x>\nIndexOptions +XHTML\n</Location>\n");
    const auto& loc = *server_config(g->main).sec_url.at(0)->config.get<AutoindexConfig>(autoindex_module.index);
    EXPECT_EQ(loc.level, Level::Location);
    EXPECT_EQ(dir_section(*g, 0).level, Level::Directory);
    const AutoindexConfig dirs =
        AutoindexConfig::merge(AutoindexConfig::merge(defaults(*g), dir_section(*g, 0)), dir_section(*g, 1));
    EXPECT_EQ(dirs.opts & ~kOptionUnset, kSuppressSize | kSuppressIcon);
    const AutoindexConfig all = AutoindexConfig::merge(dirs, loc);
    EXPECT_EQ(all.opts & ~kOptionUnset, kSuppressSize | kSuppressIcon | kXhtml);
    EXPECT_EQ(all.group, Level::Location);
}

TEST(AutoindexMerge, AbsoluteWordsWithAdjustmentsInOneContextDropTheAdjustments) {
    // httpd keeps a context's +words only when it has no absolute word.
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) + "<Directory /a>\nIndexOptions FancyIndexing +FoldersFirst\n</Directory>\n");
    const AutoindexConfig a = AutoindexConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(a.opts & ~kOptionUnset, kFancyIndexing);
}

TEST(AutoindexMerge, WidthsAndScalars) {
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "IndexOptions NameWidth=30 IconWidth=16 Charset=UTF-8\nHeaderName HEADER.html\n"
                       "IndexOrderDefault Descending Size\n"
                       "<Directory /a>\nIndexOptions -IconWidth DescriptionWidth=*\nReadmeName README\n"
                       "IndexOrderDefault Ascending Name\n</Directory>\n");
    const AutoindexConfig a = AutoindexConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(a.name_width, 30);
    EXPECT_EQ(a.name_adjust, Width::Fixed);
    EXPECT_EQ(a.desc_adjust, Width::Adjust);
    EXPECT_EQ(a.icon_width, 16);  // 0 ("-IconWidth") does not override
    EXPECT_EQ(a.charset, "UTF-8");
    EXPECT_EQ(a.header, "HEADER.html");
    EXPECT_EQ(a.readme, "README");
    EXPECT_EQ(a.default_key, 'N');
    EXPECT_EQ(a.default_direction, 'A');
}

TEST(AutoindexMerge, ListsPutTheChildFirstAndIgnoreResetCuts) {
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "AddIcon /p.gif .txt\nIndexIgnore *~ RCS\nAddDescription \"Parent\" .txt\n"
                       "<Directory /a>\nAddIcon /c.gif .txt\nIndexIgnore *.bak\nAddDescription \"Child\" .txt\n"
                       "</Directory>\n"
                       "<Directory /a/b>\nIndexIgnoreReset On\nIndexIgnore x\n</Directory>\n");
    const AutoindexConfig a = AutoindexConfig::merge(defaults(*g), dir_section(*g, 0));
    ASSERT_EQ(a.icons.size(), 2u);
    EXPECT_EQ(a.icons[0].data, "/c.gif");
    EXPECT_EQ(a.icons[0].apply_path, "/a/*");
    EXPECT_EQ(a.icons[0].apply_to, "*.txt");
    EXPECT_EQ(a.icons[1].apply_path, "*");
    ASSERT_EQ(a.ignores.size(), 3u);
    EXPECT_EQ(a.ignores[0].apply_to, "*.bak");
    EXPECT_EQ(*find_description(a, "/a/x.txt"), "Child");
    EXPECT_EQ(*find_item(a.icons, {}, {}, "/a/x.txt", true), "/c.gif");
    EXPECT_EQ(*find_item(a.icons, {}, {}, "/elsewhere/x.txt", true), "/p.gif");  // /a's entry stays in /a
    // The reset cuts what the sections before it gave; httpd then merges the
    // sections' result, which is no longer marked reset, onto the server's list.
    const AutoindexConfig b = AutoindexConfig::merge(a, dir_section(*g, 1));
    ASSERT_EQ(b.ignores.size(), 3u);
    EXPECT_EQ(b.ignores[0].apply_to, "x");
    EXPECT_FALSE(b.ignore_reset);  // the reset is not inherited
    EXPECT_TRUE(is_ignored(b, "/a/b/x"));
    EXPECT_TRUE(is_ignored(b, "/a/b/y~"));
    EXPECT_FALSE(is_ignored(b, "/a/b/z.bak"));
    EXPECT_TRUE(is_ignored(a, "/a/y~"));
    // Alone, the reset section cuts the server's list too.
    const AutoindexConfig alone = AutoindexConfig::merge(defaults(*g), dir_section(*g, 1));
    ASSERT_EQ(alone.ignores.size(), 1u);
}

TEST(AutoindexDirectives, IconWithAltText) {
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "AddIconByType (TXT,/icons/text.gif) text/*\nAddIconByEncoding (CMP,/c.gif) X-Gzip\n"
                       "AddIcon (DIR) **DIRECTORY**\nAddAlt \"a file\" *.bin\n");
    const AutoindexConfig& c = defaults(*g);
    ASSERT_EQ(c.icons.size(), 3u);
    ASSERT_EQ(c.alts.size(), 4u);
    EXPECT_EQ(c.alts[0].data, "TXT");
    EXPECT_EQ(c.icons[0].data, "/icons/text.gif");
    EXPECT_EQ(c.icons[0].apply_to, "text/*");
    EXPECT_EQ(c.icons[1].apply_to, "x-gzip");
    EXPECT_EQ(c.icons[2].data, "");
    EXPECT_EQ(c.alts[2].data, "DIR");
    EXPECT_EQ(*find_item(c.alts, {}, {}, "^^DIRECTORY^^", true), "DIR");
    EXPECT_EQ(*find_item(c.icons, "text/plain; charset=UTF-8", {}, "/x/a.txt", false), "/icons/text.gif");
    EXPECT_EQ(find_item(c.icons, "text/plain", {}, "/x/a.txt", true), nullptr);  // types only for files
    // A file with an encoding is looked up by encoding, not by type.
    EXPECT_EQ(*find_item(c.icons, "text/plain", "x-gzip", "/x/a.txt.gz", false), "/c.gif");
    EXPECT_EQ(*find_item(c.alts, {}, {}, "/x/y.bin", false), "a file");
}

TEST(AutoindexDirectives, RefusedAndDeprecatedForms) {
    ConfigRoot root;
    EXPECT_THROW(root.load(std::string(kLoad) + "AddIcon (TXT,/t.gif .txt\n"), config::ConfigError);
    try {
        root.load(std::string(kLoad) + "FancyIndexing on\n");
        FAIL() << "accepted";
    } catch (const config::ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(
                      "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing."),
                  std::string::npos)
            << e.what();
    }
    // Without LoadModule the directives do not exist.
    EXPECT_THROW(root.load("IndexOptions FancyIndexing\n"), config::ConfigError);
}

TEST(AutoindexDirectives, DescriptionPatterns) {
    ConfigRoot root;
    auto g = root.load(std::string(kLoad) +
                       "AddDescription \"tarball\" .tar\nAddDescription \"docs\" *.txt\n"
                       "AddDescription \"deep\" sub/file\n");
    const AutoindexConfig& c = defaults(*g);
    EXPECT_EQ(c.descriptions[0].pattern, ".tar");
    EXPECT_FALSE(c.descriptions[0].wildcards);
    EXPECT_EQ(c.descriptions[1].pattern, "**.txt*");
    EXPECT_EQ(c.descriptions[2].pattern, "*/sub/file*");
    EXPECT_EQ(*find_description(c, "/www/x.tar.gz"), "tarball");  // a substring
    EXPECT_EQ(*find_description(c, "/www/a.txt"), "docs");
    EXPECT_EQ(*find_description(c, "/www/sub/file"), "deep");
    EXPECT_EQ(find_description(c, "/www/other/file"), nullptr);
}

TEST(AutoindexQuery, ArgumentsInOrderUntilOneIsNotUnderstood) {
    ListingQuery q = parse_listing_query("C=M;O=D&F=2;V=1", kFancyIndexing, 'N', 'A');
    EXPECT_EQ(q.key, 'M');
    EXPECT_EQ(q.direction, 'D');
    EXPECT_EQ(q.opts, kFancyIndexing | kHtmlTable | kVersionSort);
    EXPECT_EQ(q.colargs, ";F=2;V=1");
    q = parse_listing_query("C=S;X=1;O=D", 0, 'N', 'A');
    EXPECT_EQ(q.key, 'S');
    EXPECT_EQ(q.direction, 'A');  // after X= nothing is read
    q = parse_listing_query("C=Q", 0, 'N', 'A');
    EXPECT_EQ(q.key, 'N');
    q = parse_listing_query("C=MM", 0, 'N', 'A');
    EXPECT_EQ(q.key, 'N');
    q = parse_listing_query("F=0;V=0", kFancyIndexing | kHtmlTable | kVersionSort, 'N', 'A');
    EXPECT_EQ(q.opts, 0u);
    EXPECT_EQ(q.colargs, ";F=0;V=0");
    q = parse_listing_query("F=1", kFancyIndexing | kHtmlTable, 'N', 'A');
    EXPECT_EQ(q.opts, kFancyIndexing);
}

TEST(AutoindexQuery, PatternIsDecodedAndCarriedEscaped) {
    ListingQuery q = parse_listing_query("P=a%20b*;C=D", 0, 'N', 'A');
    EXPECT_EQ(q.pattern, "a b*");
    EXPECT_EQ(q.colargs, ";P=a%20b*");
    EXPECT_EQ(q.key, 'D');
    EXPECT_FALSE(parse_listing_query("P=", 0, 'N', 'A').pattern);
    EXPECT_FALSE(parse_listing_query("P=a%2fb", 0, 'N', 'A').pattern);  // an encoded slash is refused
    EXPECT_FALSE(parse_listing_query("P=a%zz", 0, 'N', 'A').pattern);
    q = parse_listing_query("P=*.txt;", 0, 'N', 'A');
    EXPECT_EQ(q.pattern, "*.txt");
}

TEST(AutoindexQuery, IgnoreClientReadsNothingAndStopsColumnSorting) {
    ListingQuery q = parse_listing_query("C=M;O=D", kIgnoreClient, 'S', 'D');
    EXPECT_EQ(q.key, 'S');
    EXPECT_EQ(q.direction, 'D');
    EXPECT_EQ(q.opts, kIgnoreClient | kSuppressColumnSorting);
    EXPECT_EQ(q.colargs, "");
}

}  // namespace
}  // namespace sonora::modules::generators::autoindex
