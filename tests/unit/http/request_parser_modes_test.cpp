// The parser under each HttpProtocolOptions mode, case by case as Apache/2.4.71
// answered (PROTOCOL_NOTES.md, "HttpProtocolOptions"). `strict` and `unsafe` are the
// parser's status under `Strict` and `Unsafe` (LenientMethods Allow0.9 both): 0 for a
// complete head. Where Apache answered later (Host, mapping), the case is in the test
// of that helper below.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "http/request_checks.h"
#include "http/request_parser.h"
#include "parse_helpers.h"

namespace sonora::http {
namespace {

using namespace std::string_view_literals;
using test::parse_all;
using test::parse_bytewise;
using test::Parsed;

struct Case {
    const char* name;
    std::string_view raw;
    int strict;
    int unsafe;
};

const Case kCases[] = {
    {"plain", "GET / HTTP/1.0\r\n\r\n", 0, 0},
    {"bare LF line ends", "GET / HTTP/1.0\n\n", 400, 0},
    {"bare LF ends the head", "GET / HTTP/1.0\r\n\n", 400, 0},
    {"bare LF header line", "GET / HTTP/1.0\r\nFo: bar\n\r\n", 400, 0},
    {"bare LF blank lines first", "\n\nGET / HTTP/1.0\n\n", 400, 0},
    {"two SP after the method", "GET  / HTTP/1.0\r\n\r\n", 400, 0},
    {"two SP after the target", "GET /  HTTP/1.0\r\n\r\n", 400, 0},
    {"trailing SP", "GET / HTTP/1.0 \r\n\r\n", 400, 0},
    {"trailing SPs", "GET / HTTP/1.0  \r\n\r\n", 400, 0},
    {"trailing tab", "GET / HTTP/1.0\t\r\n\r\n", 400, 400},
    {"trailing VT", "GET / HTTP/1.0\x0b\r\n\r\n", 400, 400},
    {"tab separator", "GET\t/ HTTP/1.0\r\n\r\n", 400, 400},
    {"SP then tab", "GET \t/ HTTP/1.0\r\n\r\n", 400, 400},
    {"FF separator", "GET\f/ HTTP/1.0\r\n\r\n", 400, 400},
    {"CR separator", "GET\r/ HTTP/1.0\r\n\r\n", 400, 400},
    {"leading SP", " GET / HTTP/1.0\r\n\r\n", 400, 400},
    {"trailing text", "GET / HTTP/1.0 x\r\n\r\n", 400, 400},
    {"CR CR LF request line", "GET / HTTP/1.0\r\r\n\r\n", 400, 400},
    {"lowercase protocol", "GET / http/1.0\r\n\r\n", 400, 0},
    {"mixed-case protocol", "GET / Http/1.1\r\nHost: x\r\n\r\n", 400, 0},
    {"HTTP/0.9 spelled out", "GET / HTTP/0.9\r\n\r\n", 400, 400},
    {"HTT/1.0", "GET / HTT/1.0\r\n\r\n", 400, 400},
    {"HTTP/1.11", "GET / HTTP/1.11\r\nHost: x\r\n\r\n", 400, 400},
    {"method with slash", "G/T / HTTP/1.0\r\n\r\n", 400, 0},
    {"method with obs-text", "G\x80T / HTTP/1.0\r\n\r\n", 400, 0},
    {"method with @", "GET@ / HTTP/1.0\r\n\r\n", 400, 0},
    {"method with DEL", "G\x7fT / HTTP/1.0\r\n\r\n", 400, 400},
    {"method with 0x01", "G\x01T / HTTP/1.0\r\n\r\n", 400, 400},
    {"method with NUL", "G\0ET / HTTP/1.0\r\n\r\n"sv, 400, 400},
    {"method with SP", "G ET / HTTP/1.0\r\n\r\n", 400, 400},
    {"target with 0x01", "GET /\x01 HTTP/1.0\r\n\r\n", 400, 400},
    {"target with DEL", "GET /\x7f HTTP/1.0\r\n\r\n", 400, 400},
    {"target with NUL", "GET /\0 HTTP/1.0\r\n\r\n"sv, 400, 400},
    {"fragment", "GET /#frag HTTP/1.0\r\n\r\n", 400, 0},
    {"relative target", "GET index.html HTTP/1.0\r\n\r\n", 400, 400},
    {"asterisk with GET", "GET * HTTP/1.0\r\n\r\n", 400, 400},
    {"simple request", "GET /\r\n", 0, 0},
    {"simple request, one SP after", "GET / \r\n", 0, 0},
    {"simple request, two SP after", "GET /  \r\n", 400, 0},
    {"simple request, two SP before", "GET  /\r\n", 400, 0},
    {"simple request, bare LF", "GET /\n", 400, 0},
    {"simple POST", "POST /\r\n", 400, 0},
    {"simple HEAD", "HEAD /\r\n", 400, 0},
    {"simple unknown method", "FOO /\r\n", 400, 0},
    {"simple request with fragment", "GET /#frag\r\n", 400, 0},
    {"name with 0x01", "GET / HTTP/1.0\r\nF\x01o: bar\r\n\r\n", 400, 0},
    {"name with DEL", "GET / HTTP/1.0\r\nF\x7fo: bar\r\n\r\n", 400, 0},
    {"name with obs-text", "GET / HTTP/1.0\r\nF\x80o: bar\r\n\r\n", 400, 0},
    {"name with parentheses", "GET / HTTP/1.0\r\nF(o): bar\r\n\r\n", 400, 0},
    {"name with SP", "GET / HTTP/1.0\r\nF o: bar\r\n\r\n", 400, 400},
    {"SP before colon", "GET / HTTP/1.0\r\nFo : bar\r\n\r\n", 400, 400},
    {"tab before colon", "GET / HTTP/1.0\r\nFo\t: bar\r\n\r\n", 400, 400},
    {"name with CR", "GET / HTTP/1.0\r\nF\ro: bar\r\n\r\n", 400, 400},
    {"name with VT", "GET / HTTP/1.0\r\nF\x0bo: bar\r\n\r\n", 400, 400},
    {"name with FF", "GET / HTTP/1.0\r\nF\x0co: bar\r\n\r\n", 400, 400},
    {"name with NUL", "GET / HTTP/1.0\r\nFo\0o: bar\r\n\r\n"sv, 400, 400},
    {"empty name", "GET / HTTP/1.0\r\n: bar\r\n\r\n", 400, 400},
    {"no colon", "GET / HTTP/1.0\r\nFoo\r\n\r\n", 400, 400},
    {"double colon", "GET / HTTP/1.0\r\nFo:: bar\r\n\r\n", 0, 0},
    {"value with 0x01", "GET / HTTP/1.0\r\nFoo: b\x01" "ar\r\n\r\n", 400, 0},
    {"value with DEL", "GET / HTTP/1.0\r\nFo: b\x7f" "ar\r\n\r\n", 400, 0},
    {"value with ESC", "GET / HTTP/1.0\r\nFo: b\x1b" "ar\r\n\r\n", 400, 0},
    {"value with 0x1f", "GET / HTTP/1.0\r\nFo: b\x1f" "ar\r\n\r\n", 400, 0},
    {"value only 0x01", "GET / HTTP/1.0\r\nFo:\x01\r\n\r\n", 400, 0},
    {"value with VT", "GET / HTTP/1.0\r\nFo: b\x0b" "ar\r\n\r\n", 400, 400},
    {"value ending in VT", "GET / HTTP/1.0\r\nFo: bar\x0b\r\n\r\n", 400, 400},
    {"value with FF", "GET / HTTP/1.0\r\nFo: b\x0c" "ar\r\n\r\n", 400, 400},
    {"value with CR", "GET / HTTP/1.0\r\nFo: b\rar\r\n\r\n", 400, 400},
    {"value then CR CR LF", "GET / HTTP/1.0\r\nFo: bar\r\r\n\r\n", 400, 400},
    {"value with NUL", "GET / HTTP/1.0\r\nFo: b\0ar\r\n\r\n"sv, 400, 400},
    {"CR CR LF ends the head", "GET / HTTP/1.0\r\nFo: bar\r\n\r\r\n", 400, 400},
    {"fold with 0x01", "GET / HTTP/1.0\r\nFo: bar\r\n \x01x\r\n\r\n", 400, 0},
    {"fold with VT", "GET / HTTP/1.0\r\nFo: bar\r\n \x0bx\r\n\r\n", 400, 400},
    {"whitespace-only fold", "GET / HTTP/1.0\r\nFo: bar\r\n  \r\n\r\n", 400, 400},
    {"fold first", "GET / HTTP/1.0\r\n Fo: bar\r\n\r\n", 400, 400},
    {"line starting with VT", "GET / HTTP/1.0\r\nFo: bar\r\n\x0bx\r\n\r\n", 400, 400},
};

ProtocolOptions unsafe_options() {
    ProtocolOptions o;
    o.unsafe = true;
    return o;
}

TEST(RequestParserModes, EachCaseAsApacheAnswers) {
    for (const Case& c : kCases) {
        for (const bool unsafe : {false, true}) {
            const int want = unsafe ? c.unsafe : c.strict;
            ProtocolOptions o;
            o.unsafe = unsafe;
            Parsed p;
            parse_all(c.raw, p, {}, o);
            const int got = p.result.status == ParseStatus::kComplete ? 0
                            : p.result.status == ParseStatus::kError  ? p.result.error.status
                                                                      : -1;
            EXPECT_EQ(got, want) << c.name << (unsafe ? " (Unsafe)" : " (Strict)");
            // Byte by byte, the same answer.
            const ParseResult r = parse_bytewise(c.raw, {}, o);
            const int bytewise = r.status == ParseStatus::kComplete ? 0
                                 : r.status == ParseStatus::kError  ? r.error.status
                                                                    : -1;
            EXPECT_EQ(bytewise, want) << c.name << (unsafe ? " (Unsafe, bytewise)" : " (Strict, bytewise)");
        }
    }
}

TEST(RequestParserModes, UnsafeViewsSkipTheExtraSpaceAndTheFragment) {
    Parsed p;
    parse_all("GET  /a?b#frag   http/1.1  \nHost: x\n\n", p, {}, unsafe_options());
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.head.line.method, "GET");
    EXPECT_EQ(p.head.line.target, "/a?b");
    EXPECT_EQ(p.head.line.proto_num(), 1001);
    ASSERT_EQ(p.head.headers.size(), 1u);
    EXPECT_EQ(p.head.headers.value_of(*p.head.headers.find(HeaderId::kHost)), "x");
}

TEST(RequestParserModes, UnsafeKeepsOddNamesAndValues) {
    Parsed p;
    parse_all("G/T / HTTP/1.0\r\nF\x01o:  b\x01r  \r\n\r\n", p, {}, unsafe_options());
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_EQ(p.head.line.method, "G/T");
    EXPECT_EQ(p.head.line.method_id, Method::kUnknown);
    const HeaderField f = p.head.headers.at(0);
    EXPECT_EQ(f.name, "F\x01o");
    EXPECT_EQ(f.value, "b\x01r");
}

TEST(RequestParserModes, UnsafeSimpleRequestTakesAnyMethod) {
    Parsed p;
    parse_all("HEAD /x\r\n", p, {}, unsafe_options());
    ASSERT_EQ(p.result.status, ParseStatus::kComplete);
    EXPECT_TRUE(p.head.line.http09);
    EXPECT_EQ(p.head.line.method_id, Method::kHead);
    EXPECT_EQ(p.head.line.target, "/x");
}

int status_of(std::string_view raw, const ProtocolOptions& o) {
    Parsed p;
    parse_all(raw, p, {}, o);
    return p.result.status == ParseStatus::kComplete ? 0
           : p.result.status == ParseStatus::kError  ? p.result.error.status
                                                     : -1;
}

// Require1.0 refuses every simple request with 400, in either grammar; Allow0.9 is
// the default.
TEST(RequestParserModes, Require10RefusesSimpleRequests) {
    for (const bool unsafe : {false, true}) {
        ProtocolOptions o;
        o.unsafe = unsafe;
        EXPECT_EQ(status_of("GET /\r\n", o), 0);
        o.allow_http09 = false;
        EXPECT_EQ(status_of("GET /\r\n", o), 400);
        EXPECT_EQ(status_of("GET / \r\n", o), 400);
        EXPECT_EQ(status_of("GET / HTTP/1.0\r\n\r\n", o), 0);
        EXPECT_EQ(status_of("GET / HTTP/0.9\r\n\r\n", o), 400);
    }
    // Before RegisteredMethods' 501: the 0.9 refusal comes first.
    ProtocolOptions o = unsafe_options();
    o.allow_http09 = false;
    o.registered_methods = true;
    EXPECT_EQ(status_of("FOO /\r\n", o), 400);
}

TEST(RequestParserModes, RegisteredMethodsRefusesOthersWith501) {
    const std::vector<std::string> extra = {"BREW"};
    ProtocolOptions o;
    o.registered_methods = true;
    o.extra_methods = extra;
    for (const char* m : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "PROPFIND",
                          "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "CHECKOUT",
                          "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY",
                          "BASELINE-CONTROL", "MERGE", "BREW"}) {
        EXPECT_EQ(status_of(std::string(m) + " / HTTP/1.0\r\n\r\n", o), 0) << m;
    }
    for (const char* m : {"FOO", "SEARCH", "ACL", "BIND", "PRI", "get", "Get"}) {
        EXPECT_EQ(status_of(std::string(m) + " / HTTP/1.0\r\n\r\n", o), 501) << m;
    }
    // Answered from the request line: no header needs to arrive.
    EXPECT_EQ(status_of("FOO / HTTP/1.1\r\n", o), 501);
    // The line's own grammar first, the target's form after the method.
    EXPECT_EQ(status_of("FOO  / HTTP/1.0\r\n\r\n", o), 400);
    EXPECT_EQ(status_of("FOO /\x01 HTTP/1.0\r\n\r\n", o), 400);
    EXPECT_EQ(status_of("FOO index.html HTTP/1.0\r\n\r\n", o), 501);
    EXPECT_EQ(status_of("FOO /#x HTTP/1.0\r\n\r\n", o), 501);
    EXPECT_EQ(status_of("GET /#x HTTP/1.0\r\n\r\n", o), 400);
    // Unsafe's wider method grammar meets the same registry.
    o.unsafe = true;
    EXPECT_EQ(status_of("G/T / HTTP/1.0\r\n\r\n", o), 501);
    // LenientMethods (the default) accepts any token; the handler answers later.
    o.registered_methods = false;
    EXPECT_EQ(status_of("G/T / HTTP/1.0\r\n\r\n", o), 0);
}

