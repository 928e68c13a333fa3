// The LogFormat compiler, table-driven: every letter of httpd 2.4's language,
// modifiers, arguments, escapes, and the two error messages (checked against
// `apache2 -t`).

#include "modules/loggers/log_format.h"

#include <gtest/gtest.h>

namespace sonora::modules::loggers {
namespace {

struct LetterCase {
    std::string_view format;
    LogField field;
    bool original;  // the letter's default for '<' / '>'
};

class LogFormatLetter : public ::testing::TestWithParam<LetterCase> {};

TEST_P(LogFormatLetter, CompilesToOneDirective) {
    const LetterCase& c = GetParam();
    LogFormat f;
    ASSERT_EQ(compile_log_format(c.format, f), std::nullopt) << c.format;
    ASSERT_EQ(f.items.size(), 1u) << c.format;
    EXPECT_EQ(f.items[0].field, c.field) << c.format;
    EXPECT_EQ(f.items[0].want_original, c.original) << c.format;
    EXPECT_EQ(f.source, c.format);
}

INSTANTIATE_TEST_SUITE_P(
    AllLetters, LogFormatLetter,
    ::testing::Values(
        LetterCase{"%a", LogField::RemoteAddr, false}, LetterCase{"%{c}a", LogField::RemoteAddr, false},
        LetterCase{"%A", LogField::LocalAddr, false}, LetterCase{"%B", LogField::Bytes, false},
        LetterCase{"%b", LogField::BytesClf, false}, LetterCase{"%{x}C", LogField::Cookie, false},
        LetterCase{"%D", LogField::DurationUs, true}, LetterCase{"%{HOME}e", LogField::Env, false},
        LetterCase{"%f", LogField::Filename, false}, LetterCase{"%h", LogField::RemoteHost, false},
        LetterCase{"%H", LogField::Protocol, false}, LetterCase{"%{Host}i", LogField::HeaderIn, false},
        LetterCase{"%k", LogField::KeepAlives, false}, LetterCase{"%l", LogField::RemoteLogname, false},
        LetterCase{"%L", LogField::LogId, true}, LetterCase{"%m", LogField::Method, false},
        LetterCase{"%{n}n", LogField::Note, false}, LetterCase{"%{Server}o", LogField::HeaderOut, false},
        LetterCase{"%p", LogField::Port, false}, LetterCase{"%P", LogField::PidTid, false},
        LetterCase{"%q", LogField::Query, false}, LetterCase{"%r", LogField::RequestLine, true},
        LetterCase{"%R", LogField::Handler, true}, LetterCase{"%s", LogField::Status, true},
        LetterCase{"%t", LogField::Time, false}, LetterCase{"%T", LogField::Duration, true},
        LetterCase{"%u", LogField::User, false}, LetterCase{"%U", LogField::Uri, true},
        LetterCase{"%v", LogField::VirtualHost, false}, LetterCase{"%V", LogField::ServerName, false},
        LetterCase{"%X", LogField::ConnStatus, false}, LetterCase{"%I", LogField::BytesIn, false},
        LetterCase{"%O", LogField::BytesOut, false}, LetterCase{"%S", LogField::BytesCombined, false},
        LetterCase{"%^FB", LogField::TimeToFirstByte, false},
        LetterCase{"%{Expires}^ti", LogField::TrailerIn, false},
        LetterCase{"%{Expires}^to", LogField::TrailerOut, false},
        LetterCase{"%>s", LogField::Status, false}, LetterCase{"%<s", LogField::Status, true},
        LetterCase{"%<h", LogField::RemoteHost, true}, LetterCase{"%>U", LogField::Uri, false}));

struct ErrorCase {
    std::string_view format;
    std::string_view message;
};

class LogFormatError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LogFormatError, IsRefusedWithApachesWording) {
    LogFormat f;
    auto err = compile_log_format(GetParam().format, f);
    ASSERT_TRUE(err.has_value()) << GetParam().format;
    EXPECT_EQ(*err, GetParam().message);
}

constexpr std::string_view kRanOff = "Ran off end of LogFormat parsing args to some directive";

INSTANTIATE_TEST_SUITE_P(
    Errors, LogFormatError,
    ::testing::Values(ErrorCase{"%Z", "Unrecognized LogFormat directive %Z"},
                      ErrorCase{"ok %h %j", "Unrecognized LogFormat directive %j"},
                      ErrorCase{"%^zz", "Unrecognized LogFormat directive %^"},
                      ErrorCase{"%^t", "Unrecognized LogFormat directive %^"},
                      ErrorCase{"%!%", "Unrecognized LogFormat directive %%"},
                      ErrorCase{"%{foo", kRanOff}, ErrorCase{"%>", kRanOff}, ErrorCase{"abc %", kRanOff},
                      ErrorCase{"%5", kRanOff}, ErrorCase{"%400,501", kRanOff}, ErrorCase{"%{a}", kRanOff}));

TEST(LogFormat, LiteralsEscapesAndPercent) {
    struct Case {
        std::string_view format;
        std::string_view literal;
    };
    const Case cases[] = {
        {"plain text", "plain text"},
        {"a\\nb\\tc\\rd", "a\nb\tc\rd"},
        {"back\\\\slash", "back\\slash"},
        {"keep \\\" and \\x", "keep \\\" and \\x"},
        {"100%%", "100%"},
        {"%%%%", "%%"},
        {"trailing\\", "trailing\\"},
    };
    for (const Case& c : cases) {
        LogFormat f;
        ASSERT_EQ(compile_log_format(c.format, f), std::nullopt) << c.format;
        ASSERT_EQ(f.items.size(), 1u) << c.format;
        EXPECT_EQ(f.items[0].field, LogField::Literal);
        EXPECT_EQ(f.items[0].text, c.literal) << c.format;
    }
}

TEST(LogFormat, EmptyFormatHasNoItems) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("", f), std::nullopt);
    EXPECT_TRUE(f.items.empty());
}

