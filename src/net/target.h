#pragma once
// The request target's path, decoded for mapping: percent-decoding, then
// removal of "." and ".." segments. A path that would climb above "/", a
// malformed escape, an encoded NUL or an encoded '/' (httpd's default
// AllowEncodedSlashes Off) makes it invalid (400). An absolute-form target
// (http://host/path) gives its path, and its host when `host` is still empty.

#include <memory_resource>
#include <string>
#include <string_view>

namespace sonora::net {

bool decode_request_target(std::string_view target, std::string_view& host, std::pmr::string& uri);

}  // namespace sonora::net
