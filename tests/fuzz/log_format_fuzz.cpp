// libFuzzer target for the access-log format compiler and renderer: the
// input is a LogFormat string; formats that compile are rendered against a
// fixed record with hostile header bytes, and the line must be one line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory_resource>
#include <string>
#include <string_view>

#include "modules/loggers/log_render.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sonora::modules::loggers;
    LogFormat format;
    if (compile_log_format(std::string_view(reinterpret_cast<const char*>(data), size), format)) {
        return 0;
    }
    std::pmr::monotonic_buffer_resource arena;
    sonora::request::Request r(&arena);
    static const sonora::request::Header headers[] = {{"User-Agent", "x\n\"\\\x01\xff"}, {"Cookie", "a=b; c"}};
    r.headers = headers;
    r.content_type = "text/html; q=1";
    LogRecord rec;
    rec.r = &r;
    rec.request_line = "GET /\r\n\x7f HTTP/1.1";
    rec.method = "GET";
    rec.protocol = "HTTP/1.1";
    rec.final_status = 200;
    rec.original_status = 404;
    rec.start_us = 1'795'000'000'000'000;
    rec.end_us = rec.start_us + 1234;
    std::string out;
    render_log_line(format, rec, out);
    // Only literal text from the format itself may contain a line end.
    bool literal_newline = false;
    for (const LogItem& item : format.items) {
        // (Text from the configuration: literals, unknown {arguments} printed as
        // written, strftime patterns.)
        literal_newline = literal_newline || item.text.find('\n') != std::string::npos ||
                          item.arg.find('\n') != std::string::npos ||
                          // strftime's %n, also with flags and widths ("%4n")
                          item.time.pattern.find('\n') != std::string::npos ||
                          (item.time.pattern.find('%') != std::string::npos &&
                           item.time.pattern.find('n') != std::string::npos);
    }
    if (!literal_newline && out.find('\n') != out.size() - 1) {
        std::abort();
    }
    return 0;
}
