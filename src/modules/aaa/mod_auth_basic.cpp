// httpd's mod_auth_basic: the Basic scheme's check_user_id, its
// note_auth_failure (the challenge) and the AuthBasicFake fixup.

#include "modules/aaa/mod_auth_basic.h"

#include "config/engine.h"
#include "core/strings.h"
#include "expr/eval.h"
#include "expr/parser.h"
#include "expr/request_context.h"
#include "modules/aaa/mod_authn_file.h"
#include "modules/aaa/password.h"
#include "modules/core/request_log.h"

#include <sonora/hooks.h>

#include <algorithm>
#include <memory_resource>

namespace sonora::modules::aaa {

namespace {

using Args = std::span<const std::string>;
using request::Header;
using request::Request;

constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// ---- directives --------------------------------------------------------------

CmdResult add_provider(Cmd& cmd, Args a) {
    auto ref = find_authn_provider(cmd, a[0]);
    if (!ref) {
        return "Unknown Authn provider: " + a[0];
    }
    auto& conf = cmd.conf<AuthBasicDirConfig>();
    if (!conf.providers) {
        conf.providers.emplace();
    }
    conf.providers->push_back(std::move(*ref));
    return std::nullopt;
}

CmdResult string_expr(const std::string& text, std::shared_ptr<const expr::Expr>& out, const std::string& what) {
    auto parsed = expr::parse(text, expr::ParseMode::String);
    if (!parsed.ok()) {
        return "Could not parse fake " + what + ": " + parsed.error().message;
    }
    out = std::make_shared<const expr::Expr>(std::move(parsed).value());
    return std::nullopt;
}

CmdResult fake(Cmd& cmd, Args a) {
    auto& conf = cmd.conf<AuthBasicDirConfig>();
    conf.fake_set = true;
    conf.fake_user.reset();
    conf.fake_pass.reset();
    if (equals_nocase(a[0], "off")) {
        return std::nullopt;
    }
    // mod_ssl's FakeBasicAuth sends "password"; httpd keeps that default.
    conf.fake_user_text = a[0];
    conf.fake_pass_text = a.size() > 1 ? a[1] : std::string("password");
    if (auto err = string_expr(conf.fake_user_text, conf.fake_user,
                               "username expression '" + conf.fake_user_text + "'")) {
        return err;
    }
    return string_expr(conf.fake_pass_text, conf.fake_pass,
                       "password expression associated to user '" + conf.fake_user_text + "'");
}

CmdResult digest_algorithm(Cmd& cmd, Args a) {
    if (!equals_nocase(a[0], "Off") && !equals_nocase(a[0], "MD5")) {
        return "Invalid algorithm in AuthBasicUseDigestAlgorithm: " + a[0];
    }
    cmd.conf<AuthBasicDirConfig>().use_digest_md5 = equals_nocase(a[0], "MD5");
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"AuthBasicProvider", ArgForm::Iterate, kOrAuthCfg, 0, ConfLevel::Dir, add_provider,
     "the authentication providers (or provider aliases) to ask, in order"},
    {"AuthBasicAuthoritative", ArgForm::Flag, kOrAuthCfg, 0, ConfLevel::Dir,
     set_flag<&AuthBasicDirConfig::authoritative>,
     "Off to leave a user no provider knows to other authentication modules"},
    {"AuthBasicFake", ArgForm::Take12, kOrAuthCfg, 0, ConfLevel::Dir, fake,
     "'off', or the user name and password expressions to put in the request's Authorization"},
    {"AuthBasicUseDigestAlgorithm", ArgForm::Take1, kOrAuthCfg, 0, ConfLevel::Dir, digest_algorithm,
     "MD5 to check credentials against the provider's MD5 of user:realm:password, or Off"},
};

// ---- request time ------------------------------------------------------------

const AuthBasicDirConfig* conf_of(const Request& r) {
    return r.dir_config != nullptr ? r.dir_config->get<AuthBasicDirConfig>(auth_basic_module.index) : nullptr;
}

bool is_basic(const std::optional<std::string>& type) { return type && equals_nocase(*type, "Basic"); }

// The challenge; a later one replaces an earlier one, as httpd's table set.
void note_basic_failure(Request& r) {
    std::string challenge = "Basic realm=\"" + auth_name(r).value_or("") + "\"";
    for (Header& h : r.err_headers_out) {
        if (equals_nocase(h.name, "WWW-Authenticate")) {
            h.value = r.keep(challenge);
            return;
        }
    }
    r.err_headers_out.push_back({"WWW-Authenticate", r.keep(challenge)});
}

int refuse(Request& r) {
    note_basic_failure(r);
    return 401;
}

// Asks one provider; with AuthBasicUseDigestAlgorithm MD5, compares digests.
AuthnStatus ask(const AuthnProvider& p, const ConfigVector* alias_dir, const Request& r, std::string_view user,
                std::string_view password, const std::string* digest, std::string_view realm) {
    if (digest == nullptr) {
        return p.check_password(r, alias_dir, user, password);
    }
    if (p.get_realm_hash == nullptr) {
        return AuthnStatus::GeneralError;
    }
    std::string stored;
    AuthnStatus s = p.get_realm_hash(r, alias_dir, user, realm, stored);
    if (s != AuthnStatus::Granted) {
        return s;
    }
    return stored == *digest ? AuthnStatus::Granted : AuthnStatus::Denied;
}

int authenticate_basic_user(Request& r, Services&) {
    auto type = auth_type(r);
    if (!is_basic(type)) {
        return kDeclined;
    }
    auto realm = auth_name(r);
    if (!realm) {
        core::log_request_error(r, LogLevel::Error, "auth_basic", "SN01615", "need AuthName: " + std::string(r.uri));
        return 500;
    }
    r.auth_type = r.keep(*type);
    auto header = r.header("Authorization");
    if (!header) {
        return refuse(r);
    }
    std::string_view line = *header;
    std::size_t sp = std::min(line.find(' '), line.size());
    if (!equals_nocase(line.substr(0, sp), "Basic")) {
        core::log_request_error(r, LogLevel::Error, "auth_basic", "SN01614",
                                "client used wrong authentication scheme: " + std::string(r.uri));
        return refuse(r);
    }
    line.remove_prefix(sp);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        line.remove_prefix(1);
    }
    const std::string decoded = decode_basic_credentials(line);
    const std::size_t colon = std::min(decoded.find(':'), decoded.size());
    const std::string_view user = r.keep(std::string_view(decoded).substr(0, colon));
    const std::string_view password = std::string_view(decoded).substr(std::min(colon + 1, decoded.size()));
    r.user = user;  // before the check, as httpd: the log names whom a 401 refused

