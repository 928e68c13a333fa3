// mod_mime's reading of a name for MultiViews: attributes, the unclaimed
// name parts (httpd's ap-mime-exceptions-list) under each MultiviewsMatch.

#include "modules/metadata/mod_mime.h"

#include <gtest/gtest.h>

namespace sonora::modules::metadata {
namespace {

MimeDirConfig config(std::optional<unsigned> match = std::nullopt) {
    MimeDirConfig c;
    c.extensions["en"].language = "en";
    c.extensions["html"].type = "text/html";
    c.extensions["utf8"].charset = "utf-8";
    c.extensions["gz"].encoding = "x-gzip";
    c.extensions["cgi"].handler = "cgi-script";
    c.extensions["shtml"].output_filters = "INCLUDES";
    c.multiviews_match = match;
    return c;
}

using Names = std::vector<std::string>;

TEST(MimeFacts, AttributesAndUnclaimedParts) {
    MimeDirConfig c = config();
    MimeFacts f = mime_facts("Index.html.en.utf8.gz", &c, nullptr);
    EXPECT_TRUE(f.claimed);
    EXPECT_EQ(f.content_type, "text/html; charset=utf-8");
    EXPECT_EQ(f.languages, "en");
    EXPECT_EQ(f.encoding, "x-gzip");
    EXPECT_EQ(f.exceptions, (Names{"Index"}));
    MimeFacts bak = mime_facts("index.html.Bak", &c, nullptr);
    EXPECT_EQ(bak.exceptions, (Names{"index", "Bak"}));
    MimeFacts none = mime_facts("index.bak", &c, nullptr);
    EXPECT_FALSE(none.claimed);
    MimeFacts hidden = mime_facts(".html", &c, nullptr);
    EXPECT_EQ(hidden.exceptions, (Names{".html"}));
    EXPECT_FALSE(hidden.claimed);
}

TEST(MimeFacts, MultiviewsMatchDecidesWhatCounts) {
    MimeDirConfig only = config();
    EXPECT_EQ(mime_facts("s.cgi", &only, nullptr).exceptions, (Names{"s", "cgi"}));
    EXPECT_EQ(mime_facts("s.cgi", &only, nullptr).handler, "cgi-script");
    MimeDirConfig handlers = config(kMatchHandlers);
    EXPECT_TRUE(mime_facts("s.cgi", &handlers, nullptr).claimed);
    EXPECT_EQ(mime_facts("s.cgi", &handlers, nullptr).exceptions, (Names{"s"}));
    EXPECT_FALSE(mime_facts("p.shtml", &handlers, nullptr).claimed);
    MimeDirConfig filters = config(kMatchFilters);
    EXPECT_TRUE(mime_facts("p.shtml", &filters, nullptr).claimed);
    MimeDirConfig any = config(kMatchAny);
    MimeFacts f = mime_facts("x.html.bak", &any, nullptr);
    EXPECT_EQ(f.exceptions, (Names{"x"}));
    EXPECT_EQ(f.content_type, "text/html");
}

TEST(MimeFacts, TypesTableAndDefaultLanguage) {
    MimeServerConfig srv;
    auto types = std::make_shared<MimeTypes>();
    types->by_extension["txt"] = "text/plain";
    srv.types = types;
    MimeDirConfig c = config();
    c.default_language = "de";
    MimeFacts f = mime_facts("a.txt", &c, &srv);
    EXPECT_TRUE(f.claimed);
    EXPECT_EQ(f.content_type, "text/plain");
    EXPECT_EQ(f.languages, "de");
}

}  // namespace
}  // namespace sonora::modules::metadata
