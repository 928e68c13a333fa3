// if/elif/else/endif with both expression parsers: httpd's legacy language
// (its precedence, errors and regex captures) and ap_expr (the default).
// Every expected output is what Apache 2.4.71 produced for the same document.

#include "expr/parser.h"
#include "ssi_test_host.h"

#include <gtest/gtest.h>

namespace sonora::modules::filters::ssi {
namespace {

using test::FakeHost;
using test::kErr;
using test::legacy;
using test::run1;

const std::string E(kErr);
const std::string kSetup = "<!--#set var=\"a\" value=\"abc\" --><!--#set var=\"e\" value=\"\" -->";

std::string cond(std::string_view expr) {
    return "<!--#if expr=\"" + std::string(expr) + "\" -->T<!--#else -->F<!--#endif -->";
}

std::string legacy_value(std::string_view expr) {
    FakeHost h;
    return run1(h, kSetup + cond(expr), legacy());
}

TEST(SsiConditions, LegacyOperatorsAndPrecedence) {
    EXPECT_EQ(legacy_value("$a = abc"), "T");
    EXPECT_EQ(legacy_value("$a == abc"), "T");
    EXPECT_EQ(legacy_value("$e || $a"), "T");
    // && and || share one level and group to the right.
    EXPECT_EQ(legacy_value("$e && $a || $a"), "F");
    EXPECT_EQ(legacy_value("$a || $a && $e"), "T");
    EXPECT_EQ(legacy_value("!$e"), "T");
    EXPECT_EQ(legacy_value("!($a = abc)"), "F");
    EXPECT_EQ(legacy_value("abc < abd"), "T");
    EXPECT_EQ(legacy_value("abd <= abc"), "F");
    EXPECT_EQ(legacy_value("b > abc"), "T");
    EXPECT_EQ(legacy_value("a b = 'a b'"), "T");
    EXPECT_EQ(legacy_value("a\\ b = 'a b'"), "T");
    EXPECT_EQ(legacy_value("'a' = a && (b)"), "T");
    EXPECT_EQ(legacy_value("$a != /^x/"), "T");
    EXPECT_EQ(legacy_value("-A /five.txt"), "T");
    EXPECT_EQ(legacy_value("-A /private/x"), "F");
    EXPECT_EQ(legacy_value("$a = /(/"), "T");  // a pattern that does not compile counts as true
}

TEST(SsiConditions, LegacyErrors) {
    struct Case {
        const char* expr;
        const char* log;
    };
    const Case cases[] = {
        {"!$a = abc", "SN03188 Invalid expression \"!$a = abc\" in file /srv/htdocs/dir/page.shtml"},
        {"($a = x", "SN03191 Unmatched '(' in \"($a = x\" in file /srv/htdocs/dir/page.shtml"},
        {"$a = x)", "SN03189 Unmatched ')' in \"$a = x)\" in file /srv/htdocs/dir/page.shtml"},
        {"/x/", "SN03188 Invalid expression \"/x/\" in file /srv/htdocs/dir/page.shtml"},
        {"a = b = c", "SN03188 Invalid expression \"a = b = c\" in file /srv/htdocs/dir/page.shtml"},
        {"= a", "SN03188 Invalid expression \"= a\" in file /srv/htdocs/dir/page.shtml"},
        {"a &&", "SN01332 Invalid expression \"a &&\" in file /srv/htdocs/dir/page.shtml"},
    };
    for (const Case& c : cases) {
        FakeHost h;
        EXPECT_EQ(run1(h, kSetup + "[" + cond(c.expr) + "]", legacy()), "[" + E + "]") << c.expr;
        ASSERT_FALSE(h.logs.empty());
        EXPECT_EQ(h.logs.back(), c.log);
    }
}

TEST(SsiConditions, LegacyNestingDepthIsBounded) {
    EXPECT_EQ(legacy_value("!!$a"), "T");
    EXPECT_EQ(legacy_value(std::string(1500, '!') + "$a"), "T");
    FakeHost h;
    EXPECT_EQ(run1(h, cond(std::string(5000, '!') + "$a"), legacy()), E);
    EXPECT_TRUE(h.logs.back().starts_with("SN03192 internal parser error in")) << h.logs.back();
}

TEST(SsiConditions, LegacyRegexCaptures) {
    FakeHost h;
    EXPECT_EQ(run1(h, kSetup + cond("$a = /b(c)/ && $1 = c"), legacy()), "T");
    EXPECT_EQ(run1(h, kSetup + "<!--#if expr=\"$a = /(a)(b)/\" --><!--#echo var=\"0\" -->|<!--#echo var=\"2\" -->|"
                               "<!--#echo var=\"5\" --><!--#endif -->",
                   legacy()),
              "ab|b|(none)");
    EXPECT_EQ(h.logs.back(), "SN01330 regex capture $5 is out of range (last regex was: '(a)(b)') in "
                             "/srv/htdocs/dir/page.shtml");
    FakeHost fresh;
    EXPECT_EQ(run1(fresh, "<!--#echo var=\"1\" -->"), "(none)");
    EXPECT_EQ(fresh.logs.back(), "SN01329 regex capture $1 refers to no regex in /srv/htdocs/dir/page.shtml");
    // The right side of && runs even when the left decides, while a regex is pending.
    EXPECT_EQ(run1(h, kSetup + cond("$e && $a = /(b)/") + "<!--#echo var=\"1\" -->", legacy()), "Fb");
}

TEST(SsiConditions, Branches) {
    FakeHost h;
    const Settings s = legacy();
    EXPECT_EQ(run1(h, "<!--#if expr=\"0\" -->A<!--#elif expr=\"1\" -->B<!--#elif expr=\"1\" -->C<!--#else -->D"
                      "<!--#endif -->", s),
              "A");
    EXPECT_EQ(run1(h, "<!--#if expr=\"\" -->A<!--#elif expr=\"\" -->B<!--#elif expr=\"1\" -->C<!--#else -->D"
                      "<!--#endif -->", s),
              "C");
    EXPECT_EQ(run1(h, "<!--#if expr=\"\" -->A<!--#else -->B<!--#endif -->", s), "B");
    EXPECT_EQ(run1(h, "<!--#if expr=\"1\" --><!--#if expr=\"\" -->X<!--#else -->Y<!--#endif -->Z<!--#else -->W"
                      "<!--#endif -->", s),
              "YZ");
    // Inside a false branch nested ifs are only counted, and errors stay silent.
    EXPECT_EQ(run1(h, "<!--#if expr=\"\" --><!--#if expr=\"1\" -->X<!--#else -->Y<!--#endif -->Z<!--#bogus -->"
                      "<!--#elif expr=\"1\" -->E<!--#endif -->", s),
              "E");
    EXPECT_EQ(run1(h, "[<!--#else -->hidden<!--#endif -->shown]", s), "[shown]");
    EXPECT_EQ(run1(h, "[<!--#endif -->x<!--#else-->y<!--#endif-->]", s), "[x]");
}

TEST(SsiConditions, BranchArgumentErrors) {
    FakeHost h;
    EXPECT_EQ(run1(h, "[<!--#if -->x<!--#endif -->]"), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01353 missing expr argument for if element in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "[<!--#if foo=\"1\" -->x<!--#endif -->]"), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01354 unknown parameter \"foo\" to tag if in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "[<!--#if expr=\"1\" bar=\"2\" -->x<!--#endif -->]"), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01352 too many arguments for if element in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "[<!--#if expr=\"false\" -->x]"), "[");
    EXPECT_EQ(h.logs.back(), "SN01373 missing closing endif directive in parsed document /srv/htdocs/dir/page.shtml");
}

// After a broken if or elif nothing prints up to the endif but what a later
// elif selects; the else is ignored (Apache 2.4.71 runs of this document).
TEST(SsiConditions, ABrokenConditionSilencesItsElse) {
    FakeHost h;
    const std::string doc =
        "a[<!--#if -->x<!--#else -->y<!--#endif -->z]"
        "b[<!--#if -->x<!--#elif expr=\"true\" -->y<!--#else -->w<!--#endif -->z]"
        "c[<!--#if expr=\"(\" -->x<!--#else -->y<!--#endif -->z]"
        "d[<!--#if expr=\"(\" -->x<!--#elif expr=\"true\" -->y<!--#else -->w<!--#endif -->z]"
        "e[<!--#if expr=\"false\" -->x<!--#elif expr=\"(\" -->y<!--#else -->w<!--#endif -->z]"
        "f[<!--#if expr=\"true\" -->x<!--#elif expr=\"(\" -->y<!--#else -->w<!--#endif -->z]"
        "g[<!--#if -->x<!--#elif expr=\"false\" -->y<!--#else -->w<!--#endif -->z]"
        "h[<!--#if -->x<!--#elif expr=\"true\" -->y<!--#elif expr=\"true\" -->v<!--#else -->w<!--#endif -->z]"
        "i[<!--#if -->x<!--#else -->y<!--#else -->v<!--#endif -->z]"
        "j[<!--#if expr=\"true\" -->x<!--#if -->q<!--#endif -->y<!--#else -->w<!--#endif -->z]"
        "k[<!--#if -->x<!--#if expr=\"true\" -->q<!--#else -->r<!--#endif -->y<!--#endif -->z]";
    EXPECT_EQ(run1(h, doc), "a[" + E + "z]b[" + E + "ywz]c[" + E + "z]d[" + E + "ywz]e[" + E + "z]f[xz]g[" + E +
                                "z]h[" + E + "yz]i[" + E + "z]j[x" + E + "yz]k[" + E + "z]");
}

TEST(SsiConditions, ApExprIsTheDefault) {
    FakeHost h;
    const std::string set = "<!--#set var=\"a\" value=\"abc\" -->";
    EXPECT_EQ(run1(h, set + cond("v('a') == 'abc'")), "T");
    EXPECT_EQ(run1(h, set + cond("reqenv('a') == 'abc'")), "T");
    EXPECT_EQ(run1(h, set + cond("env('a') == 'abc'")), "T");
    EXPECT_EQ(run1(h, set + cond("-z reqenv('nope')")), "T");
    EXPECT_EQ(run1(h, cond("true")), "T");
    EXPECT_EQ(run1(h, set + cond("$a = abc")), E);
    EXPECT_TRUE(h.logs.back().starts_with("SN01337 Could not parse expr \"$a = abc\" in /srv/htdocs/dir/page.shtml: "));
    EXPECT_EQ(run1(h, cond("0")), E);
    EXPECT_EQ(run1(h, cond("file('/etc/hostname') == ''")), E);  // restricted, as httpd's
    // After an ap_expr match only $0 can be echoed (httpd keeps no group count).
    EXPECT_EQ(run1(h, set + "<!--#if expr=\"reqenv('a') =~ /b(c)/\" -->T<!--#echo var=\"0\" -->"
                            "<!--#echo var=\"1\" --><!--#endif -->"),
              "Tbc(none)");
    EXPECT_EQ(h.logs.back(), "SN01330 regex capture $1 is out of range (last regex was: '(null)') in "
                             "/srv/htdocs/dir/page.shtml");
}

// v() is mod_include's: other ap_expr users (<If>, Require expr) refuse it.
TEST(SsiConditions, VIsOnlyForSsi) {
    const auto plain = expr::parse("v('a') == 'x'", expr::ParseMode::Condition);
    ASSERT_FALSE(plain.ok());
    EXPECT_EQ(plain.error().message, "Function 'v' does not exist");
    expr::ParseOptions ssi;
    ssi.ssi_functions = true;
    EXPECT_TRUE(expr::parse("v('a') == 'x'", ssi).ok());
}

}  // namespace
}  // namespace sonora::modules::filters::ssi
