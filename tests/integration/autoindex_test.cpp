// mod_autoindex on the real binary: the listing of a directory without an
// index file, byte for byte as Apache 2.4.71 writes it for the plain,
// FancyIndexing and HTMLTable forms (the expected pages below were recorded
// from it with the same configuration, times and sizes), the client's sort
// arguments, IndexIgnore, HeaderName/ReadmeName, .htaccess under
// AllowOverride Indexes, and the 403 of Options -Indexes. Where Apache is
// installed, each case is also run against it and the bodies compared.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules =
    "LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so\n"
    "AddEncoding x-gzip .gz\n";

constexpr std::time_t kJan2020 = 1577934245;  // 2020-01-02 03:04:05 UTC
constexpr std::time_t kJun2019 = 1559390400;  // 2019-06-01 12:00:00 UTC

void set_mtime(const std::string& path, std::time_t t) {
    const timespec times[2] = {{t, 0}, {t, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
}

class Autoindex : public ::testing::Test {
protected:
    Autoindex() : site(kModules) {
        ::setenv("TZ", "UTC", 1);  // both servers show times in local time
        for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
                 {"a.txt", "hello\n"},
                 {"big.bin", std::string(5000, '\0')},
                 {"file9.txt", "x"},
                 {"file10.txt", "xx"},
                 {"we ird&<n>.txt", "x"},
                 {"page.html", "<html><head><title>A Page</title></head></html>\n"},
                 {"x.gz", "x"},
                 {".hidden", "x"},
                 {"sub/inner.txt", "x"}}) {
            set_mtime(site.write_doc("list/" + name, text), kJan2020);
        }
        set_mtime(list() + "/big.bin", kJun2019);
    }

    std::string list() const { return site.root().str() + "/htdocs/list"; }
    // The <Directory> section of the listed directory, with `body`.
    void configure(const std::string& body) {
        site.append_config("<Directory " + list() + ">\n" + body + "</Directory>\n");
    }
    // Directory times last: writing files changes them.
    void fix_directory_times() {
        set_mtime(list() + "/sub", kJan2020);
        set_mtime(list(), kJan2020);
    }
    // Sonora's responses; Apache's must have the same status and body.
    std::vector<Response> both(const std::vector<std::string>& paths) {
        fix_directory_times();
        std::vector<std::string> requests;
        for (const std::string& p : paths) {
            // HTTP/1.0: Apache cannot answer chunked (it does once a HeaderName
            // file makes it flush), and this harness reads Content-Length or EOF.
            requests.push_back("GET " + p + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
        }
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(sonora.size(), paths.size()) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                EXPECT_EQ(sonora[i].status, apache[i].status) << paths[i];
                EXPECT_EQ(sonora[i].body, apache[i].body) << paths[i];
                EXPECT_EQ(sonora[i].header("Content-Type"), apache[i].header("Content-Type")) << paths[i];
            }
        }
        return sonora;
    }
    Response one(const std::string& path) {
        auto rs = both({path});
        return rs.empty() ? Response{} : rs.front();
    }

    TwinSite site;
};

// The href of each line of a listing, in order (the column links left out).
std::vector<std::string> hrefs(const std::string& body) {
    std::vector<std::string> out;
    for (std::size_t at = body.find("<a href=\""); at != std::string::npos; at = body.find("<a href=\"", at + 1)) {
        const std::size_t start = at + 9;
        std::string href = body.substr(start, body.find('"', start) - start);
        if (href.rfind("?", 0) != 0 && (out.empty() || out.back() != href)) {
            out.push_back(href);
        }
    }
    return out;
}

using Names = std::vector<std::string>;

constexpr const char* kPreamble =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
    "<html>\n <head>\n  <title>Index of /list</title>\n </head>\n <body>\n<h1>Index of /list</h1>\n";

