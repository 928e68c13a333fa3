// mod_negotiation on the real binary, against Apache 2.4 with the same
// configuration when it is installed: MultiViews (language, type, encoding,
// unknown extensions and MultiviewsMatch), type maps (qs, Description,
// inline bodies), LanguagePriority and ForceLanguagePriority, 406 and 300
// with their variant lists, Vary, TCN, Alternates, Content-Location, the
// negotiated ETag, and a DirectoryIndex that negotiates.

#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace sonora::test {
namespace {

constexpr const char* kModules =
    "LoadModule negotiation_module /usr/lib/apache2/modules/mod_negotiation.so\n"
    "AddLanguage en .en\nAddLanguage fr .fr\nAddLanguage de .de\nAddLanguage en-gb .en-gb\n"
    "AddCharset utf-8 .utf8\nAddEncoding x-gzip .gz\nAddHandler type-map .var\n";

// Headers whose bytes must be the same in both servers' answers.
const char* const kCompared[] = {"Content-Type", "Content-Language", "Content-Location", "Vary",  "TCN",
                                 "Alternates",   "Content-Encoding", "Content-Length",   "ETag"};

std::string request(const std::string& path, const std::string& extra = "", const std::string& method = "GET") {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "Connection: close\r\n\r\n";
}

// Files a second old or more, so that both servers' ETags are strong and
// the kept directory listings are used.
void age(const std::string& path) {
    struct timeval times[2];
    ::gettimeofday(&times[0], nullptr);
    times[0].tv_sec -= 100;
    times[1] = times[0];
    ::utimes(path.c_str(), times);
}

class Negotiation : public ::testing::Test {
protected:
    Negotiation() : site(kModules) {
        const std::vector<std::pair<std::string, std::string>> files = {
            {"mv/doc.html.en", "english\n"},
            {"mv/doc.html.fr", "francais!\n"},
            {"mv/doc.html.de", "deutsch\n"},
            {"mv/t.txt", "plain text\n"},
            {"mv/t.html", "<p>html</p>\n"},
            {"mv/one.html", "x"},
            {"mv/z.html.gz", "gz"},
            {"mv/z.html", "plain"},
            {"mv/u.foo", "unknown\n"},
            {"mv/g.html.en-gb", "british\n"},
            {"mv/g.html.de", "deutsch\n"},
            {"mv/idx/index.html.en", "idx en\n"},
            {"mv/idx/index.html.fr", "idx fr\n"},
            {"mv/cs.html.utf8", "utf\n"},
            {"mv/cs.txt", "latin\n"},
            {"any/u.foo", "unknown\n"},
            {"any/k.html.bak", "kept\n"},
            {"mv/k.html.bak", "kept\n"},
            {"prio/p.html.en", "en\n"},
            {"prio/p.html.fr", "fr\n"},
            {"prio/p.html.de", "de\n"},
            {"fall/p.html.en", "en\n"},
            {"fall/p.html.fr", "fr\n"},
            {"tm/m.en.html", "en page\n"},
            {"tm/m.fr.html", "fr page\n"},
            {"tm/m.var",
             "URI: m\n\nURI: m.en.html\nContent-Type: text/html; qs=0.5\nContent-Language: en\n\n"
             "URI: m.fr.html\nContent-Type: text/html\nContent-Language: fr\nDescription: \"French\"\n"},
            {"tm/b.var",
             "# inline bodies\nURI: b.txt\nContent-Type: text/plain\nBody:----\nhello plain\n----\n\n"
             "URI: b.html\nContent-Type: text/html\nBody:xx\n<b>hi</b>\nxx\n"},
            {"tm/bad.var", "URI m.en.html\n"},
        };
        for (const auto& [name, content] : files) {
            age(site.write_doc(name, content));
        }
        const std::string docs = site.root().str() + "/htdocs";
        for (const char* dir : {"", "/mv", "/mv/idx", "/any", "/prio", "/fall", "/tm"}) {
            age(docs + dir);
        }
        site.append_config("<Directory " + docs + ">\nRequire all granted\nOptions +MultiViews\n</Directory>\n"
                           "<Directory " + docs + "/any>\nMultiviewsMatch Any\n</Directory>\n"
                           "<Directory " + docs + "/prio>\nLanguagePriority fr en de\n</Directory>\n"
                           "<Directory " + docs + "/fall>\nLanguagePriority fr en\n"
                           "ForceLanguagePriority Fallback\n</Directory>\n");
    }

