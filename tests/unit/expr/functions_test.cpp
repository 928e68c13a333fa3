// Tests for the pure ap_expr helpers: digests, base64, escaping, subnets.
#include "expr/functions.h"

#include <gtest/gtest.h>

#include <string>

#include "expr/digest.h"
#include "expr/subnet.h"

namespace sonora::expr {
namespace {

TEST(Digest, Md5KnownVectors) {
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(md5_hex("The quick brown fox jumps over the lazy dog"),
              "9e107d9d372bb6826bd81d3542a419d6");
    EXPECT_EQ(md5_hex(std::string(1000, 'a')), "cabe45dcc9ae5b66ba86600cca6b8ba8");
}

TEST(Digest, Sha1KnownVectors) {
    EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(Digest, Base64RoundTrip) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
    EXPECT_EQ(base64_decode("Zm8="), "fo");
    EXPECT_EQ(base64_decode("Zg"), "f");
    std::string bin("\0\x01\xff\xfe", 4);
    EXPECT_EQ(base64_decode(base64_encode(bin)), bin);
}

TEST(Functions, CaseAndEscaping) {
    EXPECT_EQ(fn_tolower("MiXeD"), "mixed");
    EXPECT_EQ(fn_toupper("MiXeD"), "MIXED");
    EXPECT_EQ(fn_escape("a b/c?d#e%"), "a%20b/c%3fd%23e%25");
    // Expected values observed from Apache 2.4 (Header ... expr=%{fn:...}).
    EXPECT_EQ(fn_escape("/a b?c#d;e[f]gh<i>jk^l`m{no|pq,r:s@t&u=v+w$x!y*z(1)2~3"),
              "/a%20b%3fc%23d;e%5bf%5dgh%3ci%3ejk%5el%60m%7bno|pq,r:s@t&u=v+w$x!y*z(1)2~3");
    EXPECT_EQ(fn_escape("%+\xc3\xa9"), "%25+%c3%a9");
    EXPECT_EQ(fn_unescape("a%20b%2Fc%2fd"), "a b%2Fc%2fd");
    EXPECT_EQ(fn_unescape("a+b%41"), "a+bA");
    EXPECT_EQ(fn_unescape("a%4"), "");
    EXPECT_EQ(fn_unescape("a%zz"), "");
    EXPECT_EQ(fn_unescape("a%00b"), "");
    EXPECT_EQ(fn_unbase64("aGV*sbG8="), "he");
    EXPECT_EQ(fn_ldap(" a*b(c)de,f+gh<i>j;k=l#m "),
              " a\\2ab\\28c\\29de\\2cf\\2bgh\\3ci\\3ej\\3bk=l#m ");
    EXPECT_EQ(fn_ldap("a\\b\"c"), "a\\5cb\\22c");
}

TEST(Functions, Lookup) {
    EXPECT_EQ(find_function("REQ"), Func::Req);
    EXPECT_EQ(find_function("req_novary"), Func::ReqNovary);
    EXPECT_FALSE(find_function("v").has_value());
    EXPECT_EQ(find_unary_op("A"), UnaryOp::UrlSub);
    EXPECT_FALSE(find_unary_op("Q").has_value());
    EXPECT_EQ(find_named_op("fnmatch"), NamedOp::FnMatch);
    EXPECT_TRUE(func_is_restricted(Func::File));
    EXPECT_FALSE(func_is_restricted(Func::Md5));
}

TEST(Subnet, ParseForms) {
    EXPECT_TRUE(Subnet::parse("10.1.2.3").has_value());
    EXPECT_TRUE(Subnet::parse("10").has_value());
    EXPECT_TRUE(Subnet::parse("10.1.2").has_value());
    EXPECT_TRUE(Subnet::parse("10.1.2.3/8").has_value());
    EXPECT_TRUE(Subnet::parse("10.1.2.3/255.255.0.0").has_value());
    EXPECT_TRUE(Subnet::parse("::1").has_value());
    EXPECT_TRUE(Subnet::parse("2001:db8::/32").has_value());
    EXPECT_FALSE(Subnet::parse("x").has_value());
    EXPECT_FALSE(Subnet::parse("10/8").has_value());
    EXPECT_FALSE(Subnet::parse("1.2.3.4/33").has_value());
    EXPECT_FALSE(Subnet::parse("1.2.3.4.5").has_value());
    EXPECT_FALSE(Subnet::parse("256.1.1.1").has_value());
    EXPECT_FALSE(Subnet::parse("::1/129").has_value());
    EXPECT_FALSE(Subnet::parse("").has_value());
}

TEST(Subnet, Contains) {
    auto net = Subnet::parse("10.1");
    ASSERT_TRUE(net);
    EXPECT_TRUE(net->contains("10.1.200.3"));
    EXPECT_FALSE(net->contains("10.2.0.1"));
    EXPECT_FALSE(net->contains("not-an-ip"));
    EXPECT_TRUE(net->contains("::ffff:10.1.0.1"));
    auto v6 = Subnet::parse("2001:db8::/32");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->contains("2001:db8:1::5"));
    EXPECT_FALSE(v6->contains("2001:db9::5"));
    EXPECT_FALSE(v6->contains("10.1.0.1"));
    auto host = Subnet::parse("192.168.1.5/255.255.255.0");
    ASSERT_TRUE(host);
    EXPECT_TRUE(host->contains("192.168.1.77"));
}

}  // namespace
}  // namespace sonora::expr