TEST_F(Autoindex, PlainList) {
    configure("Options Indexes\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/html;charset=ISO-8859-1");
    EXPECT_EQ(r.header("Last-Modified"), "");
    EXPECT_EQ(r.header("ETag"), "");
    EXPECT_EQ(r.body, std::string(kPreamble) + R"(<ul><li><a href="/"> Parent Directory</a></li>
<li><a href=".hidden"> .hidden</a></li>
<li><a href="a.txt"> a.txt</a></li>
<li><a href="big.bin"> big.bin</a></li>
<li><a href="file10.txt"> file10.txt</a></li>
<li><a href="file9.txt"> file9.txt</a></li>
<li><a href="page.html"> page.html</a></li>
<li><a href="sub/"> sub/</a></li>
<li><a href="we%20ird&amp;%3cn%3e.txt"> we ird&amp;&lt;n&gt;.txt</a></li>
<li><a href="x.gz"> x.gz</a></li>
</ul>
</body></html>
)");
}

TEST_F(Autoindex, FancyIndexingWithIconsDescriptionsAndTitles) {
    configure(
        "Options Indexes\n"
        "IndexOptions FancyIndexing FoldersFirst ScanHTMLTitles\n"
        "AddIconByType (TXT,/icons/text.gif) text/*\n"
        "AddIcon /icons/folder.gif ^^DIRECTORY^^\n"
        "AddIcon /icons/blank.gif ^^BLANKICON^^\n"
        "AddIcon /icons/back.gif ..\n"
        "AddIconByEncoding (CMP,/icons/compressed.gif) x-gzip\n"
        "DefaultIcon /icons/unknown.gif\n"
        "AddDescription \"Five thousand zero bytes, far too long to be shown whole\" big.bin\n"
        "IndexIgnore .??*\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, std::string(kPreamble) +
                          R"(<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/">Parent Directory</a>                             -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="sub/">sub/</a>                    2020-01-02 03:04    -   
<img src="/icons/text.gif" alt="[TXT]"> <a href="a.txt">a.txt</a>                   2020-01-02 03:04    6   
<img src="/icons/unknown.gif" alt="[   ]"> <a href="big.bin">big.bin</a>                 2019-06-01 12:00  4.9K  Five thousand zero byt>
<img src="/icons/text.gif" alt="[TXT]"> <a href="file10.txt">file10.txt</a>              2020-01-02 03:04    2   
<img src="/icons/text.gif" alt="[TXT]"> <a href="file9.txt">file9.txt</a>               2020-01-02 03:04    1   
<img src="/icons/text.gif" alt="[TXT]"> <a href="page.html">page.html</a>               2020-01-02 03:04   48   A Page
<img src="/icons/text.gif" alt="[TXT]"> <a href="we%20ird&amp;%3cn%3e.txt">we ird&amp;&lt;n&gt;.txt</a>          2020-01-02 03:04    1   
<img src="/icons/compressed.gif" alt="[CMP]"> <a href="x.gz">x.gz</a>                    2020-01-02 03:04    1   
<hr></pre>
</body></html>
)");
}