    const AuthBasicDirConfig* conf = conf_of(r);
    std::string digest;
    if (conf->use_digest_md5.value_or(false)) {
        digest = md5_hex(std::string(user) + ":" + *realm + ":" + std::string(password));
    }
    const std::string* digest_ptr = conf->use_digest_md5.value_or(false) ? &digest : nullptr;

    AuthnStatus result = AuthnStatus::UserNotFound;
    if (!conf->providers) {
        // No AuthBasicProvider: the "file" provider, as httpd's default.
        const bool have_file = r.dir_config->get<AuthnFileDirConfig>(authn_file_module.index) != nullptr;
        if (!have_file) {
            core::log_request_error(r, LogLevel::Error, "auth_basic", "SN01616", "No Authn provider configured");
            result = AuthnStatus::GeneralError;
        } else {
            result = ask(authn_file_providers().front(), nullptr, r, user, password, digest_ptr, *realm);
        }
    } else {
        for (const AuthnProviderRef& p : *conf->providers) {
            result = ask(*p.provider, p.alias_dir.get(), r, user, password, digest_ptr, *realm);
            if (result != AuthnStatus::UserNotFound) {
                break;
            }
        }
    }
    switch (result) {
        case AuthnStatus::Granted: return kOk;
        case AuthnStatus::Denied:
            core::log_request_error(r, LogLevel::Error, "auth_basic", "SN01617",
                                    "user " + std::string(user) + ": authentication failure for \"" +
                                        std::string(r.uri) + "\": Password Mismatch");
            return refuse(r);
        case AuthnStatus::UserNotFound:
            if (!conf->authoritative.value_or(true)) {
                return kDeclined;
            }
            core::log_request_error(r, LogLevel::Error, "auth_basic", "SN01618",
                                    "user " + std::string(user) + " not found: " + std::string(r.uri));
            return refuse(r);
        case AuthnStatus::GeneralError:
            // The provider has logged why.
            return conf->authoritative.value_or(true) ? 500 : kDeclined;
    }
    return 500;
}

int note_auth_failure(Request& r, Services&) {
    if (!is_basic(auth_type(r))) {
        return kDeclined;
    }
    note_basic_failure(r);
    return kOk;
}

