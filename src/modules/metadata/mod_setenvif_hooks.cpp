// mod_setenvif and mod_env at request time: filling the request's
// environment (httpd's subprocess_env).
//
// httpd runs mod_setenvif's server-level conditions at post_read_request and
// the per-directory ones at header_parser, just after the request is mapped;
// Sonora runs both, in that order, first among the access checkers (the
// first phase after mapping). mod_env's SetEnv/UnsetEnv/PassEnv follow at
// fixups, as in httpd.

#include "expr/expr_regex.h"
#include "expr/request_context.h"
#include "modules/metadata/mod_env.h"
#include "modules/metadata/mod_setenvif.h"

#include "core/strings.h"

#include <sonora/hooks.h>

#include <algorithm>
#include <optional>

namespace sonora::modules::metadata {

namespace {

using Subject = SetEnvIfCondition::Subject;

// ap_pregsub's $0..$9 (and "\$" for a literal dollar) over the match groups.
std::string substitute(std::string_view value, const std::vector<std::string_view>& groups) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\\' && i + 1 < value.size() && (value[i + 1] == '$' || value[i + 1] == '\\')) {
            out += value[++i];
        } else if (c == '$' && i + 1 < value.size() && value[i + 1] >= '0' && value[i + 1] <= '9') {
            std::size_t n = static_cast<std::size_t>(value[++i] - '0');
            if (n < groups.size()) {
                out += groups[n];
            }
        } else {
            out += c;
        }
    }
    return out;
}

// `literal`: no regex captured anything (an ap_expr without a match), so
// "$1" stays as written, as httpd substitutes only after a regex match.
void apply(request::Request& r, const SetEnvIfCondition& cond, const std::vector<std::string_view>& groups,
           bool literal = false) {
    for (const auto& [name, value] : cond.actions) {
        if (!value) {
            r.env_unset(name);
        } else if (!literal && (value->find('$') != std::string::npos || value->find('\\') != std::string::npos)) {
            r.env_set(name, substitute(*value, groups));
        } else {
            r.env_set(name, *value);
        }
    }
}

// The value a condition tests; httpd tests a missing one as "".
std::string_view subject_value(const request::Request& r, const SetEnvIfCondition& cond) {
    const request::ConnectionInfo* c = r.connection;
    switch (cond.subject) {
        case Subject::RemoteAddr: return r.client_ip;
        case Subject::RemoteHost:
            return c != nullptr && r.lookups_wanted && !c->remote_host.empty() ? c->remote_host : r.client_ip;
        case Subject::RequestUri: return r.uri;
        case Subject::RequestMethod: return r.method_name;
        case Subject::RequestProtocol: return r.version == 10 ? "HTTP/1.0" : "HTTP/1.1";
        case Subject::ServerAddr: return c != nullptr ? c->local_ip : std::string_view();
        case Subject::Header:
        case Subject::Expr: break;
    }
    if (auto h = r.header(cond.name)) {
        return *h;
    }
    // Not a header: an environment variable set by an earlier condition.
    return r.env_get(cond.name).value_or(std::string_view());
}

void run_conditions(request::Request& r, const SetEnvIfConfig& conf) {
    thread_local std::vector<std::string_view> groups;
    // httpd keeps one match array for the whole pass: an expression that
    // captures nothing itself substitutes the last captures made before it,
    // and its values stay as written only while nothing has been captured.
    std::optional<expr::Backrefs> last;
    for (const SetEnvIfCondition& cond : conf.conditions) {
        groups.clear();
        if (cond.subject == Subject::Expr) {
            expr::RequestContext ctx(r);
            expr::Backrefs refs;
            const bool matched = expr::evaluate(*cond.expr, ctx, &refs);
            if (std::find(refs.set.begin(), refs.set.end(), true) != refs.set.end()) {
                last = std::move(refs);
            }
            if (matched) {
                for (int i = 0; last && i < expr::Backrefs::kMax; ++i) {
                    groups.push_back(last->set[i] ? std::string_view(last->group[i]) : std::string_view());
                }
                apply(r, cond, groups, !last);
            }
            continue;
        }
        if (cond.subject == Subject::Header && cond.name_regex) {
            // A regex names the header: the first matching header whose value matches.
            for (const request::Header& h : r.headers) {
                if (cond.name_regex->matches(h.name) && cond.regex->match(h.value, groups)) {
                    apply(r, cond, groups);
                    break;
                }
            }
            continue;
        }
        if (cond.regex->match(subject_value(r, cond), groups)) {
            apply(r, cond, groups);
        }
    }
}

// httpd: server-level conditions at post_read_request (so <If> sees them),
// per-directory ones at header_parser (after the walks).
int setenvif_post_read_request(request::Request& r, Services&) {
    if (r.server != nullptr) {
        if (const auto* conf = r.server->module_config.get<SetEnvIfConfig>(setenvif_module.index)) {
            run_conditions(r, *conf);
        }
    }
    return kDeclined;
}

int setenvif_header_parser(request::Request& r, Services&) {
    if (r.dir_config != nullptr) {
        if (const auto* conf = r.dir_config->get<SetEnvIfConfig>(setenvif_module.index)) {
            run_conditions(r, *conf);
        }
    }
    return kDeclined;
}

int env_fixups(request::Request& r, Services&) {
    if (r.dir_config == nullptr) {
        return kDeclined;
    }
    const auto* conf = r.dir_config->get<EnvDirConfig>(env_module.index);
    if (conf == nullptr) {
        return kDeclined;
    }
    for (const auto& [name, value] : conf->vars) {
        r.env_set(name, value);
    }
    for (const std::string& name : conf->unsets) {
        r.env_unset(name);
    }
    return kOk;
}

}  // namespace

void setenvif_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::PostReadRequest, setenvif_post_read_request, HookOrder::Middle);
    hooks.add(Phase::HeaderParser, setenvif_header_parser, HookOrder::Middle);
}

void env_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Fixups, env_fixups, HookOrder::Middle); }

}  // namespace sonora::modules::metadata