// Debian's stock IndexOptions (mods-available/autoindex.conf).
TEST_F(Autoindex, HtmlTableAsDebianConfiguresIt) {
    configure(
        "Options Indexes\n"
        "IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8\n"
        "AddIconByType (TXT,/icons/text.gif) text/*\n"
        "AddIcon /icons/binary.gif .bin .exe\n"
        "AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip\n"
        "AddIcon /icons/back.gif ..\n"
        "AddIcon /icons/folder.gif ^^DIRECTORY^^\n"
        "AddIcon /icons/blank.gif ^^BLANKICON^^\n"
        "DefaultIcon /icons/unknown.gif\n"
        "AddDescription \"zeros\" big.bin\n"
        "IndexIgnore .??* *~ *# RCS CVS *,v *,t\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("Content-Type"), "text/html;charset=UTF-8");
    EXPECT_EQ(r.body, std::string(kPreamble) + R"(  <table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="a.txt">a.txt</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  6 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/binary.gif" alt="[   ]"></td><td><a href="big.bin">big.bin</a></td><td align="right">2019-06-01 12:00  </td><td align="right">4.9K</td><td>zeros</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="file9.txt">file9.txt</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  1 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="file10.txt">file10.txt</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  2 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="page.html">page.html</a></td><td align="right">2020-01-02 03:04  </td><td align="right"> 48 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="sub/">sub/</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="we%20ird&amp;%3cn%3e.txt">we ird&amp;&lt;n&gt;.txt</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  1 </td><td>&nbsp;</td></tr>
<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="x.gz">x.gz</a></td><td align="right">2020-01-02 03:04  </td><td align="right">  1 </td><td>&nbsp;</td></tr>
   <tr><th colspan="5"><hr></th></tr>
</table>
</body></html>
)");
}

TEST_F(Autoindex, StyleSheetXhtmlAndAltClasses) {
    configure(
        "Options Indexes\n"
        "IndexOptions XHTML HTMLTable FancyIndexing IconsAreLinks IconWidth IconHeight=10 AddAltClass SuppressSize\n"
        "IndexStyleSheet \"/style.css\"\n"
        "IndexHeadInsert \"<meta name=\\\"robots\\\" content=\\\"none\\\">\"\n"
        "AddIconByType (TXT,/icons/text.gif) text/*\n"
        "AddIcon /icons/back.gif ..\n"
        "IndexIgnore .??* *.bin *.gz we* file* sub\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"(<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
 <head>
  <title>Index of /list</title>
  <link rel="stylesheet" href="/style.css" type="text/css" />
<meta name="robots" content="none"> </head>
 <body>
  <h1 id="indextitle">Index of /list</h1>
  <table id="indexlist">
   <tr class="indexhead"><th class="indexcolicon">&nbsp;</th><th class="indexcolname"><a href="?C=N;O=D">Name</a></th><th class="indexcollastmod"><a href="?C=M;O=A">Last modified</a></th><th class="indexcoldesc"><a href="?C=D;O=A">Description</a></th></tr>
   <tr class="indexbreakrow"><th colspan="4"><hr /></th></tr>
   <tr class="even-parentdir"><td class="indexcolicon"><a href="/"><img src="/icons/back.gif" alt="[PARENTDIR]" width="20" height="10" /></a></td><td class="indexcolname"><a href="/">Parent Directory</a>       </td><td class="indexcollastmod">&nbsp;</td><td class="indexcoldesc">&nbsp;</td></tr>
   <tr class="odd-txt"><td class="indexcolicon"><a href="a.txt"><img src="/icons/text.gif" alt="[TXT]" width="20" height="10" /></a></td><td class="indexcolname"><a href="a.txt">a.txt</a>                  </td><td class="indexcollastmod">2020-01-02 03:04  </td><td class="indexcoldesc">&nbsp;</td></tr>
   <tr class="even-txt"><td class="indexcolicon"><a href="page.html"><img src="/icons/text.gif" alt="[TXT]" width="20" height="10" /></a></td><td class="indexcolname"><a href="page.html">page.html</a>              </td><td class="indexcollastmod">2020-01-02 03:04  </td><td class="indexcoldesc">&nbsp;</td></tr>
   <tr class="indexbreakrow"><th colspan="4"><hr /></th></tr>
</table>
</body></html>
)");
}

TEST_F(Autoindex, SortArgumentsFromTheClient) {
    configure("Options Indexes\n");
    auto rs = both({"/list/?C=S;O=D;F=1", "/list/?C=M&O=A&F=1", "/list/?C=N;O=D", "/list/?F=0;V=1",
                    "/list/?P=file*;F=2", "/list/?C=X;O=D", "/list/?P=*"});
    ASSERT_EQ(rs.size(), 7u);
    EXPECT_EQ(hrefs(rs[0].body), (Names{"/", "big.bin", "page.html", "a.txt", "file10.txt", "x.gz",
                                        "we%20ird&amp;%3cn%3e.txt", "file9.txt", ".hidden", "sub/"}));
    EXPECT_NE(rs[0].body.find("<a href=\"?C=S;O=A;F=1\">Size</a>"), std::string::npos);  // the sorted column turns
    EXPECT_EQ(hrefs(rs[1].body), (Names{"/", "big.bin", ".hidden", "a.txt", "file10.txt", "file9.txt", "page.html",
                                        "sub/", "we%20ird&amp;%3cn%3e.txt", "x.gz"}));
    EXPECT_EQ(hrefs(rs[2].body), (Names{"/", "x.gz", "we%20ird&amp;%3cn%3e.txt", "sub/", "page.html", "file9.txt",
                                        "file10.txt", "big.bin", "a.txt", ".hidden"}));
    EXPECT_EQ(hrefs(rs[3].body), (Names{"/", ".hidden", "a.txt", "big.bin", "file9.txt", "file10.txt", "page.html",
                                        "sub/", "we%20ird&amp;%3cn%3e.txt", "x.gz"}));
    EXPECT_EQ(hrefs(rs[4].body), (Names{"/", "file10.txt", "file9.txt"}));
    EXPECT_NE(rs[4].body.find("<a href=\"?C=N;O=D;F=2;P=file*\">Name</a>"), std::string::npos) << rs[4].body;
    EXPECT_EQ(hrefs(rs[5].body).size(), 10u);  // C=X is not understood: the rest is ignored
    EXPECT_EQ(hrefs(rs[5].body)[1], ".hidden");
    EXPECT_EQ(hrefs(rs[6].body).size(), 9u);  // "*" does not match a leading dot
}

TEST_F(Autoindex, DefaultOrderAndIgnoreClient) {
    configure("Options Indexes\nIndexOptions FancyIndexing IgnoreClient\nIndexOrderDefault Descending Size\n");
    auto rs = both({"/list/?C=N;O=A"});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(hrefs(rs[0].body)[1], "big.bin");
    EXPECT_NE(rs[0].body.find("<pre>      Name                    Last modified      Size  Description<hr>"),
              std::string::npos)
        << rs[0].body;
}

// httpd merges the <Directory> sections among themselves before merging them
// onto the server's settings, and two sections' +words merge into settings
// that replace the server's: FancyIndexing is lost. One such section keeps it.
TEST_F(Autoindex, IncrementalOptionsMergeAsApacheMergesThem) {
    site.append_config("IndexOptions FancyIndexing\n<Directory " + site.root().str() +
                       "/htdocs>\nIndexOptions +SuppressSize\n</Directory>\n");
    configure("Options Indexes\n");
    Response r = one("/list/");
    EXPECT_NE(r.body.find("<pre>"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("?C=S"), std::string::npos) << r.body;
    configure("IndexOptions +SuppressLastModified\n");
    r = one("/list/");
    EXPECT_NE(r.body.find("<ul>"), std::string::npos) << r.body;
}

TEST_F(Autoindex, IndexIgnoreInheritsUnlessReset) {
    site.append_config("IndexIgnore *.bin\n<Directory " + list() + "/sub>\nIndexIgnore *.txt\n</Directory>\n");
    configure("Options Indexes\nIndexIgnore .??* x*\n");
    site.write_doc("list/sub/keep.bin", "b");
    site.write_doc("list/sub/other", "o");
    auto rs = both({"/list/", "/list/sub/"});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(hrefs(rs[0].body), (Names{"/", "a.txt", "file10.txt", "file9.txt", "page.html", "sub/",
                                        "we%20ird&amp;%3cn%3e.txt"}));
    EXPECT_EQ(hrefs(rs[1].body), (Names{"/list/", "other"}));
    // The reset drops what the sections before it gave (/list's and the first
    // /list/sub's), not the server's *.bin: httpd merges the sections among
    // themselves first and the reset is not carried onto the server's list.
    site.append_config("<Directory " + list() + "/sub>\nIndexIgnoreReset On\nIndexIgnore o*\n</Directory>\n");
    rs = both({"/list/sub/"});
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(hrefs(rs[0].body), (Names{"/list/", "inner.txt"}));
}

TEST_F(Autoindex, HeaderAndReadmeFiles) {
    configure("Options Indexes\nHeaderName HEADER.html\nReadmeName README.txt\nIndexIgnore HEADER* README*\n");
    site.write_doc("list/HEADER.html", "<p>Our <b>files</b></p>\n");
    site.write_doc("list/README.txt", "Read <me> & weep\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.substr(0, r.body.find("<ul>")),
              "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
              "<html>\n <head>\n  <title>Index of /list</title>\n </head>\n <body>\n<p>Our <b>files</b></p>\n");
    EXPECT_EQ(r.body.substr(r.body.find("</ul>")),
              "</ul>\n<pre>\nRead &lt;me&gt; &amp; weep\n</pre>\n</body></html>\n");
}

TEST_F(Autoindex, HtaccessUnderAllowOverrideIndexes) {
    configure("Options Indexes\nAllowOverride Indexes\n");
    site.write_doc("list/.htaccess", "IndexOptions +FancyIndexing +SuppressLastModified\nIndexIgnore *.bin .??*\n");
    set_mtime(list() + "/.htaccess", kJan2020);
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<pre>      <a href=\"?C=N;O=D\">Name</a>                    <a href=\"?C=S;O=A\">Size</a>"),
              std::string::npos)
        << r.body;
    EXPECT_EQ(hrefs(r.body).size(), 8u);  // no big.bin, no dot files
}

TEST_F(Autoindex, HtaccessOutsideItsAllowOverride) {
    site.write_doc("list/.htaccess", "IndexOptions FancyIndexing\n");
    // AllowOverride None: the file is not read at all.
    configure("Options Indexes\n");
    Response r = one("/list/");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("<ul>"), std::string::npos);
    // Another class only: the directive is refused, the request answers 500.
    configure("AllowOverride AuthConfig\n");
    r = one("/list/");
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(site.read_log("sonora", "error_log").find("IndexOptions not allowed here"), std::string::npos);
}

