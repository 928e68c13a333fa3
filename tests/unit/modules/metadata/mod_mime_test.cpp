// mod_mime: directive storage, the extension table merge (Add*/Remove*),
// MultiviewsMatch rules, errors worded as httpd's, the mime.types loader.

#include "../../support/config_fixture.h"
#include "modules/core/core_config.h"
#include "modules/metadata/mod_mime.h"

#include <gtest/gtest.h>

namespace sonora::modules::metadata {
namespace {

using config::ConfigError;
using core::server_config;
using test::ConfigRoot;

const MimeDirConfig& defaults(const config::Generation& g) {
    return *g.main.lookup_defaults.get<MimeDirConfig>(mime_module.index);
}
const MimeDirConfig& dir_section(const config::Generation& g, std::size_t i) {
    return *server_config(g.main).sec_dir.at(i)->config.get<MimeDirConfig>(mime_module.index);
}

ConfigError load_error(const std::string& conf) {
    ConfigRoot root;
    try {
        root.load(conf);
    } catch (const ConfigError& e) {
        return e;
    }
    ADD_FAILURE() << "no error for:\n" << conf;
    return ConfigError("none");
}

TEST(ModMime, AddDirectivesStoreLowercasedValuesPerExtension) {
    ConfigRoot root;
    auto g = root.load(
        "AddType Text/HTML .SHTML htm\n"
        "AddCharset UTF-8 .utf8\n"
        "AddEncoding x-gzip .gz .tgz\n"
        "AddLanguage EN-us .en\n"
        "AddHandler CGI-Script .cgi\n"
        "AddInputFilter A;B .in\n"
        "AddOutputFilter INCLUDES;DEFLATE .shtml\n"
        "DefaultLanguage fr\n");
    const auto& c = defaults(*g);
    ASSERT_NE(c.find("shtml"), nullptr);
    EXPECT_EQ(c.find("shtml")->type, "text/html");
    EXPECT_EQ(c.find("shtml")->output_filters, "includes;deflate");
    EXPECT_EQ(c.find("htm")->type, "text/html");
    EXPECT_EQ(c.find("utf8")->charset, "utf-8");
    EXPECT_EQ(c.find("gz")->encoding, "x-gzip");
    EXPECT_EQ(c.find("tgz")->encoding, "x-gzip");
    EXPECT_EQ(c.find("en")->language, "en-us");
    EXPECT_EQ(c.find("cgi")->handler, "cgi-script");
    EXPECT_EQ(c.find("in")->input_filters, "a;b");
    EXPECT_EQ(c.find(".shtml"), nullptr);  // keys carry no dot
    EXPECT_EQ(c.default_language, "fr");
    EXPECT_FALSE(c.use_path_info);
    EXPECT_FALSE(c.multiviews_match);
}

TEST(ModMime, ChildOverlaysParentAttributeByAttribute) {
    ConfigRoot root;
    auto g = root.load(
        "AddType text/plain .txt\nAddLanguage en .txt\nDefaultLanguage en\n"
        "<Directory /srv>\nAddType text/x-custom .TXT\nAddHandler h .new\nModMimeUsePathInfo on\n"
        "MultiviewsMatch Handlers Filters\n</Directory>\n");
    auto m = MimeDirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_EQ(m.find("txt")->type, "text/x-custom");
    EXPECT_EQ(m.find("txt")->language, "en");
    EXPECT_EQ(m.find("new")->handler, "h");
    EXPECT_EQ(m.default_language, "en");
    EXPECT_EQ(m.use_path_info, true);
    EXPECT_EQ(m.multiviews_match, kMatchHandlers | kMatchFilters);
    // Parent untouched.
    EXPECT_EQ(defaults(*g).find("txt")->type, "text/plain");
}

TEST(ModMime, RemoveClearsParentAndOwnMappingsWhenMerged) {
    ConfigRoot root;
    auto g = root.load(
        "AddType text/plain .txt\nAddHandler cgi-script .cgi\nAddLanguage en .txt\n"
        "<Directory /srv>\nRemoveType .TXT\nRemoveHandler cgi\nAddCharset utf-8 .x\nRemoveCharset "
        "x\n"
        "</Directory>\n"
        "<Directory /srv/sub>\nRemoveLanguage .txt\n</Directory>\n");
    auto m = MimeDirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_FALSE(m.find("txt")->type);
    EXPECT_EQ(m.find("txt")->language, "en");
    EXPECT_FALSE(m.find("cgi")->handler);
    EXPECT_FALSE(m.find("x")->charset);  // removed although added in the same section, after it
    EXPECT_TRUE(m.removals.empty());
    // Nested level: the next section's removals apply to the merged result.
    auto m2 = MimeDirConfig::merge(m, dir_section(*g, 1));
    EXPECT_FALSE(m2.find("txt")->language);
    // The server level's own config keeps its adds (removals act only on merge).
    EXPECT_EQ(defaults(*g).find("txt")->type, "text/plain");
}

TEST(ModMime, RemoveFiltersAndEncoding) {
    ConfigRoot root;
    auto g = root.load(
        "AddInputFilter f .a\nAddOutputFilter g .a\nAddEncoding gzip .a\n"
        "<Directory /srv>\nRemoveInputFilter a\nRemoveOutputFilter .a\nRemoveEncoding "
        ".a\n</Directory>\n");
    auto m = MimeDirConfig::merge(defaults(*g), dir_section(*g, 0));
    EXPECT_FALSE(m.find("a")->input_filters);
    EXPECT_FALSE(m.find("a")->output_filters);
    EXPECT_FALSE(m.find("a")->encoding);
}

TEST(ModMime, FilesInsideDirectoryMergesLast) {
    ConfigRoot root;
    auto g = root.load(
        "AddType a/a .x\n<Directory /srv>\nAddType b/b .x\n<Files *.x>\nAddType c/c "
        ".x\n</Files>\n</Directory>\n");
    const auto& dir = server_config(g->main).sec_dir.at(0)->config;
    const auto* core_dir = dir.get<core::CoreDirConfig>(core::core_module.index);
    ASSERT_EQ(core_dir->sec_file.size(), 1u);
    const auto* files = core_dir->sec_file[0]->config.get<MimeDirConfig>(mime_module.index);
    auto m = MimeDirConfig::merge(MimeDirConfig::merge(defaults(*g), dir_section(*g, 0)), *files);
    EXPECT_EQ(m.find("x")->type, "c/c");
}

TEST(ModMime, MultiviewsMatchAccumulatesWithinAContext) {
    ConfigRoot root;
    auto g = root.load(
        "MultiviewsMatch handlers\nMultiviewsMatch filters\n<Directory /a>\nMultiviewsMatch Any "
        "any\n"
        "</Directory>\n<Directory /b>\nMultiviewsMatch NegotiatedOnly\n</Directory>\n");
    EXPECT_EQ(defaults(*g).multiviews_match, kMatchHandlers | kMatchFilters);
    EXPECT_EQ(dir_section(*g, 0).multiviews_match, kMatchAny);
    EXPECT_EQ(dir_section(*g, 1).multiviews_match, kMatchNegotiatedOnly);
}

TEST(ModMime, TypesConfigIsPerServerAndLoadedAfterReading) {
    ConfigRoot root;
    root.write("conf/my.types", "# comment\ntext/html html htm\nimage/PNG PNG\n");
    auto g = root.load(
        "TypesConfig conf/my.types\n<VirtualHost *:80>\nTypesConfig /elsewhere\n</VirtualHost>\n");
    const auto& main = g->main_conf<MimeServerConfig>(mime_module);
    EXPECT_EQ(main.types_config, "conf/my.types");
    EXPECT_EQ(types_config_path(*g), root.path() + "/conf/my.types");
    ASSERT_TRUE(main.types);
    EXPECT_FALSE(main.types_error);
    EXPECT_EQ(*main.types->find("png"), "image/PNG");
    const auto& vh =
        config::Generation::server_conf<MimeServerConfig>(*g->vhosts.at(0), mime_module);
    EXPECT_EQ(vh.types_config, "/elsewhere");
    EXPECT_EQ(vh.types, main.types);  // only the main server's file is read, as httpd does
}

TEST(ModMime, MissingTypesFilePassesReadingButIsRecorded) {
    // httpd: -t says "Syntax OK"; starting fails with AH01597.
    ConfigRoot root;
    auto g = root.load("TypesConfig nonexist\n");
    const auto& main = g->main_conf<MimeServerConfig>(mime_module);
    EXPECT_FALSE(main.types);
    EXPECT_EQ(main.types_error,
              "could not open mime types config file " + root.path() + "/nonexist.");
    auto dflt = root.load("ServerName x\n");
    EXPECT_EQ(dflt->main_conf<MimeServerConfig>(mime_module).types_error,
              "could not open mime types config file " + root.path() + "/conf/mime.types.");
    std::string error;
    EXPECT_FALSE(
        load_mime_types(root.path() + "/htdocs", error));  // a directory is not a types file
    EXPECT_EQ(error, "could not open mime types config file " + root.path() + "/htdocs.");
}

TEST(MimeTypesFile, ParsesTypesExtensionsCommentsAndContinuations) {
    auto t = parse_mime_types(
        "# full-line comment\n"
        "   # indented comment\n"
        "\n"
        "text/html\thtml HTM\n"
        "application/x-empty\n"
        "text/plain txt \\\n"
        "   text conf\n"
        "text/other txt\n"
        "  application/json   json  \r\n");
    EXPECT_EQ(*t.find("html"), "text/html");
    EXPECT_EQ(*t.find("htm"), "text/html");
    EXPECT_EQ(*t.find("txt"), "text/other");  // later line wins
    EXPECT_EQ(*t.find("text"), "text/plain");
    EXPECT_EQ(*t.find("conf"), "text/plain");
    EXPECT_EQ(*t.find("json"), "application/json");
    EXPECT_EQ(t.find("HTM"), nullptr);  // keys are lowercase
    EXPECT_EQ(t.by_extension.size(), 6u);
}

TEST(ModMime, ErrorsAsHttpdWordsThem) {
    struct Case {
        std::string conf;
        std::string message;
        int line;
    };
    const Case cases[] = {
        {"MultiviewsMatch foo", "Unrecognized option 'foo'", 1},
        {"MultiviewsMatch any handlers", "Handlers is incompatible with Any and NegotiatedOnly", 1},
        {"MultiviewsMatch NegotiatedOnly filters",
         "Filters is incompatible with Any and NegotiatedOnly", 1},
        {"MultiviewsMatch handlers NegotiatedOnly",
         "NegotiatedOnly is incompatible with Any, Filters and Handlers", 1},
        {"ServerName x\nMultiviewsMatch handlers\nMultiviewsMatch any",
         "Any is incompatible with NegotiatedOnly, Filters and Handlers", 3},
        {"<Location />\nMultiviewsMatch any\n</Location>",
         "MultiviewsMatch cannot occur within <Location> section", 2},
        {"ModMimeUsePathInfo on", "ModMimeUsePathInfo not allowed here", 1},
        {"<Directory />\nModMimeUsePathInfo maybe\n</Directory>",
         "ModMimeUsePathInfo must be On or Off", 2},
        {"<Directory />\nTypesConfig a\n</Directory>",
         "TypesConfig not allowed in <Directory> context", 2},
        {"AddType text/html",
         "AddType requires at least two arguments, media type, then the extensions that carry it",
         1},
        {"RemoveType",
         "RemoveType requires at least one argument, extensions whose AddType mapping is dropped",
         1},
        {"DefaultLanguage a b",
         "DefaultLanguage takes one argument, language given to files whose extensions name none",
         1},
        {"TypesConfig a b",
         "TypesConfig takes one argument, file listing media types and their extensions "
         "(mime.types)",
         1},
    };
    for (const Case& c : cases) {
        ConfigError e = load_error(c.conf);
        EXPECT_EQ(e.what(), c.message) << c.conf;
        EXPECT_EQ(e.line, c.line) << c.conf;
    }
}

TEST(ModMime, IsStatic) {
    ConfigRoot root;
    auto g = root.load("<IfModule mod_mime.c>\nAddType a/b .c\n</IfModule>\n");
    EXPECT_TRUE(mime_module.is_static);
    EXPECT_EQ(defaults(*g).find("c")->type, "a/b");
}

}  // namespace
}  // namespace sonora::modules::metadata
