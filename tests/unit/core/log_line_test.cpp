// An error-log line as httpd writes it: the message's control bytes escaped
// (ap_escape_errorlog_item), so that no message can break a line.

#include "core/log.h"

#include <gtest/gtest.h>

#include <string>

namespace sonora {
namespace {

TEST(LogLine, ControlBytesInAMessageAreEscaped) {
    const std::string line = format_log_line(LogLevel::Error, "core", "SN00001",
                                             std::string("a\tb\nc\rd\x01" "e\x7f" "f\xc3\xa9 \"q\" \\"), "1.2.3.4:5");
    const std::string tail = line.substr(line.find("[client 1.2.3.4:5] "));
    EXPECT_EQ(tail, "[client 1.2.3.4:5] SN00001: a\\tb\\nc\\rd\\x01e\\x7ff\\xc3\\xa9 \"q\" \\");
    EXPECT_EQ(line.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace sonora
