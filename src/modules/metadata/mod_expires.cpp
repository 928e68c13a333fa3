// httpd's mod_expires: ExpiresActive, ExpiresByType, ExpiresDefault, and the
// Expires / Cache-Control fields they add to handlers' responses.

#include "modules/metadata/mod_expires.h"

#include "config/words.h"
#include "core/strings.h"
#include "http/http_date.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <cstdlib>

namespace sonora::modules::metadata {

namespace {

using Args = std::span<const std::string>;

// httpd compares only the first letter or two of each word.
bool word_is(std::string_view word, std::string_view name, std::size_t letters) {
    return word.size() >= letters && starts_with_nocase(name, word.substr(0, letters));
}

CmdResult set_active(Cmd& cmd, Args a) {
    auto& c = cmd.conf<ExpiresDirConfig>();
    c.active = a[0] == "On";
    c.used = true;
    return std::nullopt;
}

CmdResult set_by_type(Cmd& cmd, Args a) {
    const std::string& mime = a[0];
    const std::size_t slash = mime.rfind('/');
    if (slash == std::string::npos) {
        return std::string("Invalid mimetype: should contain a slash");
    }
    ExpiryCode code;
    if (auto err = parse_expiry(a[1], code)) {
        return "'ExpiresByType " + mime + " " + a[1] + "': " + *err;
    }
    auto& c = cmd.conf<ExpiresDirConfig>();
    c.used = true;
    if (std::string_view(mime).substr(slash + 1) == "*") {
        c.wildcards = true;
    }
    // A later line for the same type wins (apr_table_setn).
    std::erase_if(c.by_type, [&](const auto& e) { return equals_nocase(e.first, mime); });
    c.by_type.emplace_back(mime, code);
    return std::nullopt;
}

CmdResult set_default(Cmd& cmd, Args a) {
    ExpiryCode code;
    if (auto err = parse_expiry(a[0], code)) {
        return "'ExpiresDefault " + a[0] + "': " + *err;
    }
    auto& c = cmd.conf<ExpiresDirConfig>();
    c.fallback = code;
    c.used = true;
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"ExpiresActive", ArgForm::Flag, kOrIndexes, 0, ConfLevel::Dir, set_active, "Limited to 'on' or 'off'"},
    {"ExpiresByType", ArgForm::Take2, kOrIndexes, 0, ConfLevel::Dir, set_by_type,
     "a MIME type followed by an expiry date code"},
    {"ExpiresDefault", ArgForm::Take1, kOrIndexes, 0, ConfLevel::Dir, set_default, "an expiry date code"},
};

// The content type without parameters (httpd's ap_field_noparam).
std::string_view bare_type(std::string_view type) {
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
        type.remove_suffix(1);
    }
    return type;
}

// httpd's expires_filter: the code that applies to this response, if any.
const ExpiryCode* expiry_for(const ExpiresDirConfig& c, std::string_view content_type) {
    const std::string_view type = bare_type(content_type);
    if (const ExpiryCode* e = c.for_type(type)) {
        return e;
    }
    if (c.wildcards) {
        if (const std::size_t slash = type.find('/'); slash != std::string_view::npos) {
            std::string major(type.substr(0, slash + 1));
            major.push_back('*');
            if (const ExpiryCode* e = c.for_type(major)) {
                return e;
            }
        }
    }
    return c.fallback ? &*c.fallback : nullptr;
}

