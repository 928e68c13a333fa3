// httpd's mod_dir: DirectoryIndex, DirectorySlash, FallbackResource,
// DirectoryCheckHandler, DirectoryIndexRedirect. Parsed and stored here; the
// directory handling itself comes with the request pipeline.

#include "modules/mappers/mod_dir.h"

#include "config/words.h"
#include "core/strings.h"

namespace sonora::modules::mappers {

namespace {

using Args = std::span<const std::string>;

// Raw arguments: appends each name; "disabled" alone (as the only word of its
// line) empties the list; elsewhere it is an ordinary file name. No names at
// all still marks the list as set, and empty.
CmdResult add_index(Cmd& cmd, Args a) {
    auto& list = cmd.conf<DirConfig>().index_names;
    if (!list) {
        list.emplace();
    }
    std::vector<std::string> words = config::split_words(a[0]);
    if (words.size() == 1 && equals_nocase(words[0], "disabled")) {
        list->clear();
        return std::nullopt;
    }
    list->insert(list->end(), words.begin(), words.end());
    return std::nullopt;
}

CmdResult set_index_redirect(Cmd& cmd, Args a) {
    const std::string& w = a[0];
    int status = 0;
    if (equals_nocase(w, "on") || equals_nocase(w, "temp")) {
        status = 302;
    } else if (equals_nocase(w, "off")) {
        status = 0;
    } else if (equals_nocase(w, "permanent")) {
        status = 301;
    } else if (equals_nocase(w, "seeother")) {
        status = 303;
    } else if (!w.empty() && w.front() >= '0' && w.front() <= '9') {
        // The leading digits count, as C's atoi reads them ("301abc" is 301).
        long long n = 0;
        for (std::size_t i = 0; i < w.size() && w[i] >= '0' && w[i] <= '9' && n < 1000; ++i) {
            n = n * 10 + (w[i] - '0');
        }
        if (n < 300 || n > 399) {
            return std::string("DirectoryIndexRedirect only accepts values between 300 and 399");
        }
        status = static_cast<int>(n);
    } else {
        return std::string("DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx");
    }
    cmd.conf<DirConfig>().index_redirect = status;
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"FallbackResource", ArgForm::Take1, kOrIndexes, 0, ConfLevel::Dir,
     set_string<&DirConfig::fallback_resource>,
     "URL-path served when nothing else matches, or 'disabled'"},
    {"DirectoryIndex", ArgForm::RawArgs, kOrIndexes, 0, ConfLevel::Dir, add_index,
     "file names tried, in order, for a directory request, or 'disabled'"},
    {"DirectorySlash", ArgForm::Flag, kOrIndexes, 0, ConfLevel::Dir,
     set_flag<&DirConfig::directory_slash>,
     "whether a directory URL without trailing slash is redirected to one"},
    {"DirectoryCheckHandler", ArgForm::Flag, kOrIndexes, 0, ConfLevel::Dir,
     set_flag<&DirConfig::check_handler>,
     "whether mod_dir acts even when another handler is configured"},
    {"DirectoryIndexRedirect", ArgForm::Take1, kOrIndexes, 0, ConfLevel::Dir, set_index_redirect,
     "redirect to the index file: On, Off, permanent, temp, seeother or a 3xx code"},
};

}  // namespace

bool DirConfig::is_disabled(const std::string& value) {
    return equals_nocase(value, "disabled");
}

DirConfig DirConfig::merge(const DirConfig& base, const DirConfig& add) {
    DirConfig c;
    c.index_names = add.index_names ? add.index_names : base.index_names;
    c.directory_slash = add.directory_slash ? add.directory_slash : base.directory_slash;
    c.fallback_resource = add.fallback_resource ? add.fallback_resource : base.fallback_resource;
    c.check_handler = add.check_handler ? add.check_handler : base.check_handler;
    c.index_redirect = add.index_redirect ? add.index_redirect : base.index_redirect;
    return c;
}

Module dir_module{
    .name = "dir_module",
    .source = "mod_dir.c",
    .directives = kDirectives,
    .dir_config = config_ops<DirConfig>(),
    .is_static = true,
    .register_hooks = dir_register_hooks,
};

}  // namespace sonora::modules::mappers
