#include "http/method.h"

#include <array>

namespace sonora::http {
namespace {

constexpr std::array<std::string_view, 17> kMethodNames = {
    "", "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
};

// httpd's M_* order.
constexpr std::array<std::string_view, 26> kMethodNumbers = {
    "GET",   "PUT",    "POST",      "DELETE",   "CONNECT", "OPTIONS",         "TRACE",
    "PATCH", "PROPFIND", "PROPPATCH", "MKCOL",  "COPY",    "MOVE",            "LOCK",
    "UNLOCK", "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL",
    "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE",
};

}  // namespace

int method_number(std::string_view token) {
    if (token == "GET" || token == "HEAD") {
        return 0;
    }
    for (std::size_t i = 1; i < kMethodNumbers.size(); ++i) {
        if (kMethodNumbers[i] == token) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

Method classify_method(std::string_view token) {
    // GET dominates; test it before the table walk.
    if (token == "GET") {
        return Method::kGet;
    }
    for (std::size_t i = 2; i < kMethodNames.size(); ++i) {
        if (kMethodNames[i] == token) {
            return static_cast<Method>(i);
        }
    }
    return Method::kUnknown;
}

std::string_view method_name(Method m) {
    const auto i = static_cast<std::size_t>(m);
    return i < kMethodNames.size() ? kMethodNames[i] : std::string_view{};
}

}  // namespace sonora::http
