#pragma once
// An ap_expr evaluation context over a request: what CustomLog expr=,
// SetEnvIfExpr, <If>, Require expr and mod_headers can ask about it.

#include "expr/eval.h"

#include <sonora/request.h>


namespace sonora::expr {

class RequestContext final : public Context {
public:
    // Must not outlive `r`.
    explicit RequestContext(const request::Request& r) : r_(r) {}
    std::string variable(Var v) override;
    std::optional<std::string> request_header(std::string_view name, bool vary) override;
    std::optional<std::string> response_header(std::string_view name) override;
    std::optional<std::string> request_env(std::string_view name) override;
    std::optional<std::string> note(std::string_view name) override;
    bool subrequest_allowed(std::string_view target, bool is_uri) override;

private:
    const request::Request& r_;
};

}  // namespace sonora::expr
