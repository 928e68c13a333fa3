#pragma once
// An ap_expr evaluation context over a request: what CustomLog expr=,
// SetEnvIfExpr, <If>, Require expr and mod_headers can ask about it.

#include "expr/eval.h"

#include <sonora/request.h>


namespace sonora::expr {

class RequestContext final : public Context {
public:
    // Must not outlive `r`. As httpd evaluates, every request header the
    // expression reads through req(), http() or an HTTP_* variable (Host
    // excepted, RFC 7231 7.1.4) is merged into the response's Vary at once,
    // whatever the result.
    explicit RequestContext(request::Request& r) : r_(r), vary_(&r) {}
    // For expressions whose result shapes no response (a log line, a debug
    // message, a RewriteCond with NV): httpd's AP_EXPR_FLAG_DONT_VARY.
    struct DontVary {};
    RequestContext(const request::Request& r, DontVary) : r_(r) {}
    std::string variable(Var v) override;
    std::optional<std::string> request_header(std::string_view name, bool vary) override;
    std::optional<std::string> response_header(std::string_view name) override;
    std::optional<std::string> request_env(std::string_view name) override;
    std::optional<std::string> note(std::string_view name) override;
    bool subrequest_allowed(std::string_view target, bool is_uri) override;

private:
    const request::Request& r_;
    request::Request* vary_ = nullptr;
};

}  // namespace sonora::expr
