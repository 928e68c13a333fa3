// The CGI-style head of a script or a send-as-is file: where it ends (as
// bytes arrive, and at end of input), what is malformed, and where each
// field goes in the request.

#include "modules/core/script_head.h"

#include <gtest/gtest.h>

#include <memory_resource>
#include <string>

namespace sonora::modules::core {
namespace {

using State = ScriptHeadScan::State;

TEST(ScriptHead, EndsAtTheBlankLineWhateverTheLineEnds) {
    EXPECT_EQ(scan_script_head("A: 1\nB: 2\n\nbody", false).length, 11u);
    EXPECT_EQ(scan_script_head("A: 1\r\n\r\nbody", false).length, 8u);
    EXPECT_EQ(scan_script_head("\nbody", false).length, 1u);
    const auto partial = scan_script_head("A: 1\nB: 2", false);
    EXPECT_EQ(partial.state, State::Incomplete);
    EXPECT_EQ(scan_script_head("A: 1\n", false).state, State::Incomplete);
    // At the end of the input the head ends with it, a last line unterminated or not.
    const auto at_end = scan_script_head("A: 1\nB: 2", true);
    EXPECT_EQ(at_end.state, State::Complete);
    EXPECT_EQ(at_end.length, 9u);
    EXPECT_EQ(scan_script_head("", true).state, State::Complete);
}

TEST(ScriptHead, ALineWithoutAColonOrTooLongIsMalformed) {
    const auto bad = scan_script_head("A: 1\nno colon at all\n\n", false);
    EXPECT_EQ(bad.state, State::Malformed);
    EXPECT_EQ(bad.bad_line, "no colon at all");
    // httpd does not fold continuation lines of a script's head.
    EXPECT_EQ(scan_script_head("A: 1\n\tb\n\n", false).state, State::Malformed);
    EXPECT_EQ(scan_script_head("A: " + std::string(kMaxScriptHeadLine, 'x') + "\n\n", false).state, State::Malformed);
    EXPECT_EQ(scan_script_head("A: " + std::string(kMaxScriptHeadLine, 'x'), false).state, State::Malformed);
}

TEST(ScriptHead, FieldsGoWhereHttpdPutsThem) {
    std::pmr::monotonic_buffer_resource arena;
    request::Request r(&arena);
    r.time_s = 2'000'000'000;
    r.err_headers_out.push_back({"X-Early", "e"});
    const auto fields = apply_script_head(r, "Status: 299 Custom Reason\r\n"
                                             "Content-Type: Text/HTML; Charset=UTF-8\r\n"
                                             "Location: /elsewhere\r\n"
                                             "Content-Length: 12\r\n"
                                             "Transfer-Encoding: chunked\r\n"
                                             "Last-Modified: Sat, 01 Jan 2000 00:00:00 GMT\r\n"
                                             "Set-Cookie: a=1\r\n"
                                             "X-Early: f  \r\n"
                                             "X-Multi: 1\r\n"
                                             "Set-Cookie: b=2\r\n"
                                             "x-multi: 2\r\n\r\n");
    EXPECT_FALSE(fields.bad_status);
    EXPECT_EQ(fields.content_length, "12");
    EXPECT_EQ(r.status, 299);
    EXPECT_EQ(r.status_line, "299 Custom Reason");
    EXPECT_EQ(r.content_type, "text/html; Charset=UTF-8");
    EXPECT_EQ(request::find_header(r.headers_out, "Location"), "/elsewhere");
    EXPECT_EQ(request::find_header(r.headers_out, "Last-Modified"), "Sat, 01 Jan 2000 00:00:00 GMT");
    EXPECT_FALSE(request::find_header(r.headers_out, "Transfer-Encoding"));
    ASSERT_EQ(r.err_headers_out.size(), 4u);
    EXPECT_EQ(r.err_headers_out[0].value, "e, f");  // merged with what was there, blanks trimmed
    EXPECT_EQ(r.err_headers_out[1].value, "1, 2");
    EXPECT_EQ(r.err_headers_out[2].value, "a=1");  // cookies after the merged fields, one each
    EXPECT_EQ(r.err_headers_out[3].value, "b=2");
}

TEST(ScriptHead, ABadStatusIs500AndAFutureDateIsNow) {
    std::pmr::monotonic_buffer_resource arena;
    for (const char* status : {"abc", "20", "2000", "600 Big", "099", "200x"}) {
        request::Request r(&arena);
        const auto fields = apply_script_head(r, std::string("Status: ") + status + "\n");
        EXPECT_EQ(r.status, 500) << status;
        EXPECT_EQ(fields.bad_status, status);
    }
    request::Request r(&arena);
    r.time_s = 946'684'800;  // 2000-01-01
    apply_script_head(r, "Status: 304\nLast-Modified: Fri, 01 Jan 2010 00:00:00 GMT\n");
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(request::find_header(r.headers_out, "Last-Modified"), "Sat, 01 Jan 2000 00:00:00 GMT");
}

}  // namespace
}  // namespace sonora::modules::core
