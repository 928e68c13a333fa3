// httpd's mod_speling: CheckSpelling, CheckCaseOnly, CheckBasenameMatch, and
// the fixup that answers a GET for a missing file with a 301 to the one name
// it was probably meant to be, or a 300 listing the names it may have been.
// The matching is mod_speling_match.cpp.

#include "modules/mappers/mod_speling.h"

#include "core/strings.h"
#include "modules/core/request_log.h"
#include "modules/core/self_url.h"
#include "modules/mappers/mod_alias.h"

#include <sonora/hooks.h>
#include <sonora/request.h>

#include <dirent.h>

#include <memory>
#include <string>
#include <vector>

namespace sonora::modules::mappers {

namespace {

const DirectiveSpec kDirectives[] = {
    {"CheckSpelling", ArgForm::Flag, kOrOptions, 0, ConfLevel::Dir, set_flag<&SpelingDirConfig::enabled>,
     "whether or not to fix miscapitalized/misspelled requests"},
    {"CheckCaseOnly", ArgForm::Flag, kOrOptions, 0, ConfLevel::Dir, set_flag<&SpelingDirConfig::case_only>,
     "whether or not to fix only miscapitalized requests"},
    {"CheckBasenameMatch", ArgForm::Flag, kOrOptions, 0, ConfLevel::Dir,
     set_flag<&SpelingDirConfig::basename_match>, "whether or not to fix files with the same base name"},
};

// The request's file as httpd's directory walk leaves a missing one: the
// deepest directory that exists, the first component below it that does not
// (`bad`), and everything after that (`rest`, httpd's path_info). Sonora's
// walk keeps the whole path as the filename instead.
struct MissingPart {
    std::string dir;
    std::string bad;
    std::string rest;
};

std::optional<MissingPart> split_missing(const request::Request& r, Services& services) {
    const std::string_view file = r.filename;
    std::size_t end = file.size();
    while (end > 0) {
        const std::size_t slash = file.rfind('/', end - 1);
        if (slash == std::string_view::npos || slash == 0) {
            return std::nullopt;  // httpd cannot open "" as the directory either
        }
        const Services::FileProbe probe = services.probe(file.substr(0, slash));
        if (probe.exists) {
            if (!probe.is_dir) {
                return std::nullopt;
            }
            std::size_t next = file.find('/', slash + 1);
            next = next == std::string_view::npos ? file.size() : next;
            MissingPart out{std::string(file.substr(0, slash)), std::string(file.substr(slash + 1, next - slash - 1)),
                            std::string(file.substr(next))};
            out.rest.append(r.path_info);
            return out;
        }
        end = slash;
    }
    return std::nullopt;
}

// The names in `dir` in the order the directory lists them, "." and ".."
// included (httpd's apr_dir_read returns them too); nullopt when it cannot
// be read.
std::optional<std::vector<std::string>> read_names(const std::string& dir) {
    std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), ::closedir);
    if (!handle) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    while (const dirent* e = ::readdir(handle.get())) {
        names.emplace_back(e->d_name);
    }
    return names;
}

// httpd's list for the 300 page (the "variant-list" note the error page
// prints) and the VARIANTS variable. Each URL carries the query, escaped
// with the path, as httpd writes it.
void list_candidates(request::Request& r, std::string_view url, const MissingPart& part, bool has_query,
                     const std::vector<speling::Candidate>& candidates) {
    std::string page = "The document name you requested (<code>";
    append_html_escaped(page, r.uri);
    page += "</code>) could not be found on this server.\nHowever, we found documents with names similar to the one "
            "you requested.<p>Available documents:\n<ul>\n";
    std::string variants;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        std::string target = std::string(url) + candidates[i].name + part.rest;
        if (has_query) {
            target.append("?").append(r.query);
        }
        const std::string escaped = escape_path(target);
        const std::string_view why = speling::reason(candidates[i].quality);
        // httpd joins every piece of every entry with commas.
        variants.append(variants.empty() ? "" : ",").append("\",").append(escaped).append(",\";\",");
        variants.append(why).append(",\"");
        page.append("<li><a href=\"").append(escaped).append("\">");
        append_html_escaped(page, target);
        page.append("</a> (").append(why).append(")\n");
        if (i > 0 && i + 1 < candidates.size() && candidates[i].quality != speling::Quality::VeryDifferent &&
            candidates[i + 1].quality == speling::Quality::VeryDifferent) {
            page += "</ul>\nFurthermore, the following related documents were found:\n<ul>\n";
        }
    }
    page += "</ul>\n";
    if (const auto referer = r.header("Referer")) {
        page += "Please consider informing the owner of the referring page <tt>";
        append_html_escaped(page, *referer);
        page += "</tt> about the broken link.\n";
    }
    r.notes.push_back({"variant-list", r.keep(page)});
    if (const auto earlier = r.env_get("VARIANTS")) {
        variants = std::string(*earlier) + ", " + variants;
    }
    r.env_set("VARIANTS", variants);
}

