// Apache's variant selection: each dimension, the fiddles, the tie breaks,
// and the headers and list that describe the result.

#include "modules/mappers/mod_negotiation_choose.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sonora::modules::mappers::negotiation {
namespace {

Variant make(std::string_view name, std::string_view type, std::string_view lang = {}, std::int64_t bytes = 10,
             std::string_view encoding = {}, std::string_view charset = {}) {
    Variant v;
    v.file_name = name;
    AcceptItem t;
    t.name = type;
    t.level = type == "text/html" ? 2.0f : 0.0f;
    t.charset = charset;
    v.set_content_type(t);
    v.languages = lang;
    v.bytes = bytes;
    v.encoding = encoding;
    return v;
}

struct Chooser {
    std::pmr::monotonic_buffer_resource arena;
    Negotiation neg{&arena};
    std::vector<std::string> priority;
    std::optional<std::string> accept, encoding, charset, language;

    std::string choose(std::vector<Variant> variants, Outcome* outcome = nullptr) {
        neg.read_headers(accept, encoding, charset, language);
        neg.languages.priority = priority;
        neg.add_default_accepts(false);
        Variant* best = nullptr;
        Outcome o = best_match(neg, variants, best);
        if (outcome != nullptr) {
            *outcome = o;
        }
        return best != nullptr && o == Outcome::Choice ? std::string(best->file_name) : std::string("-");
    }
};

TEST(NegotiationChoose, MediaTypeByQuality) {
    Chooser c;
    c.accept = "text/html, text/plain;q=0.5";
    EXPECT_EQ(c.choose({make("t.txt", "text/plain"), make("t.html", "text/html")}), "t.html");
    Chooser d;
    d.accept = "text/html;q=0.4, text/plain;q=0.5";
    EXPECT_EQ(d.choose({make("t.txt", "text/plain"), make("t.html", "text/html")}), "t.txt");
}

TEST(NegotiationChoose, WildcardsCountLittleWithoutExplicitQ) {
    // "image/*, text/html": without q-values, the wildcard is a 0.02.
    Chooser c;
    c.accept = "image/*, text/html";
    EXPECT_EQ(c.choose({make("a.gif", "image/gif", {}, 1), make("a.html", "text/html", {}, 100)}), "a.html");
    // With a q-value anywhere the fiddle is off: equal q, shorter wins.
    Chooser d;
    d.accept = "image/*, text/html;q=1.0, text/plain;q=0.9";
    EXPECT_EQ(d.choose({make("a.gif", "image/gif", {}, 1), make("a.html", "text/html", {}, 100)}), "a.gif");
}

TEST(NegotiationChoose, NotAcceptableIsAList) {
    Chooser c;
    c.accept = "te/*";
    Outcome o;
    EXPECT_EQ(c.choose({make("a.txt", "text/plain")}, &o), "-");
    EXPECT_EQ(o, Outcome::List);
    for (const char* bad : {"", "*bad", "/*", "*/"}) {
        Chooser b;
        b.accept = bad;
        EXPECT_EQ(b.choose({make("a.txt", "text/plain")}), "-") << bad;
    }
    Chooser star;
    star.accept = "*";
    EXPECT_EQ(star.choose({make("a.txt", "text/plain")}), "a.txt");
}

TEST(NegotiationChoose, LanguagesAndPrefixes) {
    Chooser c;
    c.language = "en; q=0.1, fr; q=0.4, fu; q=0.9, de; q=0.2";
    EXPECT_EQ(c.choose({make("i.de", "text/html", "de"), make("i.en", "text/html", "en"),
                        make("i.fr", "text/html", "fr"), make("i.fu", "text/html", "fu")}),
              "i.fu");
    // A range matches a longer tag up to a '-'.
    Chooser p;
    p.language = "en";
    EXPECT_EQ(p.choose({make("i.de", "text/html", "de"), make("i.en-gb", "text/html", "en-gb")}), "i.en-gb");
    // en-us still takes en, at the fiddle's 0.001 rather than not at all.
    Chooser f;
    f.language = "en-us, de;q=0.0005";
    EXPECT_EQ(f.choose({make("i.de", "text/html", "de"), make("i.en", "text/html", "en")}), "i.en");
    // Unknown language only: nothing acceptable (406), unless no variant has a language.
    Chooser none;
    none.language = "ja";
    EXPECT_EQ(none.choose({make("i.de", "text/html", "de")}), "-");
    Chooser nolang;
    nolang.language = "ja";
    EXPECT_EQ(nolang.choose({make("i.html", "text/html")}), "i.html");
    // A variant without a language is the last resort when others have one.
    Chooser mixed;
    mixed.language = "ja";
    EXPECT_EQ(mixed.choose({make("i.de", "text/html", "de"), make("i.html", "text/html")}), "i.html");
}

TEST(NegotiationChoose, LanguagePriorityBreaksTies) {
    Chooser c;
    c.priority = {"fr", "en"};
    EXPECT_EQ(c.choose({make("i.de", "text/html", "de", 1), make("i.en", "text/html", "en", 1),
                        make("i.fr", "text/html", "fr", 5)}),
              "i.fr");
    // Without LanguagePriority the shortest wins, then the first.
    Chooser d;
    EXPECT_EQ(d.choose({make("i.de", "text/html", "de", 8), make("i.en", "text/html", "en", 8),
                        make("i.fr", "text/html", "fr", 10)}),
              "i.de");
}

TEST(NegotiationChoose, ForceLanguagePriorityFallback) {
    Chooser c;
    c.priority = {"fr", "en"};
    c.language = "ja";
    EXPECT_EQ(c.choose({make("i.en", "text/html", "en"), make("i.fr", "text/html", "fr")}), "-");
    Chooser f;
    f.priority = {"fr", "en"};
    f.language = "ja";
    f.neg.languages.fallback = true;
    EXPECT_EQ(f.choose({make("i.en", "text/html", "en"), make("i.fr", "text/html", "fr")}), "i.fr");
    // Prefer off: equal qualities fall through to the length.
    Chooser n;
    n.priority = {"fr", "en"};
    n.neg.languages.prefer = false;
    EXPECT_EQ(n.choose({make("i.en", "text/html", "en", 1), make("i.fr", "text/html", "fr", 2)}), "i.en");
}

TEST(NegotiationChoose, EncodingAndCharset) {
    Chooser none;
    EXPECT_EQ(none.choose({make("z.gz", "text/html", {}, 2, "x-gzip"), make("z.html", "text/html", {}, 5)}),
              "z.html");
    Chooser gz;
    gz.encoding = "gzip";
    EXPECT_EQ(gz.choose({make("z.gz", "text/html", {}, 2, "x-gzip"), make("z.html", "text/html", {}, 5)}),
              "z.gz");
    Chooser empty;  // an empty Accept-Encoding still takes identity, barely
    empty.encoding = "";
    EXPECT_EQ(empty.choose({make("z.gz", "text/html", {}, 2, "x-gzip"), make("z.html", "text/html", {}, 5)}),
              "z.html");
    Chooser cs;
    cs.charset = "utf-8";
    EXPECT_EQ(cs.choose({make("a.l1", "text/html", {}, 1, {}, "iso-8859-1"), make("a.u8", "text/html", {}, 9, {}, "utf-8")}),
              "a.u8");
    Chooser cs2;  // no charset on a text type is Latin-1, acceptable by default
    cs2.charset = "utf-8";
    EXPECT_EQ(cs2.choose({make("a.txt", "text/plain", {}, 1), make("a.k", "text/plain", {}, 9, {}, "koi8-r")}),
              "a.txt");
}

TEST(NegotiationChoose, SourceQualityAndLevel) {
    Chooser c;
    Variant low = make("m.en", "text/html", "en");
    low.source_quality = 0.5f;
    EXPECT_EQ(c.choose({low, make("m.fr", "text/html", "fr", 100)}), "m.fr");
    Chooser lv;
    lv.accept = "text/html;level=3";
    Variant l3 = make("h3", "text/html", {}, 100);
    l3.level = 3;
    EXPECT_EQ(lv.choose({make("h2", "text/html", {}, 1), l3}), "h3");
    Chooser lv2;  // no level asked for: the lower level is safer
    lv2.accept = "text/html";
    EXPECT_EQ(lv2.choose({l3, make("h2", "text/html", {}, 100)}), "h2");
}

TEST(NegotiationChoose, NegotiateHeader) {
    Chooser c;
    c.neg.read_negotiate("trans", std::nullopt);
    Outcome o;
    EXPECT_EQ(c.choose({make("a.en", "text/html", "en")}, &o), "-");
    EXPECT_EQ(o, Outcome::List);
    EXPECT_TRUE(c.neg.ua_supports_trans);
    Chooser lynx;
    lynx.neg.read_negotiate("trans", "Lynx/2.8");
    EXPECT_TRUE(lynx.neg.may_choose);
    Chooser star;
    star.neg.read_negotiate("trans, *", std::nullopt);
    EXPECT_TRUE(star.neg.may_choose);
    EXPECT_TRUE(star.neg.dont_fiddle_headers);
    Chooser rvsa;
    rvsa.neg.read_negotiate("1.0", std::nullopt);
    EXPECT_TRUE(rvsa.neg.use_rvsa);
    rvsa.language = "en";
    EXPECT_EQ(rvsa.choose({make("a.en", "text/html", "en")}), "-");  // */* is not definite
    Chooser rvsa2;
    rvsa2.neg.read_negotiate("1.0", std::nullopt);
    rvsa2.language = "en";
    rvsa2.accept = "text/html";
    EXPECT_EQ(rvsa2.choose({make("a.en", "text/html", "en")}), "a.en");
}

TEST(NegotiationChoose, PreferLanguageAndNoGzip) {
    Chooser c;
    c.neg.prefer_language = "fr";
    c.language = "en";
    EXPECT_EQ(c.choose({make("i.en", "text/html", "en"), make("i.fr", "text/html", "fr")}), "i.fr");
    Chooser g;
    g.encoding = "gzip";
    g.neg.discard_encodings = 1;
    EXPECT_EQ(g.choose({make("z.gz", "text/html", {}, 2, "gzip"), make("z.html", "text/html", {}, 5)}), "z.html");
}

TEST(NegotiationChoose, HeadersAndList) {
    std::pmr::monotonic_buffer_resource arena;
    Negotiation neg(&arena);
    neg.is_transparent = true;
    neg.send_alternates = true;
    std::vector<Variant> vs = {make("d.de", "text/html", "de", 8), make("d e", "text/html", "en", 8)};
    vs[0].source_quality = 1.0f;
    vs[1].source_quality = 0.25f;
    vs[1].description = "\"Eng\"";
    NegotiatedHeaders h = negotiated_headers(neg, vs, Outcome::List);
    EXPECT_EQ(h.vary, "negotiate,accept-language");
    EXPECT_EQ(h.tcn, "list");
    EXPECT_EQ(h.alternates, "{\"d.de\" 1 {type text/html} {language de} {length 8}}, "
                            "{\"d%20e\" 0.25 {type text/html} {language en} {length 8}}");
    EXPECT_EQ(variant_list_html(vs), "Available variants:\n<ul>\n"
                                     "<li><a href=\"d.de\">d.de</a> , type text/html, language de</li>\n"
                                     "<li><a href=\"d%20e\">d e</a> \"Eng\", type text/html, language en</li>\n"
                                     "</ul>\n");
    neg.is_transparent = false;
    neg.send_alternates = false;
    std::vector<Variant> same = {make("a", "text/html", {}, 1), make("b", "text/plain", {}, 1, "gzip")};
    h = negotiated_headers(neg, same, Outcome::Choice);
    EXPECT_EQ(h.vary, "accept,accept-encoding");
    EXPECT_EQ(h.tcn, "");
    EXPECT_EQ(h.alternates, "");
}

}  // namespace
}  // namespace sonora::modules::mappers::negotiation