TEST(RequestParserModes, ReadingHeadersMarksAHeadCutAfterItsLine) {
    std::vector<HeaderSlot> slots(100);
    RequestParser parser(Limits{}, slots);
    std::string buf = "GET / HTTP/1.0";
    EXPECT_EQ(parser.parse(buf.data(), buf.size()).status, ParseStatus::kIncomplete);
    EXPECT_FALSE(parser.reading_headers());
    buf += "\r\nHost: localhost:80 x\r\n\r";
    EXPECT_EQ(parser.parse(buf.data(), buf.size()).status, ParseStatus::kIncomplete);
    EXPECT_TRUE(parser.reading_headers());
}

RequestHead head_of(Parsed& p, std::string_view raw, bool unsafe) {
    ProtocolOptions o;
    o.unsafe = unsafe;
    parse_all(raw, p, {}, o);
    EXPECT_EQ(p.result.status, ParseStatus::kComplete) << raw;
    return p.head;
}

struct HostCase {
    std::string_view value;
    bool strict;
    bool unsafe;
};

// Host values as Apache answered them (false: 400).
const HostCase kHosts[] = {
    {"localhost", true, true},       {"localhost:80", true, true},     {"a:00080", true, true},
    {"a:65535", true, true},         {"a:0", false, false},            {"a:65536", false, false},
    {"a:99999999999", false, false}, {"localhost:", false, true},      {"localhost:80x", false, true},
    {"localhost:x80", false, true},  {"localhost:80 x", false, true},  {"a:80:80", false, true},
    {"a::80", false, true},          {":80", false, false},            {":", false, true},
    {":x", false, true},             {"::1", false, true},             {"4714::abcd:8001", false, true},
    {"4714::abcd::", false, true},   {"x:1:0", false, false},          {"x:1:65536", false, false},
    {"a:+80", false, true},          {"a:-1", false, true},            {"[::1]", true, true},
    {"[::1]:80", true, true},        {"[::1]:", false, false},         {"[::1]:0", false, false},
    {"[::1]:65536", false, false},   {"[4714::abcd::]", false, false}, {"[::1", false, false},
    {"[::1]x", false, false},        {"[::1]:8x", false, false},       {"[zz]", false, false},
    {"[]", false, false},            {"[1.2.3.4]", false, false},      {"[::ffff:1.2.3.4]", true, true},
    {"[::1%eth0]", false, false},    {"abc\xa0", false, true},         {"abc\\foo", false, false},
    {"abc/foo", false, false},       {"x/:80", false, false},          {"x:8/0", false, false},
    {"a..b", false, false},          {"a.b..", false, false},          {"..", false, false},
    {".", false, true},              {".a", true, true},               {"a.", true, true},
    {"x.:80", true, true},           {"a@b", false, true},             {"0x7f.1", false, true},
    {"127.01.0.1", false, true},     {"a.1b", false, true},            {"a\x01" "b", false, true},
    {"a%b", false, true},            {"a b", false, true},             {"a,b", false, true},
    {"foo_bar.example.com", true, true},
};

