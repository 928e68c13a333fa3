// mod_autoindex's pure parts: the string routines (as httpd's and APR's),
// the order of entries (dsortf), description shortening and page layout.

#include "core/strings.h"
#include "modules/generators/mod_autoindex_render.h"
#include "modules/generators/mod_autoindex_text.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace sonora::modules::generators::autoindex {
namespace {

TEST(AutoindexText, EscapePathAsOsEscapePath) {
    EXPECT_EQ(escape_path("we ird&<name>.txt", false), "we%20ird&%3cname%3e.txt");
    EXPECT_EQ(escape_path("co:lon", false), "./co:lon");
    EXPECT_EQ(escape_path("co:lon", true), "co:lon");
    EXPECT_EQ(escape_path("a/b:c", false), "a/b:c");  // the ':' comes after a '/'
    EXPECT_EQ(escape_path("$-_.+!*'(),;@=~%#?\xc3\xa9", false), "$-_.+!*'(),;@=~%25%23%3f%c3%a9");
}

TEST(AutoindexText, WildcardsAsStrcmpMatch) {
    EXPECT_TRUE(wildcard_match("/srv/www/a.txt", "*"));
    EXPECT_TRUE(wildcard_match("/srv/www/a.txt", "/srv/*"));
    EXPECT_TRUE(wildcard_match(".htaccess", ".??*"));
    EXPECT_FALSE(wildcard_match(".x", ".??*"));
    EXPECT_TRUE(wildcard_match("score", "*core"));
    EXPECT_TRUE(wildcard_match("a*b", "a*b"));
    EXPECT_FALSE(wildcard_match("abc", "a?"));
    EXPECT_TRUE(wildcard_match("Text/HTML", "text/*", true));
    EXPECT_FALSE(wildcard_match("Text/HTML", "text/*"));
    EXPECT_TRUE(wildcard_match("aXbXc", "*b*c"));
    EXPECT_FALSE(wildcard_match("[a]", "[a]x"));
    EXPECT_TRUE(has_wildcard("*.txt"));
    EXPECT_FALSE(has_wildcard("[a]"));
    EXPECT_TRUE(is_fnmatch_pattern("[a]"));
    EXPECT_FALSE(is_fnmatch_pattern("a]["));
    EXPECT_FALSE(is_fnmatch_pattern("\\*"));
}

int sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

TEST(AutoindexText, NaturalOrderAsStrnatcmp) {
    EXPECT_EQ(sign(natural_compare("file9.txt", "file10.txt", false)), -1);
    EXPECT_EQ(sign(natural_compare("file10", "file9", false)), 1);
    EXPECT_EQ(sign(natural_compare("x1.01", "x1.1", false)), -1);  // a leading zero reads as a fraction
    EXPECT_EQ(sign(natural_compare("a 1", "a1", false)), 0);        // blanks do not count
    EXPECT_EQ(sign(natural_compare("ABC", "abc", true)), 0);
    EXPECT_EQ(sign(natural_compare("ABC", "abc", false)), -1);
    EXPECT_EQ(sign(natural_compare("abc", "abcd", false)), -1);
    EXPECT_EQ(sign(natural_compare("a2b", "a2a", false)), 1);
}

TEST(AutoindexText, SizesAsStrfsize) {
    EXPECT_EQ(strfsize(-1), "  - ");
    EXPECT_EQ(strfsize(0), "  0 ");
    EXPECT_EQ(strfsize(972), "972 ");
    EXPECT_EQ(strfsize(973), "1.0K");
    EXPECT_EQ(strfsize(5000), "4.9K");
    EXPECT_EQ(strfsize(10 * 1024), " 10K");
    EXPECT_EQ(strfsize(2000000), "1.9M");
    EXPECT_EQ(strfsize(972 * 1024 + 600), "973K");
    EXPECT_EQ(strfsize(5LL << 40), "5.0T");
}

Entry named(std::string name, std::int64_t size = -1, std::int64_t mtime = -1) {
    Entry e;
    e.name = std::move(name);
    e.size = size;
    e.mtime_us = mtime;
    return e;
}

std::vector<std::string> names(const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    for (const Entry& e : entries) {
        out.push_back(e.name);
    }
    return out;
}

TEST(AutoindexSort, ParentFirstThenKeyThenName) {
    std::vector<Entry> v = {named("b", 5, 2), named("/", -1, -1), named("a", 5, 3), named("C", 1, 1)};
    sort_entries(v, SortOrder{'N', true, false, false});
    EXPECT_EQ(names(v), (std::vector<std::string>{"/", "C", "a", "b"}));
    sort_entries(v, SortOrder{'N', true, false, true});
    EXPECT_EQ(names(v), (std::vector<std::string>{"/", "a", "b", "C"}));
    sort_entries(v, SortOrder{'S', true, false, false});
    EXPECT_EQ(names(v), (std::vector<std::string>{"/", "C", "a", "b"}));  // equal sizes: by name
    sort_entries(v, SortOrder{'S', false, false, false});
    EXPECT_EQ(names(v), (std::vector<std::string>{"/", "b", "a", "C"}));  // descending reverses the tie too
    sort_entries(v, SortOrder{'M', false, false, false});
    EXPECT_EQ(names(v), (std::vector<std::string>{"/", "a", "b", "C"}));
}

TEST(AutoindexSort, VersionSortAndFoldersFirst) {
    std::vector<Entry> v = {named("file10"), named("file9"), named("File9"), named("dir/")};
    v[3].folder_first = true;
    sort_entries(v, SortOrder{'N', true, true, false});
    EXPECT_EQ(names(v), (std::vector<std::string>{"dir/", "File9", "file9", "file10"}));
    sort_entries(v, SortOrder{'N', false, true, true});
    EXPECT_EQ(names(v), (std::vector<std::string>{"dir/", "file10", "file9", "File9"}));
}

TEST(AutoindexRender, DescriptionsAreCutWithAnArrow) {
    AutoindexConfig c;
    EXPECT_EQ(shorten_description("short", c, 0, 23), "short");
    EXPECT_EQ(shorten_description("abcdefghijklmnopqrstuvwxyz", c, 0, 23), "abcdefghijklmnopqrstuv>");
    // Tags take no room, an entity one.
    EXPECT_EQ(shorten_description("<b>abc</b>defg", c, 0, 5), "<b>abc</b>d>");
    EXPECT_EQ(shorten_description("&auml;bcdefg", c, 0, 3), "&auml;b>");
    // Suppressed columns give their room to the description, when no width is set.
    EXPECT_EQ(shorten_description(std::string(40, 'x'), c, kSuppressLastModified, 23), std::string(40, 'x'));
    c.desc_adjust = Width::Fixed;
    EXPECT_EQ(shorten_description(std::string(40, 'x'), c, kSuppressLastModified, 23), std::string(22, 'x') + ">");
}

TEST(AutoindexRender, PlainListWithHeaderTextAndSignature) {
    ::setenv("TZ", "UTC", 1);
    AutoindexConfig c;
    Page page;
    page.config = &c;
    page.title = "/d";
    page.header = Insert{Insert::Kind::Text, "a <b>\n"};
    page.signature = "<address>X</address>\n";
    std::string out;
    render_page(page, {named("/"), named("a&b.txt")}, out);
    EXPECT_EQ(out,
              "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
              "<html>\n <head>\n  <title>Index of /d</title>\n </head>\n <body>\n"
              "<pre>\na &lt;b&gt;\n</pre>\n"
              "<ul><li><a href=\"/\"> Parent Directory</a></li>\n"
              "<li><a href=\"a&amp;b.txt\"> a&amp;b.txt</a></li>\n</ul>\n"
              "<address>X</address>\n</body></html>\n");
}

TEST(AutoindexRender, HtmlReadmeReplacesSignatureAndPostambleUnderSuppressPreamble) {
    AutoindexConfig c;
    Page page;
    page.config = &c;
    page.opts = kSuppressHtmlPreamble;
    page.title = "/";
    page.header = Insert{Insert::Kind::Html, "<html><body>HEAD\n"};
    page.readme = Insert{Insert::Kind::Html, "README</body></html>\n"};
    page.signature = "<address>X</address>\n";
    std::string out;
    render_page(page, {}, out);
    EXPECT_EQ(out, "<html><body>HEAD\n<ul></ul>\nREADME</body></html>\n");
}

TEST(AutoindexRender, FancyColumnsPadAndCut) {
    ::setenv("TZ", "UTC", 1);
    AutoindexConfig c;
    const std::string icon = "/i.gif";
    Page page;
    page.config = &c;
    page.opts = kFancyIndexing | kSuppressDescription;
    page.key = 'S';
    page.direction = 'A';
    page.colargs = ";F=1";
    page.title = "/d";
    std::vector<Entry> entries = {named("/"), named("averyveryverylongfilenamethatexceeds.txt", 5000, 1577934245000000)};
    entries[1].icon = &icon;
    entries[1].alt = "TXT";
    std::string out;
    render_page(page, entries, out);
    const std::string expected =
        "<pre>      <a href=\"?C=N;O=A;F=1\">Name</a>                    <a href=\"?C=M;O=A;F=1\">Last modified</a>"
        "      <a href=\"?C=S;O=D;F=1\">Size</a>  <hr>"
        "      <a href=\"/\">Parent Directory</a>                             -   \n"
        "<img src=\"/i.gif\" alt=\"[TXT]\"> <a href=\"averyveryverylongfilenamethatexceeds.txt\">"
        "averyveryverylongfil..&gt;</a> 2020-01-02 03:04  4.9K  \n<hr></pre>\n";
    EXPECT_NE(out.find(expected), std::string::npos) << out;
}

}  // namespace
}  // namespace sonora::modules::generators::autoindex
