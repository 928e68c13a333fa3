// mod_headers at request time: httpd's do_headers_fixup over the request's
// headers (fixups), the response's (Phase::HeadersOut / ErrorHeadersOut)
// and, for `early` entries, both at post_read_request.

#include "modules/metadata/mod_headers.h"

#include "core/scoreboard.h"
#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory_resource>

namespace sonora::modules::metadata {

namespace {

using request::Header;
using request::Request;
using Table = std::pmr::vector<Header>;

// Which table an entry edits: the request's own headers, or one of the
// response's (where Content-Type is the request's content type).
enum class Side : std::uint8_t { Request, Response };

const HeadersDirConfig* conf_of(const ConfigVector* v) {
    return v != nullptr ? v->get<HeadersDirConfig>(headers_module.index) : nullptr;
}

// The configuration the response is made under; the server's own where the
// request never reached a directory (an unparsable request's error page).
const HeadersDirConfig* response_conf(const Request& r) {
    return conf_of(r.dir_config != nullptr ? r.dir_config : r.server != nullptr ? &r.server->lookup_defaults : nullptr);
}

std::int64_t wall_clock_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// httpd's ap_get_sload: the share of worker slots ready and busy.
void worker_load(int& idle, int& busy) {
    idle = 0;
    busy = 0;
    const scoreboard::Scoreboard* sb = scoreboard::current();
    if (sb == nullptr) {
        return;
    }
    int ready = 0;
    int working = 0;
    int dead = 0;
    for (std::uint32_t i = 0; i < sb->server_limit(); ++i) {
        for (std::uint32_t j = 0; j < sb->thread_limit(); ++j) {
            switch (static_cast<scoreboard::State>(sb->worker(i, j).state.load(std::memory_order_relaxed))) {
                case scoreboard::State::Ready: ++ready; break;
                case scoreboard::State::Dead: ++dead; break;
                case scoreboard::State::Starting:
                case scoreboard::State::Idle: break;
                default: ++working; break;
            }
        }
    }
    const int total = ready + working + dead;
    if (total > 0) {
        idle = ready * 100 / total;
        busy = working * 100 / total;
    }
}

// An environment value as a header carries it: line ends become spaces.
void append_unwrapped(std::string& out, std::string_view v) {
    for (char c : v) {
        out.push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
}

// httpd's process_tags: the entry's value for this request.
std::string value_of(const HeaderEntry& e, Request& r) {
    if (e.value_expr) {
        expr::RequestContext ctx(r);
        return expr::evaluate_string(*e.value_expr, ctx);
    }
    std::string out;
    char buf[96];
    for (const FormatPiece& p : e.format) {
        switch (p.tag) {
            case 0: out.append(p.text); break;
            case 'D': out.append("D=").append(std::to_string(wall_clock_us() - r.time_us)); break;
            case 't': out.append("t=").append(std::to_string(r.time_us)); break;
            case 'e':
                if (auto v = r.env_get(p.text)) {
                    append_unwrapped(out, *v);
                } else {
                    out.append("(null)");
                }
                break;
            case 's': out.append("(null)"); break;  // no mod_ssl: every SSL variable is unset
            case 'l': {
                double avg[3] = {0, 0, 0};
                if (::getloadavg(avg, 3) != 3) {
                    avg[0] = avg[1] = avg[2] = -1;  // httpd's value when it cannot read them
                }
                std::snprintf(buf, sizeof buf, "l=%.2f/%.2f/%.2f", avg[0], avg[1], avg[2]);
                out.append(buf);
                break;
            }
            case 'i':
            case 'b': {
                int idle = 0;
                int busy = 0;
                worker_load(idle, busy);
                out.append(p.tag == 'i' ? "i=" : "b=").append(std::to_string(p.tag == 'i' ? idle : busy));
                break;
            }
            default: break;
        }
    }
    return out;
}

Header* first(Table& t, std::string_view name) {
    for (Header& h : t) {
        if (equals_nocase(h.name, name)) {
            return &h;
        }
    }
    return nullptr;
}

void unset(Table& t, std::string_view name) {
    std::erase_if(t, [&](const Header& h) { return equals_nocase(h.name, name); });
}

// apr_table_setn: the first field of that name takes the value, the others go.
void set(Table& t, std::string_view name, std::string_view value) {
    Header* h = first(t, name);
    if (h == nullptr) {
        t.push_back({name, value});
        return;
    }
    h->value = value;
    const std::size_t keep = static_cast<std::size_t>(h - t.data());
    std::size_t i = 0;
    std::erase_if(t, [&](const Header& x) { return i++ != keep && equals_nocase(x.name, name); });
}

// apr_table_mergen: appended to the first field of that name after ", ".
void append(Table& t, std::string_view name, std::string_view value, Request& r) {
    Header* h = first(t, name);
    if (h == nullptr) {
        t.push_back({name, value});
        return;
    }
    std::string joined(h->value);
    joined.append(", ").append(value);
    h->value = r.keep(joined);
}

// Whether `value` is already one of the comma-separated tokens of `list`
// (a quoted string being one token, commas and all), compared exactly.
bool has_token(std::string_view list, std::string_view value) {
    std::size_t i = 0;
    while (i < list.size()) {
        while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == '\r' || list[i] == '\n' ||
                                   list[i] == '\f' || list[i] == '\v')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < list.size() && list[i] != ',') {
            if (list[i++] == '"') {
                while (i < list.size()) {
                    if (list[i++] == '"') {
                        break;
                    }
                }
            }
        }
        if (list.substr(start, i - start) == value) {
            return true;
        }
        if (i < list.size()) {
            ++i;
        }
    }
    return false;
}

// httpd's process_regexp: the first match (edit) or every match (edit*)
// replaced; a later match is looked for in what follows the last, where
// '^' matches again, as in httpd.
std::string edited(const HeaderEntry& e, std::string_view value, std::string_view replacement) {
    std::string out;
    std::vector<std::string_view> groups;
    std::string_view rest = value;
    while (e.regex->match(rest, groups)) {
        const std::size_t so = static_cast<std::size_t>(groups[0].data() - rest.data());
        const std::size_t eo = so + groups[0].size();
        out.append(rest.substr(0, so)).append(substitute_groups(replacement, groups));
        rest.remove_prefix(eo);
        if (e.action == HeaderAction::Edit) {
            break;
        }
        // An empty match would be found again at the same place.
        if (so == eo) {
            if (rest.empty()) {
                break;
            }
            out.push_back(rest.front());
            rest.remove_prefix(1);
        }
    }
    out.append(rest);
    return out;
}

bool applies(const HeaderEntry& e, Request& r, bool early) {
    if (e.early != early) {
        return false;
    }
    if (e.condition) {
        expr::RequestContext ctx(r);
        return expr::evaluate(*e.condition, ctx);
    }
    if (!e.env.empty()) {
        return r.env_get(e.env).has_value() != e.env_negated;
    }
    return true;
}

void apply(const HeaderEntry& e, Table& t, Side side, Request& r) {
    const std::string_view name = e.header;
    const bool content_type = side == Side::Response && equals_nocase(name, "Content-Type");
    switch (e.action) {
        case HeaderAction::Add: t.push_back({name, r.keep(value_of(e, r))}); break;
        case HeaderAction::Append: append(t, name, r.keep(value_of(e, r)), r); break;
        case HeaderAction::Merge: {
            const std::string value = value_of(e, r);
            const Header* h = first(t, name);
            if (h == nullptr) {
                t.push_back({name, r.keep(value)});
            } else if (!has_token(h->value, value)) {
                append(t, name, r.keep(value), r);
            }
            break;
        }
        case HeaderAction::SetIfEmpty:
            if (first(t, name) != nullptr) {
                break;
            }
            [[fallthrough]];
        case HeaderAction::Set: {
            const std::string_view value = r.keep(value_of(e, r));
            if (content_type) {
                r.content_type.assign(value);  // httpd's ap_set_content_type
            }
            set(t, name, value);
            break;
        }
        case HeaderAction::Unset: unset(t, name); break;
        case HeaderAction::Echo:
            // Into headers_out whichever list the entry is in, as httpd.
            for (const Header& h : r.headers) {
                if (e.regex->matches(h.name)) {
                    r.headers_out.push_back(h);
                }
            }
            break;
        case HeaderAction::Edit:
        case HeaderAction::EditAll: {
            const std::string replacement = value_of(e, r);
            if (content_type && !r.content_type.empty()) {
                r.content_type.assign(edited(e, r.content_type, replacement));
            }
            if (first(t, name) == nullptr) {
                break;
            }
            // The edited fields move to the end of the table, as httpd re-adds them.
            std::vector<Header> changed;
            for (const Header& h : t) {
                if (equals_nocase(h.name, name)) {
                    changed.push_back({h.name, r.keep(edited(e, h.value, replacement))});
                }
            }
            unset(t, name);
            t.insert(t.end(), changed.begin(), changed.end());
            break;
        }
        case HeaderAction::Note:
            if (const Header* h = first(t, name)) {
                const std::string key = value_of(e, r);
                unset(r.notes, key);
                r.notes.push_back({r.keep(key), h->value});
            }
            break;
    }
}

void run(const std::vector<HeaderEntry>& entries, Table& t, Side side, Request& r, bool early) {
    for (const HeaderEntry& e : entries) {
        if (applies(e, r, early)) {
            apply(e, t, side, r);
        }
    }
}

// The request's headers are a view of what the connection parsed: edits
// work on a copy in the request's arena, which then becomes the view.
void run_on_request(const std::vector<HeaderEntry>& entries, Request& r, bool early) {
    bool any = false;
    for (const HeaderEntry& e : entries) {
        any = any || e.early == early;
    }
    if (!any) {
        return;
    }
    std::pmr::polymorphic_allocator<std::byte> alloc(r.arena);
    Table* table = alloc.new_object<Table>(r.headers.begin(), r.headers.end());
    run(entries, *table, Side::Request, r, early);
    r.headers = std::span<const Header>(table->data(), table->size());
}

// What the protocol writes itself is not taken from the tables (httpd sets
// Date, Server and Content-Length last, and the content type over any
// Content-Type field).
void drop_protocol_fields(Table& t, const Request& r) {
    std::erase_if(t, [&](const Header& h) {
        return equals_nocase(h.name, "Date") || equals_nocase(h.name, "Server") ||
               equals_nocase(h.name, "Content-Length") ||
               (!r.content_type.empty() && equals_nocase(h.name, "Content-Type"));
    });
}

int headers_early(Request& r, Services&) {
    const HeadersDirConfig* c = r.server != nullptr ? conf_of(&r.server->lookup_defaults) : nullptr;
    if (c == nullptr || c->empty()) {
        return kDeclined;
    }
    run_on_request(c->request, r, true);
    run(c->always, r.err_headers_out, Side::Response, r, true);
    run(c->on_success, r.headers_out, Side::Response, r, true);
    return kDeclined;
}

int headers_fixup(Request& r, Services&) {
    if (const HeadersDirConfig* c = conf_of(r.dir_config); c != nullptr && !c->request.empty()) {
        run_on_request(c->request, r, false);
    }
    return kDeclined;
}

int headers_out(Request& r, Services&) {
    const HeadersDirConfig* c = response_conf(r);
    if (c == nullptr || (c->always.empty() && c->on_success.empty())) {
        return kDeclined;
    }
    run(c->always, r.err_headers_out, Side::Response, r, false);
    run(c->on_success, r.headers_out, Side::Response, r, false);
    drop_protocol_fields(r.err_headers_out, r);
    drop_protocol_fields(r.headers_out, r);
    return kOk;
}

int error_headers_out(Request& r, Services&) {
    const HeadersDirConfig* c = response_conf(r);
    if (c == nullptr || c->always.empty()) {
        return kDeclined;
    }
    run(c->always, r.err_headers_out, Side::Response, r, false);
    drop_protocol_fields(r.err_headers_out, r);
    drop_protocol_fields(r.headers_out, r);
    return kOk;
}

}  // namespace

void headers_register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::PostReadRequest, headers_early, HookOrder::First);
    hooks.add(Phase::Fixups, headers_fixup, HookOrder::Last);
    hooks.add(Phase::HeadersOut, headers_out, HookOrder::Last);
    hooks.add(Phase::ErrorHeadersOut, error_headers_out, HookOrder::Last);
}

}  // namespace sonora::modules::metadata