void log_fix(const request::Request& r, std::string_view id, std::string message) {
    if (const auto referer = r.header("Referer")) {
        message.append(" from ").append(*referer);
    }
    core::log_request_error(r, LogLevel::Info, "speling", id, message);
}

int check_speling(request::Request& r, Services& services) {
    const auto* conf = r.dir_config->get<SpelingDirConfig>(speling_module.index);
    if (conf == nullptr || !conf->enabled.value_or(false)) {
        return kDeclined;
    }
    if ((r.method != request::Method::Get && r.method != request::Method::Head) || r.has_finfo ||
        r.filename.empty() || r.uri == "/") {
        return kDeclined;
    }
    const std::optional<MissingPart> part = split_missing(r, services);
    if (!part || part->bad.empty()) {
        return kDeclined;
    }
    // The URL must end with the missing part as the file does, or there is
    // no telling which part of the URL to correct (an Alias in between).
    const std::size_t tail = part->bad.size() + part->rest.size();
    if (r.uri.size() < tail || std::string_view(r.uri).substr(r.uri.size() - tail) != part->bad + part->rest) {
        return kDeclined;
    }
    const std::string url(std::string_view(r.uri).substr(0, r.uri.size() - tail));
    const auto names = read_names(part->dir);
    if (!names) {
        return kDeclined;
    }
    const speling::Matches found = speling::match_entries(part->bad, *names, conf->case_only.value_or(false),
                                                          conf->basename_match.value_or(true));
    if (found.exact) {
        return kOk;
    }
    if (found.candidates.empty()) {
        return kDeclined;
    }
    // httpd appends a query whenever the request had a '?', even an empty one.
    const bool has_query = !r.query.empty() || (r.redirects == 0 && r.target.find('?') != std::string_view::npos);
    if (speling::redirects(found.candidates)) {
        std::string target = escape_path(url + found.candidates[0].name + part->rest);
        if (has_query) {
            target.append("?").append(r.query);
        }
        r.add_header("Location", r.keep(core::self_url(r, *r.dir_config, target)));
        if (core::request_log_enabled(r, LogLevel::Info, "speling")) {
            const bool from = r.header("Referer").has_value();
            log_fix(r, from ? "SN03224" : "SN03225", "Fixed spelling: " + std::string(r.uri) + " to " + target);
        }
        return 301;
    }
    list_candidates(r, url, *part, has_query, found.candidates);
    if (core::request_log_enabled(r, LogLevel::Info, "speling")) {
        const bool from = r.header("Referer").has_value();
        log_fix(r, from ? "SN03226" : "SN03227",
                "Spelling fix: " + std::string(r.uri) + ": " + std::to_string(found.candidates.size()) +
                    " candidates");
    }
    return 300;
}

void speling_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Fixups, check_speling, HookOrder::Last); }

}  // namespace

Module speling_module{
    .name = "speling_module",
    .source = "mod_speling.c",
    .directives = kDirectives,
    .dir_config = config_ops<SpelingDirConfig>(),
    .register_hooks = speling_register_hooks,
};

}  // namespace sonora::modules::mappers
