#pragma once
// httpd's default handler: a file answered with its metadata (Last-Modified,
// ETag per FileETag, Accept-Ranges), conditional requests (304/412), byte
// ranges (206, multipart/byteranges, 416), HEAD, OPTIONS, and 405/501 for
// methods a file cannot take.

#include "request/file_cache.h"
#include "request/request.h"

#include <memory>

namespace sonora::request {

// Returns 0 with the response in `r`, or an error status for error_response().
int serve_file(Request& r, const std::shared_ptr<const FileEntry>& entry);

}  // namespace sonora::request