TEST(LogFormat, BackslashBeforePercentKeepsBothMeanings) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("a\\%h", f), std::nullopt);
    ASSERT_EQ(f.items.size(), 2u);
    EXPECT_EQ(f.items[0].text, "a\\");
    EXPECT_EQ(f.items[1].field, LogField::RemoteHost);
}

TEST(LogFormat, CommonLogFormatSplitsIntoItems) {
    LogFormat f;
    ASSERT_EQ(compile_log_format(kDefaultLogFormat, f), std::nullopt);
    std::vector<LogField> fields;
    for (const auto& i : f.items) {
        fields.push_back(i.field);
    }
    using F = LogField;
    EXPECT_EQ(fields, (std::vector<F>{F::RemoteHost, F::Literal, F::RemoteLogname, F::Literal, F::User,
                                      F::Literal, F::Time, F::Literal, F::RequestLine, F::Literal,
                                      F::Status, F::Literal, F::BytesClf}));
    EXPECT_EQ(f.items[7].text, " \"");
    EXPECT_FALSE(f.items[10].want_original);  // %>s
}

TEST(LogFormat, StatusConditionsAndNegation) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("%400,501{User-agent}i %!200,304{Referer}i %!!200s", f), std::nullopt);
    ASSERT_EQ(f.items.size(), 5u);
    EXPECT_EQ(f.items[0].field, LogField::HeaderIn);
    EXPECT_EQ(f.items[0].arg, "User-agent");
    EXPECT_EQ(f.items[0].statuses, (std::vector<int>{400, 501}));
    EXPECT_FALSE(f.items[0].negate_statuses);
    EXPECT_EQ(f.items[2].arg, "Referer");
    EXPECT_EQ(f.items[2].statuses, (std::vector<int>{200, 304}));
    EXPECT_TRUE(f.items[2].negate_statuses);
    EXPECT_FALSE(f.items[4].negate_statuses);  // two '!' cancel out
}

TEST(LogFormat, ModifiersInAnyOrderLastArgumentWins) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("%{a}<{b}200>i", f), std::nullopt);
    ASSERT_EQ(f.items.size(), 1u);
    EXPECT_EQ(f.items[0].arg, "b");
    EXPECT_EQ(f.items[0].statuses, std::vector<int>{200});
    EXPECT_FALSE(f.items[0].want_original);
    // A '}' is only looked for once the argument is open; '%' inside is plain text.
    ASSERT_EQ(compile_log_format("%{a%b}e", f), std::nullopt);
    EXPECT_EQ(f.items[0].arg, "a%b");
}

