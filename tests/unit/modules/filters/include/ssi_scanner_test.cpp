// The SSI tag scanner: element and argument grammar, chunk boundaries at every
// byte, partial start tags given back as text, custom tags, unterminated
// elements. Where a case shows output, Apache 2.4.71 gives the same bytes
// (runs of mod_include with these documents).

#include "modules/filters/include/ssi_scanner.h"
#include "ssi_test_host.h"

#include <gtest/gtest.h>

namespace sonora::modules::filters::ssi {
namespace {

using test::FakeHost;
using test::kErr;
using test::run1;

// Scans `doc` in one chunk; renders text as is and elements as {name|a=v|b}.
std::string scan_all(std::string_view doc, std::string_view start = "<!--#", std::string_view end = "-->") {
    Scanner s(start, end);
    s.feed(doc);
    std::string out;
    bool finished = false;
    for (;;) {
        switch (s.next()) {
        case Scanner::Event::Text:
            out.append(s.text());
            break;
        case Scanner::Event::Element: {
            out += "{" + s.element().name;
            for (const TagArg& a : s.element().args) {
                out += "|" + a.name + (a.value ? "=" + *a.value : "");
            }
            out += s.element().fault != Element::Fault::None ? "!}" : "}";
            break;
        }
        case Scanner::Event::NeedInput:
            if (finished) {
                return out + "<loop>";
            }
            s.finish();
            finished = true;
            break;
        case Scanner::Event::Unterminated:
            out += "{unterminated}";
            break;
        case Scanner::Event::End:
            return out;
        }
    }
}

TEST(SsiScanner, ElementsAndArguments) {
    EXPECT_EQ(scan_all("a<!--#echo var=\"x\" -->b"), "a{echo|var=x}b");
    EXPECT_EQ(scan_all("<!--#ECHO VAR='x' Encoding=`none` -->"), "{echo|var=x|encoding=none}");
    EXPECT_EQ(scan_all("<!--#printenv-->"), "{printenv}");
    EXPECT_EQ(scan_all("<!--#echo var = \"a\" -->"), "{echo|var=a}");
    EXPECT_EQ(scan_all("<!--#echo var=a -->"), "{echo|var=a}");
    EXPECT_EQ(scan_all("<!--#echo var -->"), "{echo|var}");
    EXPECT_EQ(scan_all("<!--#echo var=\"a\"-->"), "{echo|var=a}");
    // An unquoted value runs to white space, through the end tag.
    EXPECT_EQ(scan_all("<!--#echo var=a-->]x -->"), "{echo|var=a-->]x}");
    // The name ends at the first end tag, even right after a partial one.
    EXPECT_EQ(scan_all("<!--#printenv--->"), "{printenv-}");
    EXPECT_EQ(scan_all("<!--#endif-x -->"), "{endif-x}");
    // Where an argument may start, a near miss of the end tag is an argument.
    EXPECT_EQ(scan_all("<!--#echo var=\"a\" -x=\"1\" -->"), "{echo|var=a|-x=1}");
    EXPECT_EQ(scan_all("<!<!--#e -->-"), "<!{e}-");
}

TEST(SsiScanner, QuotesAndBackslashes) {
    EXPECT_EQ(scan_all(R"(<!--#set value="a\"b\c" -->)"), R"({set|value=a"b\c})");
    EXPECT_EQ(scan_all(R"(<!--#set value='it\'s' -->)"), "{set|value=it's}");
    // "\\" does not escape the backslash: the quote after it is escaped.
    EXPECT_EQ(scan_all(R"(<!--#set value="a\\" b" -->)"), R"({set|value=a\" b})");
    EXPECT_EQ(scan_all("<!--#set value=\"a'b`c\" -->"), "{set|value=a'b`c}");
}

TEST(SsiScanner, FaultsAreKeptWithTheElement) {
    EXPECT_EQ(scan_all("<!--# echo var=\"a\" -->"), "{|echo|var=a!}");
    EXPECT_EQ(scan_all("<!--#echo \"a\" -->"), "{echo|=a!}");
    EXPECT_EQ(scan_all("<!--#echo =x -->"), "{echo|=x!}");
    EXPECT_EQ(scan_all("<!--#-->"), "{!}");
}

TEST(SsiScanner, CustomTags) {
    EXPECT_EQ(scan_all("a[%echo var=x %]b<!--#x -->", "[%", "%]"), "a{echo|var=x}b<!--#x -->");
    EXPECT_EQ(scan_all("a<#echo var=\"x\">b", "<#", ">"), "a{echo|var=x}b");
    EXPECT_EQ(scan_all("a<#echo var=x>b", "<#", ">"), "a{unterminated}");
}

// Apache 2.4.71 with SSIStartTag "[%" and SSIEndTag "%]", document ct.shtml.
TEST(SsiScanner, CustomTagsInTheProcessor) {
    FakeHost h;
    Settings s;
    s.start_tag = "[%";
    s.end_tag = "%]";
    Document d = test::test_document();
    d.filename = "/srv/htdocs/ct.shtml";
    const std::string doc =
        "a[%echo var=\"DOCUMENT_NAME\" %]b<!--#echo var=\"x\" -->c[%echo var=x%]d %]e[[%%echo%]f[%printenv%%]g";
    const std::string expected =
        "act.shtmlb<!--#echo var=\"x\" -->c(none)e[" + std::string(kErr) + "f" + std::string(kErr) + "g";
    for (std::size_t cut = 0; cut <= doc.size(); ++cut) {
        FakeHost host;
        EXPECT_EQ(test::run_document(host, {std::string_view(doc).substr(0, cut), std::string_view(doc).substr(cut)},
                                     s, d),
                  expected)
            << "split at " << cut;
    }
    test::run_document(h, {doc}, s, d);
    EXPECT_EQ(h.logs.back(), "SN01371 unknown directive \"printenv%\" in parsed doc /srv/htdocs/ct.shtml");
}

TEST(SsiScanner, EndOfInput) {
    EXPECT_EQ(scan_all("a<!--"), "a<!--");
    EXPECT_EQ(scan_all("a<!--#"), "a{unterminated}");
    EXPECT_EQ(scan_all("a<!--#echo var=\"x\""), "a{unterminated}");
    EXPECT_EQ(scan_all("a<!--#echo var=\"x\" --"), "a{unterminated}");
    EXPECT_EQ(scan_all("<<<!--!--#"), "<<<!--!--#");
}

TEST(SsiScanner, TextIsAViewOfTheChunk) {
    Scanner s("<!--#", "-->");
    const std::string doc = "plain text with <!-- a comment --> in it";
    s.feed(doc);
    ASSERT_EQ(s.next(), Scanner::Event::Text);
    EXPECT_EQ(s.text().data(), doc.data());
    EXPECT_EQ(s.text(), doc);
    EXPECT_EQ(s.next(), Scanner::Event::NeedInput);
}

// Apache 2.4 gives the same bytes for this document, whatever its buckets.
TEST(SsiScanner, EverySplitIntoTwoChunksGivesTheSameOutput) {
    const std::string doc =
        "<!--#set var=\"a\" value='v w' -->x<!-<!--#echo var=\"a\" encoding=\"none\"-->y<!--#printenv--->"
        "<!--#echo var=a -- -->z<!---#echo -->";
    FakeHost whole_host;
    const std::string whole = run1(whole_host, doc);
    EXPECT_EQ(whole, "x<!-v wy" + std::string(kErr) + "v wz<!---#echo -->");
    for (std::size_t cut = 0; cut <= doc.size(); ++cut) {
        FakeHost host;
        const std::string out =
            test::run_document(host, {std::string_view(doc).substr(0, cut), std::string_view(doc).substr(cut)}, {});
        EXPECT_EQ(out, whole) << "split at " << cut;
    }
}

TEST(SsiScanner, OneByteChunks) {
    const std::string doc = "ab<!--#echo var=\"DOCUMENT_NAME\" -->c<!--";
    std::vector<std::string_view> chunks;
    for (std::size_t i = 0; i < doc.size(); ++i) {
        chunks.push_back(std::string_view(doc).substr(i, 1));
    }
    FakeHost host;
    EXPECT_EQ(test::run_document(host, chunks, {}), "abpage.shtmlc<!--");
}

}  // namespace
}  // namespace sonora::modules::filters::ssi
