#pragma once
// The Services the request layer gives hooks (sonora/hooks.h), over one
// worker's request Context. Made on the stack for each call into modules;
// what a handler opened (take_opened) is the caller's to keep alive.

#include "request/driver.h"

#include <sonora/hooks.h>

#include <memory>

namespace sonora::request {

class HookServices final : public Services {
public:
    explicit HookServices(Context& ctx) : ctx_(ctx) {}
    FileProbe probe(std::string_view path) override;
    OpenFile open_file(std::string_view path) override;
    // The file a handler opened last, which its response may still be reading.
    std::shared_ptr<const FileEntry> take_opened() { return std::move(opened_); }
    bool internal_redirect(Request& r, std::string_view target) override;
    bool internal_fast_redirect(Request& r, std::string_view target) override;
    std::string_view server_banner() const override { return ctx_.server_banner; }
    Lookup lookup_uri(const Request& r, std::string_view uri) override;
    void inspect_lookup(const Request& r, LookupBy by, std::string_view target,
                        const std::function<void(const Request& sub)>& visit) override;
    std::unique_ptr<Subrequest> run_subrequest(Request& r, std::string_view uri) override;
    const OutputFilterSpec* find_output_filter(std::string_view name) const override;
    void note_auth_failure(Request& r) override;
    Context& context() { return ctx_; }

private:
    int run_lookup(Request& sub, const Request& r, LookupBy by, std::string_view target,
                   std::shared_ptr<const FileEntry>& entry);
    Context& ctx_;
    std::shared_ptr<const FileEntry> opened_;
};

}  // namespace sonora::request
