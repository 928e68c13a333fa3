// The SSI elements other than the conditionals: echo and set with their
// encodings, config, fsize, flastmod, printenv, include, exec, unknown
// elements and the standard variables. Every expected output is what Apache
// 2.4.71 with mod_include produced for the same document.

#include "core/strings.h"
#include "modules/filters/include/ssi_text.h"
#include "ssi_test_host.h"

#include <gtest/gtest.h>

namespace sonora::modules::filters::ssi {
namespace {

using test::FakeHost;
using test::kErr;
using test::run1;

const std::string E(kErr);

TEST(SsiElements, EchoEncodings) {
    FakeHost h;
    const std::string set = "<!--#set var=\"x\" value=\"a<b>&'\\\"c d/\xc3\xa9?%=+\" -->";
    EXPECT_EQ(run1(h, set + "<!--#echo encoding=\"none\" var=\"x\" -->"), "a<b>&'\"c d/\xc3\xa9?%=+");
    EXPECT_EQ(run1(h, "<!--#echo encoding=\"url\" var=\"x\" -->"), "a%3cb%3e&'%22c%20d/%c3%a9%3f%25=+");
    EXPECT_EQ(run1(h, "<!--#echo encoding=\"urlencoded\" var=\"x\" -->"), "a%3cb%3e%26%27%22c+d%2f%c3%a9%3f%25%3d%2b");
    EXPECT_EQ(run1(h, "<!--#echo var=\"x\" -->"), "a&lt;b&gt;&amp;'&quot;c d/\xc3\xa9?%=+");
    EXPECT_EQ(run1(h, "<!--#echo encoding=\"base64\" var=\"x\" -->"), "YTxiPiYnImMgZC/DqT8lPSs=");
    EXPECT_EQ(run1(h, "<!--#echo encoding=\"bogus\" var=\"x\" -->"), E);
    EXPECT_EQ(h.logs.back(), "SN01345 unknown value \"bogus\" to parameter \"encoding\" of tag echo in "
                             "/srv/htdocs/dir/page.shtml");
    // The encoding applies to the vars after it.
    EXPECT_EQ(run1(h, "<!--#echo var=\"x\" encoding=\"none\" -->"), "a&lt;b&gt;&amp;'&quot;c d/\xc3\xa9?%=+");
}

TEST(SsiElements, EchoDecodings) {
    FakeHost h;
    EXPECT_EQ(run1(h, "<!--#set var=\"b\" value=\"aGVsbG8gd29ybGQ=\" -->"
                      "<!--#echo decoding=\"base64\" encoding=\"none\" var=\"b\" -->"),
              "hello world");
    run1(h, "<!--#set var=\"u\" value=\"a%20b%2Fc+d%zz\" -->");
    EXPECT_EQ(run1(h, "<!--#echo decoding=\"url\" encoding=\"none\" var=\"u\" -->"), "a b/c+d%zz");
    EXPECT_EQ(run1(h, "<!--#echo decoding=\"urlencoded\" encoding=\"none\" var=\"u\" -->"), "a b/c d%zz");
    run1(h, "<!--#set var=\"e\" value=\"&lt;&amp;&#65;&#7;&eacute;&bogus;&quot\" -->");
    EXPECT_EQ(run1(h, "<!--#echo decoding=\"entity\" encoding=\"none\" var=\"e\" -->"), "<&A\xe9&bogus;&quot");
    EXPECT_EQ(run1(h, "<!--#echo decoding=\"entity,url\" encoding=\"url,base64\" var=\"e\" -->"),
              "JTNjJkElZTkmYm9ndXM7JnF1b3Q=");
}

TEST(SsiElements, EchoArguments) {
    FakeHost h;
    EXPECT_EQ(run1(h, "[<!--#echo var=\"nope\" -->]"), "[(none)]");
    EXPECT_EQ(run1(h, "<!--#set var=\"x\" value=\"1\" --><!--#echo var=\"x\" bogus=\"1\" -->"), "1" + E);
    EXPECT_EQ(h.logs.back(), "SN01346 unknown parameter \"bogus\" in tag echo of /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "<!--#echo -->"), E);
    EXPECT_EQ(run1(h, "[<!--#echo var -->]"), "[]");
    EXPECT_EQ(run1(h, "<!--#echo var=\"&lt;x\" -->"), "(none)");
    EXPECT_EQ(run1(h, "<!--#set var=\"v1\" value=\"A\" --><!--#echo var=\"v1\" var=\"v1\" -->"), "AA");
}

TEST(SsiElements, SetSubstitutesVariables) {
    FakeHost h;
    EXPECT_EQ(run1(h, "<!--#set var=\"v1\" value=\"A\" --><!--#set var=\"v2\" value=\"${v1}B$v1\\$v1\\x$\" -->"
                      "<!--#echo var=\"v2\" -->"),
              "ABA$v1\\x$");
    EXPECT_EQ(run1(h, "<!--#set var=\"v3\" value=\"${nope}|$nope|${v1\" --><!--#echo var=\"v3\" -->"), "||");
    EXPECT_EQ(h.logs.back(), "SN01331 Missing '}' on variable \"v1\" in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "<!--#set var=\"s\" value=\"x\" encoding=\"base64\" --><!--#echo var=\"s\" -->"), "x");
    EXPECT_EQ(run1(h, "<!--#set var=\"s2\" value=\"eA==\" decoding=\"base64\" encoding=\"entity\" -->"
                      "<!--#echo var=\"s2\" -->"),
              "eA==");
}

TEST(SsiElements, SetErrors) {
    FakeHost h;
    EXPECT_EQ(run1(h, "<!--#set value=\"x\" var=\"late\" -->"), E);
    EXPECT_EQ(h.logs.back(), "SN01363 variable must precede value in set directive in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "<!--#set var=\"y\" -->"), E);
    EXPECT_EQ(run1(h, "<!--#set var=\"y\" value=\"1\" bogus=\"2\" --><!--#echo var=\"y\" -->"), E + "1");
    EXPECT_EQ(h.logs[h.logs.size() - 1], "SN01366 Invalid tag for set directive in /srv/htdocs/dir/page.shtml");
}

TEST(SsiElements, ConfigElement) {
    FakeHost h;
    EXPECT_EQ(run1(h, "<!--#config errmsg=\"E$x\" --><!--#bogus -->"), "E");
    EXPECT_EQ(h.logs.back(), "SN01371 unknown directive \"bogus\" in parsed doc /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "<!--#config echomsg=\"UNDEF\" --><!--#echo var=\"zz\" -->"), "UNDEF");
    EXPECT_EQ(run1(h, "<!--#config bogus=\"1\" -->"), E);
    EXPECT_EQ(run1(h, "<!--#config -->"), E);
    EXPECT_EQ(run1(h, "<!--#config sizefmt=\"bogus\" -->"), E);
    EXPECT_EQ(h.logs.back(),
              "SN01348 unknown value \"bogus\" to parameter \"sizefmt\" of tag config in /srv/htdocs/dir/page.shtml");
}

TEST(SsiElements, FsizeAndFlastmod) {
    test::utc();
    FakeHost h;
    h.files["f:five.txt"] = {5, 1583298367};
    h.files["f:k1000.txt"] = {1000, 0};
    h.files["f:k10.txt"] = {10240, 0};
    h.files["f:m15.txt"] = {1500000, 0};
    h.files["v:/m15.txt"] = {1500000, 0};
    h.files["v:/five.txt"] = {5, 1583298367};
    EXPECT_EQ(run1(h, "<!--#fsize file=\"five.txt\" -->|<!--#fsize file=\"k1000.txt\" -->|"
                      "<!--#fsize file=\"k10.txt\" -->|<!--#fsize file=\"m15.txt\" -->"),
              "  5 |1.0K| 10K|1.4M");
    EXPECT_EQ(run1(h, "<!--#config sizefmt=\"bytes\" --><!--#fsize file=\"five.txt\" -->|"
                      "<!--#fsize virtual=\"/m15.txt\" -->|<!--#fsize file=\"k1000.txt\" -->"),
              "5|1,500,000|1,000");
    EXPECT_EQ(run1(h, "<!--#flastmod file=\"five.txt\" -->"), "Wednesday, 04-Mar-2020 05:06:07 UTC");
    EXPECT_EQ(run1(h, "<!--#config timefmt=\"%Y/%m/%d %Z\" --><!--#flastmod virtual=\"/five.txt\" -->"),
              "2020/03/04 UTC");
    EXPECT_EQ(run1(h, "<!--#fsize file=\"../x\" -->|<!--#fsize file=\"/etc/passwd\" -->|<!--#fsize file=\"nope\" -->"
                      "|<!--#fsize bogus=\"x\" -->"),
              E + "|" + E + "|" + E + "|" + E);
    const std::vector<std::string> tail(h.logs.end() - 4, h.logs.end());
    EXPECT_EQ(tail[0], "SN02668 unable to access file \"../x\" in parsed file /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(tail[2], "SN02670 unable to lookup information about \"nope\" in parsed file /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(tail[3], "SN01340 unknown parameter \"bogus\" to tag fsize in /srv/htdocs/dir/page.shtml");
    // a/../five.txt stays below the document's directory.
    EXPECT_EQ(run1(h, "<!--#config sizefmt=\"abbrev\" --><!--#fsize file=\"a/../five.txt\" -->"), "  5 ");
}

// apr_strfsize around each threshold (Apache's fsize of sparse files of these sizes).
TEST(SsiElements, AbbreviatedSizes) {
    const std::pair<std::int64_t, const char*> cases[] = {
        {0, "  0 "},           {972, "972 "},         {973, "1.0K"},        {1023, "1.0K"},
        {1024, "1.0K"},        {1536, "1.5K"},        {9215, "9.0K"},       {10189, " 10K"},
        {10240, " 10K"},       {996147, "973K"},      {1048575, "1.0M"},    {1048576, "1.0M"},
        {10433332, "9.9M"},    {5000000000, "4.7G"},  {1099511627776, "1.0T"},
    };
    for (const auto& [size, text] : cases) {
        EXPECT_EQ(strfsize(size), text) << size;
    }
    EXPECT_EQ(grouped_size(1099511627776), "1,099,511,627,776");
}

TEST(SsiElements, Include) {
    FakeHost h;
    h.bodies["f:inc.html"] = "INC";
    h.bodies["v:/inc.html"] = "INC";
    h.bodies["v:/sub/inc.shtml"] = "SUB<!--#echo var=\"DOCUMENT_NAME\" -->";
    EXPECT_EQ(run1(h, "<!--#include file=\"inc.html\" -->|<!--#include virtual=\"/sub/inc.shtml\" -->|"
                      "<!--#include file=\"../etc\" -->|<!--#include virtual=\"/nope\" -->"),
              "INC|SUBpage.shtml|" + E + "|" + E);
    EXPECT_EQ(h.logs.back(), "SN90013 unable to include \"/nope\" in parsed file /srv/htdocs/dir/page.shtml, "
                             "subrequest returned 404");
    EXPECT_EQ(run1(h, "<!--#include virtual=\"/nope\" onerror=\"/inc.html\" -->|"
                      "<!--#include virtual=\"/nope\" onerror=\"/nope2\" -->|<!--#include bogus=\"x\" -->"),
              "INC|" + E + "|" + E);
    EXPECT_EQ(run1(h, "<!--#include file=\"nope\" virtual=\"/inc.html\" -->|"
                      "<!--#include virtual=\"/inc.html\" file=\"inc.html\" -->"),
              E + "|INCINC");
    // IncludesNOEXEC: the driver refuses what is not text/*.
    h.bodies["v:/x.cgi"] = "CGI";
    Settings noexec;
    noexec.no_exec = true;
    EXPECT_EQ(run1(h, "[<!--#include virtual=\"/x.cgi\" -->]", noexec), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN90012 unable to include potential exec \"/x.cgi\" in parsed file "
                             "/srv/htdocs/dir/page.shtml, content type not text/*");
    EXPECT_EQ(run1(h, "[<!--#include virtual=\"/x.cgi\" -->]"), "[CGI]");
    // Nothing runs in a branch that is not printed.
    h.requests.clear();
    EXPECT_EQ(run1(h, "<!--#if expr=\"false\" --><!--#include virtual=\"/inc.html\" --><!--#endif -->"), "");
    EXPECT_TRUE(h.requests.empty());
}

TEST(SsiElements, IncludeWaitsForTheDriver) {
    FakeHost h;
    Processor p({}, test::test_document(), h);
    p.feed("a<!--#include virtual=\"/x\" -->b");
    Action a = p.next();
    ASSERT_EQ(a.kind, Action::Kind::Output);
    EXPECT_EQ(a.output, "a");
    a = p.next();
    ASSERT_EQ(a.kind, Action::Kind::Include);
    EXPECT_EQ(a.ref, FileRef::Virtual);
    EXPECT_EQ(a.target, "/x");
    EXPECT_FALSE(a.no_exec);
    const Action again = p.next();  // nothing moves on before resume()
    EXPECT_EQ(again.kind, Action::Kind::Include);
    EXPECT_EQ(again.target, "/x");
    p.resume({});
    a = p.next();
    ASSERT_EQ(a.kind, Action::Kind::Output);
    EXPECT_EQ(a.output, "b");
    EXPECT_EQ(p.next().kind, Action::Kind::NeedInput);
    p.finish();
    EXPECT_EQ(p.next().kind, Action::Kind::Done);
}

TEST(SsiElements, Exec) {
    FakeHost h;
    h.commands["echo hi $nope"] = "hi\n";
    Settings s;
    s.exec_available = true;
    EXPECT_EQ(run1(h, "[<!--#exec cmd=\"echo hi $nope\" -->]", s), "[hi\n]");
    EXPECT_EQ(run1(h, "[<!--#exec cmd=\"false\" -->]", s), "[" + E + "]");
    EXPECT_EQ(h.logs.back(),
              "SN01229 execution failure for parameter \"cmd\" to tag exec in file /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "[<!--#exec cgi=\"/cgi-bin/x\" -->]", s), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01230 invalid CGI ref \"/cgi-bin/x\" in /srv/htdocs/dir/page.shtml");
    s.no_exec = true;
    h.requests.clear();
    EXPECT_EQ(run1(h, "[<!--#exec cmd=\"echo hi $nope\" -->]", s), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01228 exec used but not allowed in /srv/htdocs/dir/page.shtml");
    EXPECT_TRUE(h.requests.empty());
    // Without mod_cgi there is no exec element at all.
    EXPECT_EQ(run1(h, "[<!--#exec cmd=\"echo hi\" -->]"), "[" + E + "]");
    EXPECT_EQ(h.logs.back(), "SN01371 unknown directive \"exec\" in parsed doc /srv/htdocs/dir/page.shtml");
}

TEST(SsiElements, PrintenvAndComment) {
    test::utc();
    FakeHost h;
    Document d = test::test_document();
    d.args = "a=%3Cb%3E";
    const std::string out = test::run_document(h, {"<!--#set var=\"z\" value=\"<&>\" --><!--#printenv -->"
                                                   "<!--#comment anything here -->"},
                                               {}, d);
    EXPECT_EQ(out,
              "DATE_LOCAL=Wednesday, 04-Mar-2020 05:06:07 UTC\n"
              "DATE_GMT=Wednesday, 04-Mar-2020 05:06:07 GMT\n"
              "LAST_MODIFIED=Wednesday, 04-Mar-2020 05:06:07 UTC\n"
              "DOCUMENT_URI=/dir/page.shtml\n"
              "DOCUMENT_ARGS=a=%3Cb%3E\n"
              "USER_NAME=www\n"
              "DOCUMENT_NAME=page.shtml\n"
              "QUERY_STRING=a=%3Cb%3E\n"
              "QUERY_STRING_UNESCAPED=a=\\&lt;b\\&gt;\n"
              "z=&lt;&amp;&gt;\n");
    EXPECT_EQ(run1(h, "<!--#printenv x -->"), E);
}

// Apache 2.4.71 for /lm.shtml/extra?q=1, the file's mtime 2020-03-04 05:06:07 UTC.
TEST(SsiElements, StandardVariables) {
    test::utc();
    FakeHost h;
    Document d = test::test_document();
    d.uri = "/lm.shtml/extra";
    d.filename = "/srv/htdocs/lm.shtml";
    d.path_info = "/extra";
    d.args = "q=1";
    d.owner = "root";
    EXPECT_EQ(test::run_document(
                  h,
                  {"[<!--#echo var=\"LAST_MODIFIED\" -->][<!--#config timefmt=\"%Y/%m/%d %H:%M %Z\" -->"
                   "<!--#echo var=\"LAST_MODIFIED\" -->][<!--#set var=\"LAST_MODIFIED\" value=\"x\" -->"
                   "<!--#echo var=\"LAST_MODIFIED\" -->][<!--#echo var=\"USER_NAME\" -->]"
                   "[<!--#echo var=\"DOCUMENT_URI\" -->][<!--#echo var=\"DOCUMENT_PATH_INFO\" -->]"
                   "[<!--#echo var=\"DOCUMENT_NAME\" -->][<!--#echo var=\"DOCUMENT_ARGS\" -->]"},
                  {}, d),
              "[Wednesday, 04-Mar-2020 05:06:07 UTC][2020/03/04 05:06 UTC][x][root][/lm.shtml/extra][/extra]"
              "[lm.shtml][q=1]");
}

// Apache 2.4.71's QUERY_STRING_UNESCAPED for these queries.
TEST(SsiElements, QueryStringUnescaped) {
    const std::pair<const char*, const char*> cases[] = {
        {"a=%26%3B%60%27%22%7C%2A%3F%7E%3C%3E%5E%28%29%5B%5D%7B%7D%24%5C%0A%20x%2F%zz+y",
         "a=\\&\\;\\`\\'\\\"\\|\\*\\?\\~\\<\\>\\^\\(\\)\\[\\]\\{\\}\\$\\\\\\\n x/%zz+y"},
        {"a%00b", "a"},
    };
    for (const auto& [query, expected] : cases) {
        FakeHost h;
        Document d = test::test_document();
        d.args = query;
        EXPECT_EQ(test::run_document(h, {"<!--#echo encoding=\"none\" var=\"QUERY_STRING_UNESCAPED\" -->"}, {}, d),
                  expected);
    }
}

TEST(SsiElements, UnknownAndBrokenElements) {
    FakeHost h;
    EXPECT_EQ(run1(h, "A<!--#bogus a=\"b\" -->B"), "A" + E + "B");
    EXPECT_EQ(run1(h, "<!--# echo var=\"a\" -->"), E);
    EXPECT_EQ(h.logs.back(), "SN01368 missing directive name in parsed document /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "<!--#echo \"a\" -->"), E);
    EXPECT_EQ(h.logs.back(), "SN01369 missing argument name for value to tag echo in /srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "a<!--#echo var=\"x\""), "a" + E);
    EXPECT_EQ(h.logs.back(),
              "SN01372 SSI directive was not properly finished at the end of parsed document "
              "/srv/htdocs/dir/page.shtml");
    EXPECT_EQ(run1(h, "a<!--"), "a<!--");
    EXPECT_EQ(run1(h, "a<!--#"), "a" + E);
}

}  // namespace
}  // namespace sonora::modules::filters::ssi
