// Parse tests for ap_expr. The error wordings in kInvalid were recorded from
// Apache httpd 2.4 ("apache2 -t" on <If "..."> sections, minus the
// "Cannot parse condition clause: " prefix the <If> directive adds).
#include "expr/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace sonora::expr {
namespace {

struct ValidCase {
    const char* input;
    const char* dump;
};

constexpr ValidCase kValid[] = {
    {"true", "true"},
    {"false", "false"},
    {"!true", "(! true)"},
    {"!!true", "(! (! true))"},
    {"(((true)))", "true"},
    {"true || false && true", "(|| true (&& false true))"},
    {"true&&false||true", "(|| (&& true false) true)"},
    {"! true && false", "(&& (! true) false)"},
    {"'a' == 'b'", "(== 'a' 'b')"},
    {"%{HTTP_HOST} = 'x'", "(== %{HTTP_HOST} 'x')"},
    {"%{http_host}=='x'", "(== %{HTTP_HOST} 'x')"},
    {"'a' != 'b'", "(!= 'a' 'b')"},
    {"'a' < 'b'", "(< 'a' 'b')"},
    {"'a' <= 'b'", "(<= 'a' 'b')"},
    {"'a' > 'b'", "(> 'a' 'b')"},
    {"'a' >= 'b'", "(>= 'a' 'b')"},
    {"1 -eq 1", "(-eq '1' '1')"},
    {"1 eq 1", "(-eq '1' '1')"},
    {"1 -ne -1", "(-ne '1' '-1')"},
    {"1 lt 2", "(-lt '1' '2')"},
    {"%{TIME_YEAR} -gt 2000", "(-gt %{TIME_YEAR} '2000')"},
    {"'1' -le '2'", "(-le '1' '2')"},
    {"1 -ge 2", "(-ge '1' '2')"},
    {"1.2 == 1", "(== (. '1' '2') '1')"},
    {"'a' . 'b' == 'ab'", "(== (. 'a' 'b') 'ab')"},
    {"%{REQUEST_URI} =~ /^\\/foo/", "(=~ %{REQUEST_URI} /^\\/foo/)"},
    {"%{REQUEST_URI} =~ m#^/foo#i", "(=~ %{REQUEST_URI} /^/foo/i)"},
    {"'a' !~ m|b|", "(!~ 'a' /b/)"},
    {"%{REQUEST_URI} =~ m/^(.*)$/ && $1 == 'x'", "(&& (=~ %{REQUEST_URI} /^(.*)$/) (== $1 'x'))"},
    {"'a' in {'a', 'b'}", "(in 'a' {'a', 'b'})"},
    {"'a' -in {'b'}", "(in 'a' {'b'})"},
    {"'a' in {1,2,%{HTTP_HOST},tolower('a')}", "(in 'a' {'1', '2', %{HTTP_HOST}, tolower('a')})"},
    {"-d '/tmp'", "(-d '/tmp')"},
    {"-d'x'", "(-d 'x')"},
    {"-n 'x' && -z ''", "(&& (-n 'x') (-z ''))"},
    {"-T %{HTTPS}", "(-T %{HTTPS})"},
    {"-A '/x'", "(-U '/x')"},
    {"-R '10.0.0.0/8'", "(-R '10.0.0.0/8')"},
    {"-d 'x' . 'y'", "(-d (. 'x' 'y'))"},
    {"'a' -ipmatch '1.2.3.4/255.0.0.0'", "(-ipmatch 'a' '1.2.3.4/255.0.0.0')"},
    {"'a' -ipmatch '::1/128'", "(-ipmatch 'a' '::1/128')"},
    {"'a' -strmatch 'a*'", "(-strmatch 'a' 'a*')"},
    {"'a' -strcmatch %{HTTP_HOST}", "(-strcmatch 'a' %{HTTP_HOST})"},
    {"'a' -fnmatch 'a*'", "(-fnmatch 'a' 'a*')"},
    {"tolower('A') == 'a'", "(== tolower('A') 'a')"},
    {"TOLOWER('A') == 'a'", "(== tolower('A') 'a')"},
    {"%{tolower:A%{HTTP_HOST}} == 'a'", "(== tolower((. 'A' %{HTTP_HOST})) 'a')"},
    {"%{req:Host} == 'x'", "(== req('Host') 'x')"},
    {"%{HTTP:Host} == 'x'", "(== http('Host') 'x')"},
    {"-d req('x')", "(-d req('x'))"},
    {"'%{REQUEST_URI}.bak' == 'x'", "(== (. %{REQUEST_URI} '.bak') 'x')"},
    {"'$1' == 'a'", "(== $1 'a')"},
    {"$1 == 'a'", "(== $1 'a')"},
    {"'100%' == 'a$'", "(== '100%' 'a$')"},
    {"\"a\" == \"b'c\"", "(== 'a' 'b'c')"},
    {"'it\\'s' == 'x\\ty'", "(== 'it's' 'x\ty')"},
    {"'\\101' == 'A'", "(== 'A' 'A')"},
    {"'' == ''", "(== '' '')"},
    {"md5('x') == sha1(base64(unbase64('eA==')))", "(== md5('x') sha1(base64(unbase64('eA=='))))"},
    {"filesize('/etc/hostname') -gt 1", "(-gt filesize('/etc/hostname') '1')"},
};

class ParseValid : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ParseValid, ProducesTree) {
    const ValidCase& c = GetParam();
    auto r = parse(c.input, ParseMode::Condition);
    ASSERT_TRUE(r.ok()) << c.input << " -> " << r.error().message;
    EXPECT_EQ(r.value().dump(), c.dump) << c.input;
}