// Replaces (or with `value` empty, removes) the request's Authorization.
void set_authorization(Request& r, std::string_view value) {
    std::pmr::polymorphic_allocator<Header> alloc(r.arena);
    Header* table = alloc.allocate(r.headers.size() + 1);
    std::size_t n = 0;
    for (const Header& h : r.headers) {
        if (!equals_nocase(h.name, "Authorization")) {
            table[n++] = h;
        }
    }
    if (!value.empty()) {
        table[n++] = Header{"Authorization", r.keep(value)};
    }
    r.headers = std::span<const Header>(table, n);
}

std::string encode_base64(std::string_view in) {
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (unsigned{static_cast<unsigned char>(in[i])} << 16) |
                     (unsigned{static_cast<unsigned char>(in[i + 1])} << 8) | static_cast<unsigned char>(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) {
            out += kBase64[(v >> s) & 0x3f];
        }
    }
    if (i < in.size()) {
        unsigned v = unsigned{static_cast<unsigned char>(in[i])} << 16;
        if (i + 1 < in.size()) {
            v |= unsigned{static_cast<unsigned char>(in[i + 1])} << 8;
        }
        out += kBase64[(v >> 18) & 0x3f];
        out += kBase64[(v >> 12) & 0x3f];
        out += i + 1 < in.size() ? kBase64[(v >> 6) & 0x3f] : '=';
        out += '=';
    }
    return out;
}

// AuthBasicFake, a late fixup: what a backend would receive (Sonora has no
// proxy yet; %{Authorization}i and expressions see it).
int fake_basic(Request& r, Services&) {
    const AuthBasicDirConfig* conf = conf_of(r);
    if (conf == nullptr || !conf->fake_user) {
        return kDeclined;
    }
    expr::RequestContext ctx(r);
    std::string user = expr::evaluate_string(*conf->fake_user, ctx);
    if (user.empty()) {
        core::log_request_error(r, LogLevel::Warn, "auth_basic", "SN02458",
                                "AuthBasicFake: empty username expression for URI '" + std::string(r.uri) +
                                    "', ignoring");
        set_authorization(r, {});
        return kDeclined;
    }
    std::string pass = expr::evaluate_string(*conf->fake_pass, ctx);
    if (pass.empty()) {
        core::log_request_error(r, LogLevel::Warn, "auth_basic", "SN02459",
                                "AuthBasicFake: empty password expression for URI '" + std::string(r.uri) +
                                    "', ignoring");
        set_authorization(r, {});
        return kDeclined;
    }
    set_authorization(r, "Basic " + encode_base64(user + ":" + pass));
    return kOk;
}

void register_hooks(HookRegistry& hooks) {
    hooks.add(Phase::CheckUserId, authenticate_basic_user, HookOrder::Middle);
    hooks.add(Phase::NoteAuthFailure, note_auth_failure, HookOrder::Middle);
    hooks.add(Phase::Fixups, fake_basic, HookOrder::Last);
}

}  // namespace

std::string decode_basic_credentials(std::string_view encoded) {
    std::size_t digits = 0;
    while (digits < encoded.size() && kBase64.find(encoded[digits]) != std::string_view::npos) {
        ++digits;
    }
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        acc = (acc << 6) | static_cast<unsigned>(kBase64.find(encoded[i]));
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out.substr(0, std::min(out.find('\0'), out.size()));
}

AuthBasicDirConfig AuthBasicDirConfig::merge(const AuthBasicDirConfig& base, const AuthBasicDirConfig& add) {
    AuthBasicDirConfig out = add;
    if (!add.providers) {
        out.providers = base.providers;
    }
    if (!add.authoritative) {
        out.authoritative = base.authoritative;
    }
    if (!add.use_digest_md5) {
        out.use_digest_md5 = base.use_digest_md5;
    }
    if (!add.fake_set) {
        out.fake_set = base.fake_set;
        out.fake_user_text = base.fake_user_text;
        out.fake_pass_text = base.fake_pass_text;
        out.fake_user = base.fake_user;
        out.fake_pass = base.fake_pass;
    }
    return out;
}

Module auth_basic_module{
    .name = "auth_basic_module",
    .source = "mod_auth_basic.c",
    .directives = kDirectives,
    .dir_config = config_ops<AuthBasicDirConfig>(),
    .register_hooks = register_hooks,
};

}  // namespace sonora::modules::aaa