TEST(RequestParserModes, HostRulesOfEachMode) {
    for (const HostCase& c : kHosts) {
        for (const bool unsafe : {false, true}) {
            ProtocolOptions o;
            o.unsafe = unsafe;
            Parsed p;
            const std::string raw = "GET / HTTP/1.0\r\nHost: " + std::string(c.value) + "\r\n\r\n";
            parse_all(raw, p, {}, o);
            // A control byte is the Strict parser's 400 before Host is looked at.
            const bool accepted = p.result.status == ParseStatus::kComplete && !check_host(p.head, unsafe);
            EXPECT_EQ(accepted, unsafe ? c.unsafe : c.strict)
                << "Host: " << c.value << (unsafe ? " (Unsafe)" : " (Strict)");
        }
    }
}

TEST(RequestParserModes, RepeatedHostIsJoinedUnderUnsafe) {
    for (const bool unsafe : {false, true}) {
        Parsed a;
        EXPECT_EQ(!check_host(head_of(a, "GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", unsafe), unsafe),
                  unsafe);
        Parsed b;
        EXPECT_EQ(!check_host(head_of(b, "GET / HTTP/1.0\r\nHost: a\r\nHost: \r\n\r\n", unsafe), unsafe),
                  unsafe);
        // Joined, the value "[::1], [::1]" is no bracketed literal.
        Parsed c;
        EXPECT_TRUE(check_host(head_of(c, "GET / HTTP/1.0\r\nHost: [::1]\r\nHost: [::1]\r\n\r\n", unsafe), unsafe));
        Parsed d;
        EXPECT_TRUE(check_host(head_of(d, "GET / HTTP/1.1\r\nHost: \r\n\r\n", unsafe), unsafe));
    }
}

