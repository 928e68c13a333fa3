// Request-path handling, recorded against Apache/2.4.71 (default AllowEncodedSlashes Off,
// MergeSlashes On). Status 0 means Apache went on to map the path.
#include "http/uri.h"

#include <gtest/gtest.h>

#include <string>

namespace sonora::http {
namespace {

struct Case {
    const char* path;
    int status;
    const char* decoded;  // when status == 0
};

const Case kCases[] = {
    {"/index.html", 0, "/index.html"},
    {"/../etc/passwd", 400, ""},
    {"/sub/../index.html", 0, "/index.html"},
    {"/sub/../../index.html", 400, ""},
    {"/./index.html", 0, "/index.html"},
    {"/sub/..", 0, "/"},
    {"/sub/.", 0, "/sub/"},
    {"/..", 400, ""},
    {"/%2e%2e/etc/passwd", 400, ""},
    {"/sub/%2e%2e/index.html", 0, "/index.html"},
    {"/sub/%2E%2E/index.html", 0, "/index.html"},
    {"/sub/.%2e/index.html", 0, "/index.html"},
    {"/sub/%2e/a.txt", 0, "/sub/a.txt"},
    {"/sub/%%32%65%%32%65/index.html", 400, ""},
    {"/%%32%65%%32%65/etc/passwd", 400, ""},
    {"/index.html%00", 404, ""},
    {"/a%00b", 404, ""},
    {"/sub%2Fa.txt", 404, ""},
    {"/sub%2fa.txt", 404, ""},
    {"/sub%5Ca.txt", 0, "/sub\\a.txt"},
    {"/a%zz", 400, ""},
    {"/a%", 400, ""},
    {"/a%4", 400, ""},
    {"/sub/%61.txt", 0, "/sub/a.txt"},
    {"//sub//a.txt", 0, "/sub/a.txt"},
    {"/index.html%23", 0, "/index.html#"},
    {"/index.html%3F", 0, "/index.html?"},
    {"/a%20b", 0, "/a b"},
    {"/.../index.html", 0, "/.../index.html"},
    {"/sub/..a", 0, "/sub/..a"},
    {"/../%00", 400, ""},
    {"/a/b/../../c/./d/", 0, "/c/d/"},
    {"/a//..", 0, "/"},
};

TEST(Uri, ApacheTable) {
    for (const Case& c : kCases) {
        std::string buf(c.path);
        const PathResult r = decode_request_path(buf, buf.data(), buf.size());
        EXPECT_EQ(http_status(r.status), c.status) << c.path;
        if (c.status == 0) {
            EXPECT_EQ(buf.substr(0, r.length), c.decoded) << c.path;
        }
    }
}

TEST(Uri, NormalizeKeepsReservedEscapes) {
    std::string out(64, '\0');
    const std::string_view in = "/a%2Fb/%7e%41%3f";
    const PathResult r = normalize_path(in, out.data(), out.size());
    ASSERT_EQ(r.status, PathStatus::kOk);
    EXPECT_EQ(out.substr(0, r.length), "/a%2Fb/~A%3f");
}

TEST(Uri, MergeSlashesOff) {
    std::string out(64, '\0');
    const PathResult r = normalize_path("//a//b", out.data(), out.size(), {false});
    ASSERT_EQ(r.status, PathStatus::kOk);
    EXPECT_EQ(out.substr(0, r.length), "//a//b");
}

TEST(Uri, EncodedSlashModes) {
    std::string out(64, '\0');
    PathResult r = unescape_path("/a%2Fb", out.data(), out.size(), EncodedSlashes::kDecode);
    EXPECT_EQ(out.substr(0, r.length), "/a/b");
    r = unescape_path("/a%2Fb%20", out.data(), out.size(), EncodedSlashes::kNoDecode);
    EXPECT_EQ(out.substr(0, r.length), "/a%2Fb ");
    r = unescape_path("/a%00", out.data(), out.size(), EncodedSlashes::kDecode);
    EXPECT_EQ(r.status, PathStatus::kEncodedNul);
}

TEST(Uri, ErrorsNotRepairs) {
    std::string out(64, '\0');
    EXPECT_EQ(normalize_path("a/b", out.data(), out.size()).status, PathStatus::kNotAbsolute);
    EXPECT_EQ(normalize_path("", out.data(), out.size()).status, PathStatus::kNotAbsolute);
    EXPECT_EQ(normalize_path("/abc", out.data(), 2).status, PathStatus::kNoSpace);
}

TEST(Uri, SplitTarget) {
    TargetParts p = split_target("/a/b?x=1&y", TargetForm::kOrigin);
    EXPECT_EQ(p.path, "/a/b");
    EXPECT_TRUE(p.has_query);
    EXPECT_EQ(p.query, "x=1&y");
    p = split_target("/a?", TargetForm::kOrigin);
    EXPECT_TRUE(p.has_query);
    EXPECT_EQ(p.query, "");
    p = split_target("http://host:8080/p/q?z", TargetForm::kAbsolute);
    EXPECT_EQ(p.scheme, "http");
    EXPECT_EQ(p.authority, "host:8080");
    EXPECT_EQ(p.path, "/p/q");
    EXPECT_EQ(p.query, "z");
    p = split_target("http://host", TargetForm::kAbsolute);
    EXPECT_EQ(p.authority, "host");
    EXPECT_EQ(p.path, "");
    p = split_target("host:443", TargetForm::kAuthority);
    EXPECT_EQ(p.authority, "host:443");
    p = split_target("*", TargetForm::kAsterisk);
    EXPECT_EQ(p.path, "*");
}

}  // namespace
}  // namespace sonora::http
