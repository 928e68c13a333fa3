#pragma once
// MD5, SHA-1 (lower-case hex) and base64 for the ap_expr md5()/sha1()/
// base64()/unbase64() functions. Not for security purposes beyond what
// Apache's functions offer.

#include <string>
#include <string_view>

namespace sonora::expr {

std::string md5_hex(std::string_view data);
std::string sha1_hex(std::string_view data);
std::string base64_encode(std::string_view data);
// Decodes until the first character outside the alphabet (padding ends it too).
std::string base64_decode(std::string_view text);

}  // namespace sonora::expr