int expires_headers(request::Request& r, Services&) {
    if (r.status >= 400 || r.dir_config == nullptr) {
        return kDeclined;  // no Expires on errors
    }
    const auto* c = r.dir_config->get<ExpiresDirConfig>(expires_module.index);
    if (c == nullptr || c->active != true || (c->by_type.empty() && !c->fallback)) {
        return kDeclined;
    }
    // A handler's own Expires (mod_cgi puts a script's in err_headers_out) stands.
    auto* table = &r.err_headers_out;
    if (!request::find_header(*table, "Expires")) {
        table = &r.headers_out;
        if (request::find_header(*table, "Expires")) {
            return kDeclined;
        }
    }
    const ExpiryCode* code = expiry_for(*c, r.content_type);
    if (code == nullptr) {
        return kDeclined;
    }
    // In microseconds, as httpd counts: max-age is the whole seconds left.
    std::int64_t base = r.time_us;
    if (code->base == 'M') {
        if (!r.has_finfo) {
            return kDeclined;  // nothing on disk to count from; httpd logs nothing either
        }
        base = static_cast<std::int64_t>(r.finfo.st_mtime) * 1'000'000;
    }
    const std::int64_t expires = std::max<std::int64_t>(base + code->seconds * 1'000'000, r.time_us);
    const std::string max_age = "max-age=" + std::to_string((expires - r.time_us) / 1'000'000);
    // Cache-Control is merged into an existing one (apr_table_mergen).
    bool merged = false;
    for (request::Header& h : *table) {
        if (equals_nocase(h.name, "Cache-Control")) {
            h.value = r.keep(std::string(h.value) + ", " + max_age);
            merged = true;
            break;
        }
    }
    if (!merged) {
        table->push_back({"Cache-Control", r.keep(max_age)});
    }
    char date[64];
    const std::size_t n = http::format_http_date(expires / 1'000'000, date);
    std::erase_if(*table, [](const request::Header& h) { return equals_nocase(h.name, "Expires"); });
    table->push_back({"Expires", r.keep(std::string_view(date, n))});
    return kOk;
}

void expires_register_hooks(HookRegistry& hooks) { hooks.add(Phase::HeadersOut, expires_headers, HookOrder::Middle); }

}  // namespace

std::optional<std::string> parse_expiry(std::string_view text, ExpiryCode& out) {
    if (!text.empty() && (text.front() == 'A' || text.front() == 'M')) {
        out.base = text.front();
        out.seconds = std::atoll(std::string(text.substr(1)).c_str());  // atoi's reading, as httpd
        return std::nullopt;
    }
    std::string word = config::next_word(text);
    if (word_is(word, "now", 1) || word_is(word, "access", 1)) {
        out.base = 'A';
    } else if (word_is(word, "modification", 1)) {
        out.base = 'M';
    } else {
        return "bad expires code, unrecognised <base> '" + word + "'";
    }
    word = config::next_word(text);
    if (word_is(word, "plus", 1)) {
        word = config::next_word(text);
    }
    long long total = 0;
    while (!word.empty()) {
        if (word.front() < '0' || word.front() > '9') {
            return "bad expires code, numeric value expected <num> '" + word + "'";
        }
        const long long num = std::atoll(word.c_str());
        word = config::next_word(text);
        if (word.empty()) {
            return std::string("bad expires code, missing <type>");
        }
        long long factor = 0;
        if (word_is(word, "years", 1)) {
            factor = 60LL * 60 * 24 * 365;
        } else if (word_is(word, "months", 2)) {
            factor = 60LL * 60 * 24 * 30;
        } else if (word_is(word, "weeks", 1)) {
            factor = 60LL * 60 * 24 * 7;
        } else if (word_is(word, "days", 1)) {
            factor = 60LL * 60 * 24;
        } else if (word_is(word, "hours", 1)) {
            factor = 60LL * 60;
        } else if (word_is(word, "minutes", 2)) {
            factor = 60;
        } else if (word_is(word, "seconds", 1)) {
            factor = 1;
        } else {
            return "bad expires code, unrecognised <type>'" + word + "'";
        }
        total += factor * num;
        word = config::next_word(text);
    }
    out.seconds = total;
    return std::nullopt;
}

const ExpiryCode* ExpiresDirConfig::for_type(std::string_view type) const {
    for (const auto& [name, code] : by_type) {
        if (equals_nocase(name, type)) {
            return &code;
        }
    }
    return nullptr;
}

ExpiresDirConfig ExpiresDirConfig::merge(const ExpiresDirConfig& base, const ExpiresDirConfig& add) {
    if (!add.used) {
        return base;
    }
    ExpiresDirConfig c;
    c.used = true;
    c.active = add.active ? add.active : base.active;
    c.fallback = add.fallback ? add.fallback : base.fallback;
    c.wildcards = add.wildcards;
    c.by_type = add.by_type;
    c.by_type.insert(c.by_type.end(), base.by_type.begin(), base.by_type.end());
    return c;
}

Module expires_module{
    .name = "expires_module",
    .source = "mod_expires.c",
    .directives = kDirectives,
    .dir_config = config_ops<ExpiresDirConfig>(),
    .register_hooks = expires_register_hooks,
};

}  // namespace sonora::modules::metadata