INSTANTIATE_TEST_SUITE_P(Table, ParseValid, ::testing::ValuesIn(kValid));

struct InvalidCase {
    const char* input;
    const char* message;
};

constexpr InvalidCase kInvalid[] = {
    // Recorded from Apache 2.4.71.
    {"", "syntax error, unexpected $end"},
    {"1 -eq", "syntax error, unexpected $end"},
    {"%{FOO} == 'a'", "Variable 'FOO' does not exist"},
    {"%{SSL_PROTOCOL} == 'a'", "Variable 'SSL_PROTOCOL' does not exist"},
    {"foo(1) == 'a'", "Function 'foo' does not exist"},
    {"%{foo:A} == 'a'", "Function 'foo' does not exist"},
    {"filemod('/x') -gt 1", "Function 'filemod' does not exist"},
    {"%{HTTP_HOST} =~ /(/", "Failed to compile regular expression"},
    {"(true", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"},
    {"!(true", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"},
    {"(true false)", "syntax error, unexpected T_FALSE, expecting T_OP_OR or T_OP_AND or ')'"},
    {"('a' == 'b' 'c')",
     "syntax error, unexpected T_STR_BEGIN, expecting T_OP_OR or T_OP_AND or ')'"},
    {"true)", "syntax error, unexpected ')', expecting $end"},
    {"true true", "syntax error, unexpected T_TRUE, expecting $end"},
    {"true !", "syntax error, unexpected T_OP_NOT, expecting $end"},
    {"'a' == 'b' 'c'", "syntax error, unexpected T_STR_BEGIN, expecting $end"},
    {"'a' == 'b' == 'c'", "syntax error, unexpected T_OP_STR_EQ, expecting $end"},
    {"'a' == 'b' -eq 'c'", "syntax error, unexpected T_OP_EQ, expecting $end"},
    {"'a' == 'b' in {'c'}", "syntax error, unexpected T_OP_IN, expecting $end"},
    {"'a' == 'b' $1", "syntax error, unexpected T_REGEX_BACKREF, expecting $end"},
    {"'a' == 'b' %{HTTP_HOST}", "syntax error, unexpected T_VAR_BEGIN, expecting $end"},
    {"%{HTTP_HOST} =~ /a/x", "syntax error, unexpected T_ID, expecting $end"},
    {"'abc", "Unterminated string or variable"},
    {"'a' == 'abc", "Unterminated string or variable"},
    {"%{HTTP_HOST:x", "Unterminated string or variable"},
    {"%{HTTP_HOST",
     "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': "
     "Unterminated string or variable"},
    {"%{HTTP_HOST y",
     "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': "
     "Invalid character in variable name ' '"},
    {"%{ HTTP_HOST} == 'a'",
     "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name ' '"},
    {"%{} == 'a'", "syntax error, unexpected T_VAR_END, expecting T_ID"},
    {"%{tolower:} == 'a'",
     "syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or "
     "T_VAR_BEGIN"},
    {"-Q 'a'", "Unary operator '-Q' does not exist"},
    {"'a' -foo 'b'", "Binary operator '-foo' does not exist"},
    {"'a' in {", "syntax error, unexpected $end"},
    {"'a' in {}", "syntax error, unexpected '}'"},
    {"'a' in {'a',}", "syntax error, unexpected '}'"},
    {"'a' in {'a' 'b'}", "syntax error, unexpected T_STR_BEGIN, expecting '}' or ','"},
    {"'a' in 'b'", "syntax error, unexpected T_STR_BEGIN, expecting T_ID or '{'"},
    {"'a' in %{HTTP_HOST}", "syntax error, unexpected T_VAR_BEGIN, expecting T_ID or '{'"},
    {"'a' in tolower('x')", "List-returning function 'tolower' does not exist"},
    {"'a' 'b'", "syntax error, unexpected T_STR_BEGIN"},
    {"1 2", "syntax error, unexpected T_DIGIT"},
    {"$10 == 'a'", "syntax error, unexpected T_DIGIT"},
    {"&&", "syntax error, unexpected T_OP_AND"},
    {"||", "syntax error, unexpected T_OP_OR"},
    {"!", "syntax error, unexpected $end"},
    {"== 'a'", "syntax error, unexpected T_OP_STR_EQ"},
    {"'a' =~ 'b'", "syntax error, unexpected T_STR_BEGIN, expecting T_REGEX or T_REGEX_I"},
    {"'a' =~ /a", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"},
    {"'a' =~ m#a", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"},
    {"'a' =~ m{x}", "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"},
    {"'a' =~ @",
     "syntax error, unexpected T_ERROR, expecting T_REGEX or T_REGEX_I: Parse error near '@'"},
    {"-d", "syntax error, unexpected $end"},
    {"-d -d", "syntax error, unexpected T_OP_UNARY"},
    {"'a' -d 'b'", "syntax error, unexpected T_OP_UNARY"},
    {"-ipmatch 'a'", "syntax error, unexpected T_OP_BINARY"},
    {"-ab1 'a'", "syntax error, unexpected T_OP_BINARY"},
    {"tolower 'A' == 'a'", "syntax error, unexpected T_STR_BEGIN, expecting '('"},
    {"a == b", "syntax error, unexpected T_OP_STR_EQ, expecting '('"},
    {"req('a' 'b') == 'x'", "syntax error, unexpected T_STR_BEGIN, expecting T_OP_CONCAT or ')'"},
    {"req() == 'x'", "syntax error, unexpected ')'"},
    {"'a' == 'b' .", "syntax error, unexpected $end"},
    {"@", "Parse error near '@'"},
    {"- 'a'", "Parse error near '-'"},
    {"$a == 'a'", "Parse error near '$'"},
    {"! @", "Parse error near '@'"},
    {"(@)", "Parse error near '@'"},
    {"true &&& true", "Parse error near '&'"},
    {"'a' == 'b' && @", "Parse error near '@'"},
    {"'a' == 'b' @", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '@'"},
    {"true & false", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '&'"},
    {"true | false", "syntax error, unexpected T_ERROR, expecting $end: Parse error near '|'"},
    {"'a' == @", "syntax error, unexpected T_ERROR: Parse error near '@'"},
    {"-d @", "syntax error, unexpected T_ERROR: Parse error near '@'"},
    {"'a' in {@}", "syntax error, unexpected T_ERROR: Parse error near '@'"},
    {"%{@}",
     "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name '@'"},
    {"'\\777' == 'a'", "Escape sequence out of bound"},
    {"'\\9' == 'a'", "Bad escape sequence"},
    {"-R 'x'", "parsing of subnet/netmask failed"},
    {"'a' -ipmatch '1.2.3.4/33'", "parsing of subnet/netmask failed"},
    {"'a' -ipmatch '10/8'", "parsing of subnet/netmask failed"},
    {"-R %{HTTP_HOST}", "-R requires subnet/netmask as constant argument"},
    {"-R '1.2.3.4' . 'x'", "-R requires subnet/netmask as constant argument"},
    {"'a' -ipmatch 'x%{HTTP_HOST}'", "-ipmatch requires subnet/netmask as constant argument"},
};

class ParseInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ParseInvalid, ReportsApacheWording) {
    const InvalidCase& c = GetParam();
    auto r = parse(c.input, ParseMode::Condition);
    ASSERT_FALSE(r.ok()) << c.input << " parsed as " << r.value().dump();
    EXPECT_EQ(r.error().message, c.message) << c.input;
}

INSTANTIATE_TEST_SUITE_P(Table, ParseInvalid, ::testing::ValuesIn(kInvalid));

TEST(Parse, RegexErrorCarriesPcreDetail) {
    auto r = parse("'a' =~ /a(/", ParseMode::Condition);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "Failed to compile regular expression");
    EXPECT_NE(r.error().detail.find("parenthes"), std::string::npos) << r.error().detail;
    EXPECT_EQ(r.error().offset, 7u);
}

TEST(Parse, ErrorOffsetPointsAtToken) {
    auto r = parse("true && %{NOPE} == 'a'", ParseMode::Condition);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().offset, 10u);
}

TEST(Parse, EveryDocumentedVariableIsKnown) {
    const char* names[] = {
        "HTTP_ACCEPT", "HTTP_COOKIE", "HTTP_FORWARDED", "HTTP_HOST", "HTTP_PROXY_CONNECTION",
        "HTTP_REFERER", "HTTP_USER_AGENT", "REQUEST_METHOD", "REQUEST_SCHEME", "REQUEST_URI",
        "DOCUMENT_URI", "REQUEST_FILENAME", "SCRIPT_FILENAME", "LAST_MODIFIED", "SCRIPT_USER",
        "SCRIPT_GROUP", "PATH_INFO", "QUERY_STRING", "IS_SUBREQ", "THE_REQUEST", "REMOTE_ADDR",
        "REMOTE_PORT", "REMOTE_HOST", "REMOTE_USER", "REMOTE_IDENT", "SERVER_NAME", "SERVER_PORT",
        "SERVER_ADMIN", "SERVER_PROTOCOL", "DOCUMENT_ROOT", "AUTH_TYPE", "CONTENT_TYPE", "HANDLER",
        "HTTP2", "HTTPS", "IPV6", "REQUEST_STATUS", "REQUEST_LOG_ID", "CONN_LOG_ID",
        "CONN_REMOTE_ADDR", "CONTEXT_PREFIX", "CONTEXT_DOCUMENT_ROOT", "TIME_YEAR", "TIME_MON",
        "TIME_DAY", "TIME_HOUR", "TIME_MIN", "TIME_SEC", "TIME_WDAY", "TIME", "SERVER_SOFTWARE",
        "API_VERSION"};
    for (const char* n : names) {
        std::string text = std::string("%{") + n + "} == 'x'";
        auto r = parse(text, ParseMode::Condition);
        EXPECT_TRUE(r.ok()) << n << ": " << r.error().message;
    }
}

TEST(Parse, RestrictedRefusesFileFunctions) {
    ParseOptions opts;
    opts.restricted = true;
    // Wording recorded from Apache (an <If> in .htaccess).
    auto r = parse("file('/etc/passwd') == 'x'", opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "file not available in restricted context");
    r = parse("%{filesize:/etc/passwd} -gt 0", opts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "filesize not available in restricted context");
    EXPECT_TRUE(parse("tolower('A') == 'a'", opts).ok());
}

TEST(Parse, StringMode) {
    struct Case {
        const char* input;
        const char* dump;
    } cases[] = {
        {"", "''"},
        {"plain text", "'plain text'"},
        {"x %{HTTP_HOST} y", "(. (. 'x ' %{HTTP_HOST}) ' y')"},
        {"%{tolower:A} $1 ", "(. (. (. tolower('A') ' ') $1) ' ')"},
        {"100%", "'100%'"},
        {"a%b $a 'q' \"", "'a%b $a 'q' \"'"},
    };
    for (const auto& c : cases) {
        auto r = parse(c.input, ParseMode::String);
        ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
        EXPECT_EQ(r.value().dump(), c.dump) << c.input;
    }
    // Wordings recorded from Apache's LogMessage.
    auto bad = parse("x %{FOO} y", ParseMode::String);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "Variable 'FOO' does not exist");
    bad = parse("x %{HTTP_HOST y", ParseMode::String);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message,
              "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in "
              "variable name ' '");
    bad = parse("%{:a}", ParseMode::String);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "syntax error, unexpected ':', expecting T_ID");
}

TEST(Parse, DeepNestingIsRejectedNotCrashing) {
    std::string deep(100000, '(');
    auto r = parse(deep, ParseMode::Condition);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "Expression nested too deeply");

    std::string chain = "true";
    for (int i = 0; i < 5000; ++i) {
        chain += " && true";
    }
    EXPECT_FALSE(parse(chain, ParseMode::Condition).ok());

    std::string nots(100000, '!');
    EXPECT_FALSE(parse(nots + "true", ParseMode::Condition).ok());
}

TEST(Parse, ExprIsCopyableAndMovable) {
    auto r = parse("'a' =~ /(a)/", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    Expr copy = r.value();
    Expr moved = std::move(r).value();
    EXPECT_EQ(copy.dump(), moved.dump());
}

}  // namespace
}  // namespace sonora::expr