    // Sonora's answers, checked against `expected`; Apache's, where it is
    // installed, must have the same status, compared headers and body.
    std::vector<Response> expect_both(const std::vector<std::string>& requests, const std::vector<int>& expected) {
        auto sonora = site.exchange("sonora", requests);
        EXPECT_EQ(statuses(sonora), expected) << site.read_log("sonora", "error_log");
        if (apache_available()) {
            auto apache = site.exchange("apache", requests);
            EXPECT_EQ(statuses(apache), expected) << site.read_log("apache", "error_log");
            for (std::size_t i = 0; i < apache.size() && i < sonora.size(); ++i) {
                for (const char* h : kCompared) {
                    EXPECT_EQ(sonora[i].header(h), apache[i].header(h)) << h << " for " << requests[i];
                }
                EXPECT_EQ(sonora[i].body, apache[i].body) << requests[i];
            }
        }
        return sonora;
    }

    TwinSite site;
};

TEST_F(Negotiation, MultiViewsChoosesByLanguage) {
    auto rs = expect_both({request("/mv/doc", "Accept-Language: fr\r\n"), request("/mv/doc"),
                           request("/mv/doc", "Accept-Language: en; q=0.1, fr; q=0.4, de; q=0.2\r\n"),
                           request("/mv/doc.html", "Accept-Language: en-us\r\n"),
                           request("/mv/g", "Accept-Language: en\r\n"),
                           request("/mv/doc", "Accept-Language: fr\r\n", "HEAD")},
                          {200, 200, 200, 200, 200, 200});
    ASSERT_EQ(rs.size(), 6u);
    EXPECT_EQ(rs[0].body, "francais!\n");
    EXPECT_EQ(rs[0].header("Content-Language"), "fr");
    EXPECT_EQ(rs[0].header("Content-Location"), "doc.html.fr");
    EXPECT_EQ(rs[0].header("Vary"), "negotiate,accept-language");
    EXPECT_EQ(rs[0].header("TCN"), "choice");
    EXPECT_EQ(rs[0].header("Alternates"), "");
    EXPECT_EQ(rs[1].body, "deutsch\n");  // no preference: the shortest, then the first name
    EXPECT_EQ(rs[2].body, "francais!\n");
    EXPECT_EQ(rs[3].body, "english\n");  // en-us takes en when nothing else fits
    EXPECT_EQ(rs[4].body, "british\n");  // en takes en-gb
    EXPECT_EQ(rs[5].body, "");
    EXPECT_EQ(rs[5].header("Content-Length"), "10");
    // The structured entity tag: the variant's and the directory's, joined,
    // with httpd's missing closing quote.
    const std::string etag = rs[0].header("ETag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(etag.front(), '"');
    EXPECT_NE(etag.find(';'), std::string::npos);
    EXPECT_NE(etag.back(), '"');
}

TEST_F(Negotiation, MultiViewsChoosesByTypeEncodingAndCharset) {
    auto rs = expect_both({request("/mv/t", "Accept: text/html, text/plain;q=0.5\r\n"), request("/mv/t"),
                           request("/mv/z"), request("/mv/z", "Accept-Encoding: gzip\r\n"),
                           request("/mv/one"), request("/mv/cs", "Accept-Charset: utf-8\r\n"),
                           request("/mv/t", "Accept: image/*;q=0.9, text/*;q=0.2\r\n")},
                          {200, 200, 200, 200, 200, 200, 200});
    ASSERT_EQ(rs.size(), 7u);
    EXPECT_EQ(rs[0].body, "<p>html</p>\n");
    EXPECT_EQ(rs[0].header("Vary"), "negotiate,accept");
    EXPECT_EQ(rs[1].body, "plain text\n");
    EXPECT_EQ(rs[2].body, "plain");
    EXPECT_EQ(rs[2].header("Vary"), "negotiate,accept,accept-encoding");
    EXPECT_EQ(rs[3].body, "gz");
    EXPECT_EQ(rs[3].header("Content-Encoding"), "gzip");  // the client's spelling of x-gzip
    EXPECT_EQ(rs[4].header("Vary"), "negotiate");
    EXPECT_EQ(rs[4].header("Content-Location"), "one.html");
    EXPECT_EQ(rs[5].body, "utf\n");
    EXPECT_EQ(rs[6].body, "plain text\n");
}

TEST_F(Negotiation, NotAcceptableListsTheVariants) {
    auto rs = expect_both({request("/mv/doc", "Accept-Language: ja\r\n"), request("/mv/doc", "Accept: text/plain\r\n"),
                           request("/tm/m.var", "Accept-Language: de\r\n")},
                          {406, 406, 406});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[0].header("TCN"), "list");
    EXPECT_EQ(rs[0].header("Alternates"),
              "{\"doc.html.de\" 1 {type text/html} {language de} {length 8}}, "
              "{\"doc.html.en\" 1 {type text/html} {language en} {length 8}}, "
              "{\"doc.html.fr\" 1 {type text/html} {language fr} {length 10}}");
    EXPECT_NE(rs[0].body.find("Available variants:\n<ul>\n"
                              "<li><a href=\"doc.html.de\">doc.html.de</a> , type text/html, language de</li>\n"),
              std::string::npos);
    EXPECT_NE(rs[2].body.find("<li><a href=\"m.fr.html\">m.fr.html</a> \"French\", type text/html, "
                              "language fr</li>\n"),
              std::string::npos);
    EXPECT_EQ(rs[2].header("Alternates"),
              "{\"m.en.html\" 0.5 {type text/html} {language en} {length 8}}, "
              "{\"m.fr.html\" 1 {type text/html} {language fr} {length 8}}");
}

TEST_F(Negotiation, NegotiateTransIsAMultipleChoicesList) {
    auto rs = expect_both({request("/mv/doc", "Negotiate: trans\r\n"), request("/tm/m.var", "Negotiate: trans\r\n"),
                           request("/mv/doc", "Negotiate: trans, *\r\nAccept-Language: en\r\n")},
                          {300, 300, 200});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_NE(rs[0].body.find("<h1>Multiple Choices</h1>\nAvailable variants:"), std::string::npos);
    EXPECT_EQ(rs[0].header("TCN"), "list");
    EXPECT_EQ(rs[2].body, "english\n");
    EXPECT_NE(rs[2].header("Alternates"), "");
}

TEST_F(Negotiation, UnknownExtensionsNeedMultiviewsMatchAny) {
    // An extension mod_mime does not know keeps a file out, unless
    // MultiviewsMatch Any; a file with no type at all is never a variant.
    auto rs = expect_both({request("/mv/u"), request("/any/u"), request("/mv/nothing"), request("/mv/k"),
                           request("/any/k"), request("/mv/doc/extra", "Accept-Language: fr\r\n")},
                          {404, 404, 404, 404, 200, 404});
    ASSERT_EQ(rs.size(), 6u);
    // With path info the resource is negotiated but not transparently; the
    // chosen file then refuses the path info.
    EXPECT_EQ(rs[5].header("Vary"), "accept-language");
    EXPECT_EQ(rs[4].body, "kept\n");
    EXPECT_EQ(rs[4].header("Content-Location"), "k.html.bak");
    EXPECT_EQ(rs[4].header("Content-Type"), "text/html");
}

TEST_F(Negotiation, LanguagePriorityAndFallback) {
    auto rs = expect_both({request("/prio/p"), request("/prio/p", "Accept-Language: de\r\n"),
                           request("/fall/p", "Accept-Language: ja\r\n"), request("/prio/p", "Accept-Language: ja\r\n")},
                          {200, 200, 200, 406});
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_EQ(rs[0].body, "fr\n");
    EXPECT_EQ(rs[1].body, "de\n");
    EXPECT_EQ(rs[2].body, "fr\n");
}

TEST_F(Negotiation, TypeMaps) {
    auto rs = expect_both({request("/tm/m.var"), request("/tm/b.var", "Accept: text/html\r\n"), request("/tm/b.var"),
                           request("/tm/b.var", "Accept: text/plain\r\n"), request("/tm/bad.var"),
                           request("/tm/m.var/extra"), request("/tm/b.var", "", "OPTIONS")},
                          {200, 200, 200, 200, 500, 404, 405});
    ASSERT_EQ(rs.size(), 7u);
    EXPECT_EQ(rs[6].header("Allow"), "GET,POST,OPTIONS,HEAD,TRACE");
    EXPECT_EQ(rs[0].body, "fr page\n");  // en's qs=0.5 loses
    EXPECT_EQ(rs[0].header("Content-Location"), "m.fr.html");
    EXPECT_EQ(rs[0].header("Vary"), "negotiate,accept-language");
    EXPECT_EQ(rs[1].body, "<b>hi</b>\n");
    EXPECT_EQ(rs[1].header("Vary"), "accept");
    EXPECT_EQ(rs[1].header("TCN"), "");  // bodies inside a map are not transparent
    EXPECT_EQ(rs[2].body, "<b>hi</b>\n");  // the shorter body
    EXPECT_EQ(rs[3].body, "hello plain\n");
    EXPECT_EQ(rs[3].header("Content-Type"), "text/plain");
    EXPECT_EQ(rs[5].header("Vary"), "accept-language");
}

TEST_F(Negotiation, DirectoryIndexNegotiates) {
    site.append_config("DirectoryIndex index.html\n");
    auto rs = expect_both({request("/mv/idx/", "Accept-Language: fr\r\n"), request("/mv/idx/"),
                           request("/mv/idx/", "Accept-Language: ja\r\n")},
                          {200, 200, 406});
    ASSERT_EQ(rs.size(), 3u);
    EXPECT_EQ(rs[2].header("TCN"), "list");
    EXPECT_NE(rs[2].body.find("<li><a href=\"index.html.fr\">index.html.fr</a> , type text/html, language fr</li>"),
              std::string::npos);
    EXPECT_EQ(rs[0].body, "idx fr\n");
    EXPECT_EQ(rs[0].header("Content-Location"), "index.html.fr");
    EXPECT_EQ(rs[0].header("Vary"), "negotiate,accept-language");
    EXPECT_EQ(rs[1].body, "idx en\n");
}

TEST_F(Negotiation, ListingFollowsTheDirectory) {
    // The directory's names are kept between requests; a variant added or
    // removed while the server runs is seen at once (the directory's mtime
    // changes), also once the changed directory is old enough to be kept.
    BinaryServer server = site.server("sonora");
    ASSERT_TRUE(server.start()) << server.startup_error;
    const std::string gb = request("/mv/doc", "Accept-Language: en-gb\r\n");
    const std::string dir = site.root().str() + "/htdocs/mv";
    auto body_of = [&](const std::string& req) {
        auto rs = parse_responses(http_exchange(site.port(), req));
        return rs.size() == 1 ? rs[0].body : std::string("?");
    };
    EXPECT_EQ(body_of(gb), "english\n");  // en-us style fiddle: en-gb takes en
    EXPECT_EQ(body_of(gb), "english\n");  // from the kept listing
    site.write_doc("mv/doc.html.en-gb", "british doc\n");
    EXPECT_EQ(body_of(gb), "british doc\n");
    age(dir);
    EXPECT_EQ(body_of(gb), "british doc\n");
    EXPECT_EQ(body_of(gb), "british doc\n");
    ::unlink((dir + "/doc.html.en-gb").c_str());
    age(dir);  // an old mtime, but not the one the kept listing has
    EXPECT_EQ(body_of(gb), "english\n");
}

}  // namespace
}  // namespace sonora::test
