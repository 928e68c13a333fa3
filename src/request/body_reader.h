#pragma once
// A handler's finished body (memory, or ranges of a file: mapped, or read in
// pieces) as a BodySource, for the output filters and for a subrequest
// whose output another response includes. The file's descriptor and bytes
// belong to the file cache entry the response holds; the reader only reads.

#include <sonora/filter.h>
#include <sonora/request.h>

#include <string>
#include <vector>

namespace sonora::request {

class BodyReader final : public BodySource {
public:
    explicit BodyReader(const Body& body);
    Exchange::Output pull(Request& r, std::int64_t now_ms) override;

private:
    Body::Kind kind_;
    std::string_view memory_;
    int fd_ = -1;
    const char* mapped_ = nullptr;
    // What is left to give: memory, then file bytes, per piece.
    std::vector<Body::Piece> pieces_;
    std::size_t next_ = 0;          // the piece being given
    bool memory_given_ = false;     // its memory part is out
    std::uint64_t file_done_ = 0;   // bytes of its file part out
    std::string buffer_;            // a piece read with pread()
    bool done_ = false;
};

}  // namespace sonora::request