TEST(LogFormat, TimeSubFormats) {
    using K = TimeFormat::Kind;
    struct Case {
        std::string_view format;
        bool at_end;
        K kind;
        std::string_view pattern;
    };
    const Case cases[] = {
        {"%t", false, K::Clf, ""},
        {"%{}t", false, K::Clf, ""},
        {"%{begin}t", false, K::Clf, ""},
        {"%{end}t", true, K::Clf, ""},
        {"%{sec}t", false, K::Sec, ""},
        {"%{msec}t", false, K::Msec, ""},
        {"%{usec}t", false, K::Usec, ""},
        {"%{msec_frac}t", false, K::MsecFrac, ""},
        {"%{usec_frac}t", false, K::UsecFrac, ""},
        {"%{end:msec_frac}t", true, K::MsecFrac, ""},
        {"%{begin:sec}t", false, K::Sec, ""},
        {"%{%d/%b/%Y}t", false, K::Strftime, "%d/%b/%Y"},
        {"%{end:%H:%M}t", true, K::Strftime, "%H:%M"},
        {"%{begin:}t", false, K::Clf, ""},
        {"%{msecs}t", false, K::Strftime, "msecs"},
        {"%{beginx}t", false, K::Strftime, "beginx"},
    };
    for (const Case& c : cases) {
        LogFormat f;
        ASSERT_EQ(compile_log_format(c.format, f), std::nullopt) << c.format;
        ASSERT_EQ(f.items.size(), 1u) << c.format;
        EXPECT_EQ(f.items[0].time.at_end, c.at_end) << c.format;
        EXPECT_EQ(f.items[0].time.kind, c.kind) << c.format;
        EXPECT_EQ(f.items[0].time.pattern, c.pattern) << c.format;
    }
}

TEST(LogFormat, PortPidAndDurationArguments) {
    struct Case {
        std::string_view format;
        PortKind port;
        PidKind pid;
        DurationUnit unit;
    };
    const Case cases[] = {
        {"%p", PortKind::Canonical, PidKind::Pid, DurationUnit::Seconds},
        {"%{canonical}p", PortKind::Canonical, PidKind::Pid, DurationUnit::Seconds},
        {"%{LOCAL}p", PortKind::Local, PidKind::Pid, DurationUnit::Seconds},
        {"%{remote}p", PortKind::Remote, PidKind::Pid, DurationUnit::Seconds},
        {"%{other}p", PortKind::Bogus, PidKind::Pid, DurationUnit::Seconds},
        {"%{pid}P", PortKind::Canonical, PidKind::Pid, DurationUnit::Seconds},
        {"%{tid}P", PortKind::Canonical, PidKind::Tid, DurationUnit::Seconds},
        {"%{hextid}P", PortKind::Canonical, PidKind::HexTid, DurationUnit::Seconds},
        {"%{x}P", PortKind::Canonical, PidKind::Bogus, DurationUnit::Seconds},
        {"%{s}T", PortKind::Canonical, PidKind::Pid, DurationUnit::Seconds},
        {"%{ms}T", PortKind::Canonical, PidKind::Pid, DurationUnit::Millis},
        {"%{US}T", PortKind::Canonical, PidKind::Pid, DurationUnit::Micros},
        {"%{min}T", PortKind::Canonical, PidKind::Pid, DurationUnit::Bogus},
    };
    for (const Case& c : cases) {
        LogFormat f;
        ASSERT_EQ(compile_log_format(c.format, f), std::nullopt) << c.format;
        ASSERT_EQ(f.items.size(), 1u);
        EXPECT_EQ(f.items[0].port, c.port) << c.format;
        EXPECT_EQ(f.items[0].pid, c.pid) << c.format;
        EXPECT_EQ(f.items[0].unit, c.unit) << c.format;
    }
}

TEST(LogFormat, CombinedFormatFromTheManual) {
    LogFormat f;
    ASSERT_EQ(compile_log_format("%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"", f),
              std::nullopt);
    EXPECT_EQ(f.items.size(), 18u);
    EXPECT_EQ(f.items.back().text, "\"");
    EXPECT_EQ(f.items[16].arg, "User-Agent");
}

}  // namespace
}  // namespace sonora::modules::loggers
