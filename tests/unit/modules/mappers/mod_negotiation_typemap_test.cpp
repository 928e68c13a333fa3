// Type-map files: records, continuation and comment lines, inline bodies,
// and the errors httpd reports.

#include "modules/mappers/mod_negotiation_typemap.h"

#include <gtest/gtest.h>

namespace sonora::modules::mappers::negotiation {
namespace {

TEST(NegotiationTypeMap, RecordsBecomeVariants) {
    std::pmr::monotonic_buffer_resource arena;
    TypeMap map = parse_type_map(
        "URI: index.html\n\n"
        "# a comment\n"
        "URI: index.en.html\nContent-Type: Text/HTML; qs=0.5; level=3; charset=UTF-8\n"
        "Content-Language: EN, en-GB; fr\nContent-Encoding: x-gzip\nContent-Length: 42\n"
        "Description: \"English\" (the default)\n\n"
        "URI: index.fr.html\nContent-Type: text/html\n",
        "/srv/www/index.var", &arena);
    EXPECT_EQ(map.status, 0);
    ASSERT_EQ(map.variants.size(), 2u);  // the first record has no content header
    const Variant& en = map.variants[0];
    EXPECT_EQ(en.file_name, "index.en.html");
    EXPECT_EQ(en.mime_type, "text/html");
    EXPECT_FLOAT_EQ(en.source_quality, 0.5f);
    EXPECT_FLOAT_EQ(en.level, 3.0f);
    EXPECT_EQ(en.charset, "utf-8");
    EXPECT_EQ(en.languages, "en,en-gb,fr");
    EXPECT_EQ(en.encoding, "x-gzip");
    EXPECT_EQ(en.bytes, 42);
    EXPECT_EQ(en.description, "\"English\"" + std::string(14, ' '));  // the comment blanked, the line end dropped
    EXPECT_TRUE(en.is_pseudo_html);
    const Variant& fr = map.variants[1];
    EXPECT_EQ(fr.file_name, "index.fr.html");
    EXPECT_FLOAT_EQ(fr.source_quality, 1.0f);
    EXPECT_FLOAT_EQ(fr.level, 2.0f);  // text/html defaults to level 2
    EXPECT_EQ(fr.bytes, -1);
}

TEST(NegotiationTypeMap, ContinuationLines) {
    std::pmr::monotonic_buffer_resource arena;
    TypeMap map = parse_type_map("URI: a.html\nContent-Type: text/html;\n qs=0.25\n# between\nContent-Language: de\n",
                                 "/m.var", &arena);
    ASSERT_EQ(map.variants.size(), 1u);
    EXPECT_FLOAT_EQ(map.variants[0].source_quality, 0.25f);
    EXPECT_EQ(map.variants[0].languages, "de");
}

TEST(NegotiationTypeMap, InlineBodies) {
    std::pmr::monotonic_buffer_resource arena;
    const std::string text = "URI: b.txt\nContent-Type: text/plain\nBody:----\nhello plain\n----\n\n"
                             "URI: b.html\nContent-Type: text/html\nBody:xx  \n<b>hi</b>\nxx trailing\n";
    TypeMap map = parse_type_map(text, "/d/b.var", &arena);
    ASSERT_EQ(map.variants.size(), 2u);
    EXPECT_TRUE(map.variants[0].has_body);
    EXPECT_EQ(map.variants[0].file_name, "b.var");
    EXPECT_EQ(text.substr(map.variants[0].body_offset, static_cast<std::size_t>(map.variants[0].bytes)),
              "hello plain\n");
    EXPECT_EQ(text.substr(map.variants[1].body_offset, static_cast<std::size_t>(map.variants[1].bytes)),
              "<b>hi</b>\n");
}

TEST(NegotiationTypeMap, Errors) {
    std::pmr::monotonic_buffer_resource arena;
    TypeMap nocolon = parse_type_map("URI a.html\n", "/m.var", &arena);
    EXPECT_EQ(nocolon.status, 500);
    EXPECT_EQ(nocolon.error_id, "SN00681");
    EXPECT_EQ(nocolon.error, "Syntax error in type map, no ':' in /m.var for header uri a.html\n");
    TypeMap novalue = parse_type_map("URI:   \n", "/m.var", &arena);
    EXPECT_EQ(novalue.status, 500);
    EXPECT_EQ(novalue.error_id, "SN00682");
    // A bad length stops reading: what came before stays.
    TypeMap badlen = parse_type_map("URI: a\nContent-Type: text/plain\n\nURI: b\nContent-Length: 12x\n\nURI: c\n"
                                    "Content-Type: text/plain\n",
                                    "/m.var", &arena);
    EXPECT_EQ(badlen.status, 0);
    EXPECT_EQ(badlen.error_id, "SN00684");
    ASSERT_EQ(badlen.variants.size(), 1u);
    EXPECT_EQ(badlen.variants[0].file_name, "a");
    TypeMap notag = parse_type_map("URI: a\nContent-Type: text/plain\nBody:END\nno end\n", "/m.var", &arena);
    EXPECT_EQ(notag.error_id, "SN00685");
    EXPECT_TRUE(notag.variants.empty());
}

}  // namespace
}  // namespace sonora::modules::mappers::negotiation
