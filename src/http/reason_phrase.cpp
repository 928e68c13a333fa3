#include "http/reason_phrase.h"

#include <array>

namespace sonora::http {
namespace {

struct Entry {
    int status;
    std::string_view line;
};

// Sorted by status; recorded from Apache/2.4.71 responses (see PROTOCOL_NOTES.md).
constexpr std::array kLines = {
    Entry{100, "100 Continue"},
    Entry{101, "101 Switching Protocols"},
    Entry{102, "102 Processing"},
    Entry{103, "103 Early Hints"},
    Entry{200, "200 OK"},
    Entry{201, "201 Created"},
    Entry{202, "202 Accepted"},
    Entry{203, "203 Non-Authoritative Information"},
    Entry{204, "204 No Content"},
    Entry{205, "205 Reset Content"},
    Entry{206, "206 Partial Content"},
    Entry{207, "207 Multi-Status"},
    Entry{208, "208 Already Reported"},
    Entry{226, "226 IM Used"},
    Entry{300, "300 Multiple Choices"},
    Entry{301, "301 Moved Permanently"},
    Entry{302, "302 Found"},
    Entry{303, "303 See Other"},
    Entry{304, "304 Not Modified"},
    Entry{305, "305 Use Proxy"},
    Entry{307, "307 Temporary Redirect"},
    Entry{308, "308 Permanent Redirect"},
    Entry{400, "400 Bad Request"},
    Entry{401, "401 Unauthorized"},
    Entry{402, "402 Payment Required"},
    Entry{403, "403 Forbidden"},
    Entry{404, "404 Not Found"},
    Entry{405, "405 Method Not Allowed"},
    Entry{406, "406 Not Acceptable"},
    Entry{407, "407 Proxy Authentication Required"},
    Entry{408, "408 Request Timeout"},
    Entry{409, "409 Conflict"},
    Entry{410, "410 Gone"},
    Entry{411, "411 Length Required"},
    Entry{412, "412 Precondition Failed"},
    Entry{413, "413 Request Entity Too Large"},
    Entry{414, "414 Request-URI Too Long"},
    Entry{415, "415 Unsupported Media Type"},
    Entry{416, "416 Requested Range Not Satisfiable"},
    Entry{417, "417 Expectation Failed"},
    Entry{421, "421 Misdirected Request"},
    Entry{422, "422 Unprocessable Entity"},
    Entry{423, "423 Locked"},
    Entry{424, "424 Failed Dependency"},
    Entry{426, "426 Upgrade Required"},
    Entry{428, "428 Precondition Required"},
    Entry{429, "429 Too Many Requests"},
    Entry{431, "431 Request Header Fields Too Large"},
    Entry{451, "451 Unavailable For Legal Reasons"},
    Entry{500, "500 Internal Server Error"},
    Entry{501, "501 Not Implemented"},
    Entry{502, "502 Bad Gateway"},
    Entry{503, "503 Service Unavailable"},
    Entry{504, "504 Gateway Timeout"},
    Entry{505, "505 HTTP Version Not Supported"},
    Entry{506, "506 Variant Also Negotiates"},
    Entry{507, "507 Insufficient Storage"},
    Entry{508, "508 Loop Detected"},
    Entry{510, "510 Not Extended"},
    Entry{511, "511 Network Authentication Required"},
};

const Entry* lookup(int status) {
    std::size_t lo = 0;
    std::size_t hi = kLines.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (kLines[mid].status < status) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < kLines.size() && kLines[lo].status == status ? &kLines[lo] : nullptr;
}

}  // namespace

std::string_view reason_phrase(int status) {
    const Entry* e = lookup(status);
    return e == nullptr ? std::string_view{} : e->line.substr(4);
}

std::string_view status_line(int status) {
    const Entry* e = lookup(status);
    return e == nullptr ? std::string_view{} : e->line;
}

}  // namespace sonora::http
