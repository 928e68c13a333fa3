// Evaluation tests for ap_expr against a fake request context.
#include "expr/eval.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "expr/parser.h"

namespace sonora::expr {
namespace {

class FakeContext : public Context {
public:
    std::map<Var, std::string> vars;
    std::map<std::string, std::string> headers;  // names stored lower-case
    std::map<std::string, std::string> resp_headers;
    std::map<std::string, std::string> env;
    std::map<std::string, std::string> notes;
    std::map<std::string, std::string> os;
    std::map<std::string, FileInfo> files;
    std::map<std::string, std::string> contents;
    std::vector<std::string> vary;
    std::vector<std::string> errors;

    std::string variable(Var v) override {
        auto it = vars.find(v);
        return it == vars.end() ? std::string() : it->second;
    }
    std::optional<std::string> request_header(std::string_view name, bool v) override {
        std::string key = lower(name);
        if (v) {
            vary.push_back(key);
        }
        return find(headers, key);
    }
    std::optional<std::string> response_header(std::string_view name) override {
        return find(resp_headers, lower(name));
    }
    std::optional<std::string> request_env(std::string_view name) override {
        return find(env, std::string(name));
    }
    std::optional<std::string> note(std::string_view name) override {
        return find(notes, std::string(name));
    }
    std::optional<std::string> os_env(std::string_view name) override {
        return find(os, std::string(name));
    }
    bool subrequest_allowed(std::string_view target, bool is_uri) override {
        return is_uri ? target == "/public" : target == "/srv/public.html";
    }
    std::optional<FileInfo> stat_file(std::string_view path, bool follow) override {
        auto it = files.find(std::string(path));
        if (it == files.end()) {
            return std::nullopt;
        }
        FileInfo info = it->second;
        if (follow && info.type == FileInfo::Type::Symlink) {
            info.type = FileInfo::Type::Regular;
        }
        return info;
    }
    std::optional<std::string> read_file(std::string_view path) override {
        return find(contents, std::string(path));
    }
    void report_error(std::string_view message) override { errors.emplace_back(message); }

private:
    static std::string lower(std::string_view s) {
        std::string out(s);
        for (char& c : out) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return out;
    }
    static std::optional<std::string> find(const std::map<std::string, std::string>& m,
                                           const std::string& k) {
        auto it = m.find(k);
        if (it == m.end()) {
            return std::nullopt;
        }
        return it->second;
    }
};

FakeContext make_context() {
    FakeContext ctx;
    ctx.vars[Var::RequestUri] = "/app/page.html";
    ctx.vars[Var::RequestMethod] = "GET";
    ctx.vars[Var::RemoteAddr] = "10.1.2.3";
    ctx.vars[Var::Https] = "off";
    ctx.vars[Var::QueryString] = "a=1&b=2";
    ctx.vars[Var::TimeYear] = "2024";
    ctx.headers["host"] = "www.Example.com";
    ctx.headers["user-agent"] = "Mozilla/5.0 (X11)";
    ctx.headers["x-forwarded-for"] = "192.168.0.7";
    ctx.resp_headers["content-type"] = "text/html";
    ctx.env["HANDLER_SET"] = "yes";
    ctx.env["SHARED"] = "from-env";
    ctx.notes["SHARED"] = "from-note";
    ctx.os["HOME"] = "/root";
    ctx.files["/srv"] = FileInfo{FileInfo::Type::Directory, 4096, true};
    ctx.files["/srv/index.html"] = FileInfo{FileInfo::Type::Regular, 120, false};
    ctx.files["/srv/empty"] = FileInfo{FileInfo::Type::Regular, 0, false};
    ctx.files["/srv/run.sh"] = FileInfo{FileInfo::Type::Regular, 10, true};
    ctx.files["/srv/link"] = FileInfo{FileInfo::Type::Symlink, 5, false};
    ctx.contents["/srv/index.html"] = "hello\n";
    return ctx;
}

struct EvalCase {
    const char* input;
    bool expected;
};

constexpr EvalCase kCases[] = {
    {"true", true},
    {"false", false},
    {"!false && (false || true)", true},
    {"%{REQUEST_METHOD} == 'GET'", true},
    {"%{REQUEST_METHOD} = 'POST'", false},
    {"%{REQUEST_METHOD} != 'POST'", true},
    {"'abc' < 'abd'", true},
    {"'abc' >= 'abd'", false},
    {"'b' > 'a' && 'a' <= 'a'", true},
    {"%{HTTP_HOST} == 'www.Example.com'", true},
    {"tolower(%{HTTP_HOST}) == 'www.example.com'", true},
    {"%{toupper:%{REQUEST_METHOD}x} == 'GETX'", true},
    {"req('Host') =~ /example\\.com$/i", true},
    {"req('Host') =~ /example\\.com$/", false},
    {"%{HTTP_USER_AGENT} =~ m#Mozilla/(\\d)# && $1 == '5'", true},
    {"%{REQUEST_URI} =~ /^\\/(\\w+)\\/(.*)$/ && '$2 in $1' == 'page.html in app'", true},
    {"%{REQUEST_URI} !~ /\\.php$/", true},
    {"%{TIME_YEAR} -gt 2000 && %{TIME_YEAR} -le 2024", true},
    {"10 -eq 010", true},
    {"-5 -lt 3", true},
    {"'2' -ge '10'", false},
    {"'2' ge '10' || 2 lt 10", true},
    {"'x' -eq 1", false},
    {"%{REQUEST_METHOD} in {'PUT', 'GET'}", true},
    {"%{REQUEST_METHOD} -in {'PUT', 'DELETE'}", false},
    {"-d '/srv' && !-d '/srv/index.html'", true},
    {"-e '/srv/nope'", false},
    {"-f '/srv/index.html' && !-f '/srv'", true},
    {"-s '/srv/index.html' && !-s '/srv/empty'", true},
    {"-L '/srv/link' && -h '/srv/link' && !-L '/srv/index.html'", true},
    {"-x '/srv/run.sh' && !-x '/srv/index.html'", true},
    {"-F '/srv/public.html' && !-F '/srv/index.html'", true},
    {"-U '/public' && -A '/public' && !-U '/private'", true},
    {"-n %{QUERY_STRING} && -z %{REMOTE_USER}", true},
    {"-T 'yes' && !-T 'off' && !-T 'No' && !-T '0' && !-T '' && !-T %{HTTPS}", true},
    {"-R '10.0.0.0/8' && !-R '192.168.0.0/16'", true},
    {"-R '10.1'", true},
    {"req('X-Forwarded-For') -ipmatch '192.168.0.0/255.255.0.0'", true},
    {"'::ffff:10.1.2.3' -ipmatch '10.0.0.0/8'", true},
    {"'2001:db8::1' -ipmatch '2001:db8::/32' && !('10.0.0.1' -ipmatch '::1')", true},
    {"'index.html' -strmatch '*.html'", true},
    {"'INDEX.HTML' -strmatch '*.html'", false},
    {"'INDEX.HTML' -strcmatch '*.html'", true},
    {"'/a/b.html' -strmatch '/*.html'", true},
    {"'/a/b.html' -fnmatch '/*.html'", false},
    {"'/a/b.html' -fnmatch '/*/*.html'", true},
    {"resp('Content-Type') == 'text/html'", true},
    {"reqenv('HANDLER_SET') == 'yes' && reqenv('NOPE') == ''", true},
    {"note('SHARED') == 'from-note' && env('SHARED') == 'from-note'", true},
    {"env('HANDLER_SET') == 'yes' && env('HOME') == '/root'", true},
    {"osenv('HOME') == '/root'", true},
    {"file('/srv/index.html') == 'hello\\n'", true},
    {"filesize('/srv/index.html') -eq 120 && filesize('/srv/nope') -eq 0", true},
    {"md5('') == 'd41d8cd98f00b204e9800998ecf8427e'", true},
    {"sha1('abc') == 'a9993e364706816aba3e25717850c26c9cd0d89d'", true},
    {"base64('hello') == 'aGVsbG8=' && unbase64('aGVsbG8=') == 'hello'", true},
    {"escape('/a b?c') == '/a%20b%3fc'", true},
    {"unescape('a%20b%2Fc') == 'a b%2Fc'", true},
    {"'a' . 1 . %{REQUEST_METHOD} == 'a1GET'", true},
};

class Evaluate : public ::testing::TestWithParam<EvalCase> {};

TEST_P(Evaluate, Table) {
    const EvalCase& c = GetParam();
    auto r = parse(c.input, ParseMode::Condition);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    FakeContext ctx = make_context();
    EXPECT_EQ(evaluate(r.value(), ctx), c.expected) << c.input << "  as " << r.value().dump();
}

INSTANTIATE_TEST_SUITE_P(Cases, Evaluate, ::testing::ValuesIn(kCases));

TEST(EvaluateDetail, BadIntegerIsReportedAndFalse) {
    auto r = parse("'abc' -eq 1", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_FALSE(evaluate(r.value(), ctx));
    ASSERT_EQ(ctx.errors.size(), 1u);
    EXPECT_NE(ctx.errors[0].find("abc"), std::string::npos);
}

TEST(EvaluateDetail, HeaderLookupsRecordVary) {
    auto r = parse("req('Accept') == '' && req_novary('X-A') == '' && %{HTTP_HOST} != ''",
                   ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_TRUE(evaluate(r.value(), ctx));
    EXPECT_EQ(ctx.vary, (std::vector<std::string>{"accept", "host"}));
}

TEST(EvaluateDetail, ShortCircuit) {
    auto r = parse("false && req('A') == '' || true || req('B') == ''", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_TRUE(evaluate(r.value(), ctx));
    EXPECT_TRUE(ctx.vary.empty());
}

TEST(EvaluateDetail, BackrefsFlowInAndOut) {
    Backrefs refs;
    refs.group[1] = "outer";
    refs.set[1] = true;
    auto r = parse("$1 == 'outer' && 'k=v' =~ /(\\w)=(\\w)/ && $2 == 'v'", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_TRUE(evaluate(r.value(), ctx, &refs));
    EXPECT_EQ(refs.group[0], "k=v");
    EXPECT_EQ(refs.group[1], "k");
    EXPECT_FALSE(refs.set[5]);
}

TEST(EvaluateDetail, FailedMatchKeepsPreviousBackrefs) {
    auto r = parse("'ab' =~ /(a)/ && !('zz' =~ /(b)/) && $1 == 'a'", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_TRUE(evaluate(r.value(), ctx));
}

TEST(EvaluateString, Interpolates) {
    auto r = parse(
        "%{REQUEST_METHOD} %{REQUEST_URI} from %{REMOTE_ADDR} host=%{tolower:%{HTTP_HOST}}",
        ParseMode::String);
    ASSERT_TRUE(r.ok()) << r.error().message;
    FakeContext ctx = make_context();
    EXPECT_EQ(evaluate_string(r.value(), ctx),
              "GET /app/page.html from 10.1.2.3 host=www.example.com");
}

TEST(EvaluateString, BackrefFromOuterMatch) {
    Backrefs refs;
    refs.group[0] = "whole";
    refs.set[0] = true;
    auto r = parse("[$0][$1] 100%", ParseMode::String);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_EQ(evaluate_string(r.value(), ctx, &refs), "[whole][] 100%");
}

// As httpd 2.4.71 logs these with LogMessage: escapes resolve in a string
// expression as in a quoted string, so "\%{" is a literal "%{".
TEST(EvaluateString, BackslashEscapesResolve) {
    FakeContext ctx = make_context();
    const std::pair<const char*, const char*> cases[] = {
        {"\\\"", "\""},  {"\\'", "'"},        {"a\\101b", "aAb"},  {"x\\%{REQUEST_METHOD}y", "x%{REQUEST_METHOD}y"},
        {"x\\y", "xy"}, {"a\\tb", "a\tb"}, {"%{REQUEST_METHOD}\\\\", "GET\\"},
    };
    for (const auto& [text, expected] : cases) {
        auto r = parse(text, ParseMode::String);
        ASSERT_TRUE(r.ok()) << text << ": " << r.error().message;
        EXPECT_EQ(evaluate_string(r.value(), ctx), expected) << text;
    }
    EXPECT_FALSE(parse("a\\9", ParseMode::String).ok());  // httpd: "Bad escape sequence"
}

TEST(EvaluateString, ConditionRendersAsWord) {
    auto r = parse("1 -eq 1", ParseMode::Condition);
    ASSERT_TRUE(r.ok());
    FakeContext ctx = make_context();
    EXPECT_EQ(evaluate_string(r.value(), ctx), "true");
}

}  // namespace
}  // namespace sonora::expr
