// httpd's mod_version: <IfVersion [[!]op] version> reads its body only when the
// server version (the Apache version Sonora matches) compares true.
// Operators: = == > >= < <= and ~ or /regex/ for a regular expression.

#include "config/words.h"
#include "core/regex.h"
#include "modules/core/core_sections.h"

#include <sonora/module.h>

#include <array>
#include <charconv>
#include <compare>

namespace sonora::modules::core {

namespace {

using Args = std::span<const std::string>;
using Version = std::array<int, 3>;

std::optional<Version> parse_version(std::string_view text) {
    Version v{0, 0, 0};
    for (std::size_t i = 0; i < 3 && !text.empty(); ++i) {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v[i]);
        if (ec != std::errc()) {
            return std::nullopt;
        }
        text.remove_prefix(static_cast<std::size_t>(end - text.data()));
        if (!text.empty()) {
            if (text.front() != '.' || i == 2) {
                return std::nullopt;
            }
            text.remove_prefix(1);
        }
    }
    return v;
}

CmdResult if_version(Cmd& cmd, Args a) {
    std::string inside;
    if (auto err = section_argument(cmd, a[0], inside)) {
        return err;
    }
    std::vector<std::string> words = config::split_words(inside);
    bool negate = false;
    if (!words.empty() && words[0].starts_with("!")) {
        negate = true;
        words[0].erase(0, 1);
        if (words[0].empty()) {
            words.erase(words.begin());
        }
    }
    std::string op = "=";
    std::string arg;
    if (words.size() == 2) {
        op = words[0];
        arg = words[1];
    } else if (words.size() == 1) {
        arg = words[0];
    } else {
        return std::string("<IfVersion> directive requires a version argument");
    }
    const std::string current = SONORA_APACHE_COMPAT_VERSION;
    bool result = false;
    if (op == "~" || (arg.size() >= 2 && arg.front() == '/' && arg.back() == '/')) {
        std::string pattern = op == "~" ? arg : arg.substr(1, arg.size() - 2);
        auto re = Regex::compile(pattern);
        if (!re) {
            return std::string("Could not compile regular expression");
        }
        result = re->matches(current);
    } else {
        auto want = parse_version(arg);
        auto have = parse_version(current);
        if (!want || !have) {
            return "Version appears to be invalid. It must have the format major[.minor[.patch]]";
        }
        auto cmp = *have <=> *want;
        if (op == "=" || op == "==") {
            result = cmp == 0;
        } else if (op == ">") {
            result = cmp > 0;
        } else if (op == ">=") {
            result = cmp >= 0;
        } else if (op == "<") {
            result = cmp < 0;
        } else if (op == "<=") {
            result = cmp <= 0;
        } else {
            return "unrecognized operator '" + op + "'";
        }
    }
    conditional_body(cmd, result != negate);
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"<IfVersion", ArgForm::RawArgs, kOrAll | kRsrcConf | kAccessConf | kExecOnRead, 0, ConfLevel::Dir,
     if_version, "Directives read only if the server version compares true"},
};

}  // namespace

Module version_module{
    .name = "version_module",
    .source = "mod_version.c",
    .directives = kDirectives,
    .is_static = true,
};

}  // namespace sonora::modules::core