// An absolute-form target names the host: Host is only required (HTTP/1.1), not read.
TEST(RequestParserModes, AbsoluteTargetLeavesHostUnchecked) {
    for (const bool unsafe : {false, true}) {
        Parsed a;
        EXPECT_FALSE(check_host(head_of(a, "GET http://localhost/ HTTP/1.0\r\nHost: a b\r\n\r\n", unsafe), unsafe));
        Parsed b;
        EXPECT_FALSE(check_host(head_of(b, "GET http://localhost/ HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n", unsafe),
                                unsafe));
        Parsed c;
        EXPECT_TRUE(check_host(head_of(c, "GET http://localhost/ HTTP/1.1\r\n\r\n", unsafe), unsafe));
        Parsed d;
        EXPECT_FALSE(check_host(head_of(d, "GET http://localhost/ HTTP/1.1\r\nHost: \r\n\r\n", unsafe), unsafe));
    }
}

struct AuthorityCase {
    std::string_view authority;
    bool strict;
    bool unsafe;
};

const AuthorityCase kAuthorities[] = {
    {"localhost", true, true},       {"localhost:80", true, true},       {"127.0.0.1", true, true},
    {"017700000001", false, true},   {"0x7f.1", false, true},            {"127.01.0.1", false, true},
    {"%3127.0.0.1", false, true},    {"foo@localhost:80", false, true},  {"foo:bar@localhost", false, true},
    {":bar@localhost", false, true}, {"localhost:80x", false, false},    {"localhost:80:80", false, false},
    {"localhost::80", false, false}, {"4713::abcd:8001", false, false},  {"[::1]", true, true},
    {"[4712::abcd]:8000", true, true}, {"[4712::abcd::]", false, false}, {"foo_bar", true, true},
    {"10.0.0.1:81", true, true},
};

TEST(RequestParserModes, AbsoluteAuthorityOfEachMode) {
    for (const AuthorityCase& c : kAuthorities) {
        EXPECT_EQ(is_valid_authority(c.authority, false), c.strict) << c.authority << " (Strict)";
        EXPECT_EQ(is_valid_authority(c.authority, true), c.unsafe) << c.authority << " (Unsafe)";
    }
}

}  // namespace
}  // namespace sonora::http
