#pragma once
// Serialises a response head into a caller buffer, ready for one writev with the body.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sonora::http {

// Writes "HTTP/1.1 <status line>\r\n", header lines and the blank line.
//
// Apache answers every request with "HTTP/1.1" (HTTP/1.0 and HTTP/1.2 clients alike),
// so that is the only version written. The writer never allocates: once the buffer is
// full it stops writing and ok() turns false for good; the caller then answers 500 or
// retries with a larger buffer. Values are written as given: the caller must not pass
// CR or LF in names or values (debug builds of the request layer check this).
class ResponseHeadWriter {
  public:
    ResponseHeadWriter(char* buffer, std::size_t capacity) : buf_(buffer), cap_(capacity) {}

    // Status line with Apache's reason phrase (see status_line()); a code Apache has no
    // phrase for is sent as "HTTP/1.1 299 " like Apache does, and a code outside
    // 100-999 as 500.
    void status(int code);
    // Status line with an explicit reason, as a CGI "Status: 299 Fine" line gives.
    void status(int code, std::string_view reason);
    void header(std::string_view name, std::string_view value);
    void header(std::string_view name, std::uint64_t value);
    // Ends the head with the blank line; returns the head, or empty if it did not fit.
    std::string_view finish();

    bool ok() const { return ok_; }
    std::size_t size() const { return len_; }

  private:
    void append(std::string_view s);
    void append_number(std::uint64_t n);

    char* buf_;
    std::size_t cap_;
    std::size_t len_ = 0;
    bool ok_ = true;
};

}  // namespace sonora::http