TEST_F(Autoindex, WithoutOptionsIndexesADirectoryIsForbidden) {
    configure("Options -Indexes\n");
    auto rs = both({"/list/", "/list/sub/"});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].status, 403);
    EXPECT_EQ(rs[1].status, 403);
    EXPECT_NE(site.read_log("sonora", "error_log")
                  .find("SN01276: Cannot serve directory " + list() + "/: No matching DirectoryIndex (index.html) "
                        "found, and server-generated directory index forbidden by Options directive"),
              std::string::npos)
        << site.read_log("sonora", "error_log");
}

TEST_F(Autoindex, TrackModifiedSendsTheDirectorysValidators) {
    configure("Options Indexes\nIndexOptions TrackModified\n");
    fix_directory_times();
    auto rs = site.exchange("sonora", {get_request("/list/"), "HEAD /list/ HTTP/1.1\r\nHost: localhost\r\n"
                                                              "Connection: close\r\n\r\n"});
    ASSERT_EQ(rs.size(), 2u);
    EXPECT_EQ(rs[0].header("Last-Modified"), "Thu, 02 Jan 2020 03:04:05 GMT");
    EXPECT_EQ(rs[0].header("ETag").rfind("\"", 0), 0u) << rs[0].header("ETag");
    EXPECT_EQ(rs[1].status, 200);
    EXPECT_EQ(rs[1].header("ETag"), rs[0].header("ETag"));
    EXPECT_EQ(rs[1].body, "");
}

TEST_F(Autoindex, ASubdirectoryWithAnIndexShowsTheIndexTime) {
    // httpd's subrequest for the entry runs mod_dir, which finds the index.
    configure("Options Indexes\nIndexOptions FancyIndexing\n");
    set_mtime(site.write_doc("list/sub/index.html", "i"), kJun2019);
    Response r = one("/list/");
    EXPECT_NE(r.body.find("<a href=\"sub/\">sub/</a>                    2019-06-01 12:00    -   \n"),
              std::string::npos)
        << r.body;
}

}  // namespace
}  // namespace sonora::test
