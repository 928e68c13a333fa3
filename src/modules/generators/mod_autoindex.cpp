// httpd's mod_autoindex (see mod_autoindex.h): its directives, the merge of
// its per-directory configuration and the module. The listing itself is
// mod_autoindex_handler.cpp; its HTML is mod_autoindex_render.cpp.
//
// Directives: IndexOptions, IndexOrderDefault, IndexIgnore,
// IndexIgnoreReset, IndexStyleSheet, IndexHeadInsert, HeaderName,
// ReadmeName, AddIcon, AddIconByType, AddIconByEncoding, DefaultIcon,
// AddAlt, AddAltByType, AddAltByEncoding, AddDescription, and the old
// FancyIndexing directive, refused with httpd's message. All of them are
// allowed in .htaccess under AllowOverride Indexes.

#include "modules/generators/mod_autoindex.h"

#include "config/engine.h"
#include "core/strings.h"
#include "modules/generators/mod_autoindex_options.h"
#include "modules/generators/mod_autoindex_text.h"

#include <sonora/hooks.h>

namespace sonora::modules::generators {

void autoindex_register_hooks(HookRegistry& hooks);

namespace autoindex {

namespace {

using Args = std::span<const std::string>;

// The kind of context the directive stands in (<Limit> is no context).
Level level_of(const Cmd& cmd) {
    for (const config::Scope* s = &cmd.scope(); s != nullptr; s = s->parent) {
        if (s->section == nullptr) {
            continue;
        }
        const std::string_view name = s->section->directive;
        if (equals_nocase(name, "<Directory") || equals_nocase(name, "<DirectoryMatch")) {
            return Level::Directory;
        }
        if (equals_nocase(name, "<Files") || equals_nocase(name, "<FilesMatch")) {
            return Level::Files;
        }
        if (equals_nocase(name, "<Location") || equals_nocase(name, "<LocationMatch")) {
            return Level::Location;
        }
        if (equals_nocase(name, "<If") || equals_nocase(name, "<ElseIf") || equals_nocase(name, "<Else")) {
            return Level::If;
        }
        if (equals_nocase(name, "<VirtualHost")) {
            return Level::Server;
        }
    }
    return Level::Server;
}

// This context's configuration, marked as written to.
AutoindexConfig& written(const Cmd& cmd) {
    auto& c = cmd.conf<AutoindexConfig>();
    c.present = true;
    c.level = level_of(cmd);
    return c;
}

// Where the directive stands, as httpd's cmd->path: the enclosing section's
// path (a <Directory> path ends with '/', as does an access file's
// directory), or nothing at server level.
std::string written_path(const Cmd& cmd) {
    const std::string* path = cmd.section_path();
    return path != nullptr ? *path : std::string();
}

void push_item(std::vector<Item>& list, Item::By by, std::string to, const Cmd& cmd, std::string data) {
    Item item;
    item.by = by;
    item.apply_path = written_path(cmd) + "*";
    item.apply_to = by == Item::By::Path && !has_wildcard(to) ? "*" + to : std::move(to);
    item.data = std::move(data);
    list.push_back(std::move(item));
}

// The file pattern, type or encoding as httpd keeps it: "**DIRECTORY**" is
// the old spelling of "^^DIRECTORY^^"; encodings compare in lower case.
std::string subject(Item::By by, const std::string& to) {
    if (by == Item::By::Path && to == "**DIRECTORY**") {
        return "^^DIRECTORY^^";
    }
    return by == Item::By::Encoding ? to_lower(to) : to;
}

template <Item::By By>
CmdResult add_alt(Cmd& cmd, Args a) {
    push_item(written(cmd).alts, By, subject(By, a[1]), cmd, a[0]);
    return std::nullopt;
}

// "(ALT,/icon.gif)" gives the alt text as well: the text between '(' and
// the first ',', and the icon after it, both cut at the first ')'.
template <Item::By By>
CmdResult add_icon(Cmd& cmd, Args a) {
    std::string icon = a[0];
    if (!icon.empty() && icon.front() == '(') {
        const std::size_t close = icon.find(')');
        if (close == std::string::npos) {
            return std::string("missing closing paren");
        }
        const std::size_t comma = icon.find(',');
        const std::size_t alt_end = std::min(comma, close);
        push_item(written(cmd).alts, By, subject(By, a[1]), cmd, icon.substr(1, alt_end - 1));
        if (comma == std::string::npos) {
            icon.clear();
        } else {
            icon = close > comma ? icon.substr(comma + 1, close - comma - 1) : icon.substr(comma + 1);
        }
    }
    push_item(written(cmd).icons, By, subject(By, a[1]), cmd, std::move(icon));
    return std::nullopt;
}

// A pattern with wildcards (or a '/', then matched against the whole path)
// matches anywhere in the name: '*' goes on both sides. Without, it is
// looked for as a substring.
CmdResult add_description(Cmd& cmd, Args a) {
    const std::string& to = a[1];
    Description d;
    d.full_path = to.find('/') != std::string::npos;
    d.wildcards = d.full_path || is_fnmatch_pattern(to);
    d.pattern = d.wildcards ? (d.full_path ? "*/" : "*") + to + "*" : to;
    d.text = a[0];
    written(cmd).descriptions.push_back(std::move(d));
    return std::nullopt;
}

CmdResult add_ignore(Cmd& cmd, Args a) {
    push_item(written(cmd).ignores, Item::By::Ignore, a[0], cmd, {});
    return std::nullopt;
}

CmdResult index_options(Cmd& cmd, Args a) { return apply_index_options(written(cmd), a); }

CmdResult index_order_default(Cmd& cmd, Args a) {
    return set_default_order(written(cmd), a[0], a[1]);
}

CmdResult index_ignore_reset(Cmd& cmd, Args a) {
    written(cmd).ignore_reset = a[0] == "On";
    return std::nullopt;
}

CmdResult fancy_indexing(Cmd& cmd, Args) { return std::string(cmd.spec().help); }

template <std::optional<std::string> AutoindexSettings::*Member>
CmdResult set_text(Cmd& cmd, Args a) {
    written(cmd).*Member = a[0];
    return std::nullopt;
}

constexpr unsigned kPerms = kOrIndexes;

const DirectiveSpec kDirectives[] = {
    {"AddIcon", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_icon<Item::By::Path>,
     "an icon URL followed by one or more filenames"},
    {"AddIconByType", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_icon<Item::By::Type>,
     "an icon URL followed by one or more MIME types"},
    {"AddIconByEncoding", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_icon<Item::By::Encoding>,
     "an icon URL followed by one or more content encodings"},
    {"AddAlt", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_alt<Item::By::Path>,
     "alternate descriptive text followed by one or more filenames"},
    {"AddAltByType", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_alt<Item::By::Type>,
     "alternate descriptive text followed by one or more MIME types"},
    {"AddAltByEncoding", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_alt<Item::By::Encoding>,
     "alternate descriptive text followed by one or more content encodings"},
    {"IndexOptions", ArgForm::TakeArgv, kPerms, 0, ConfLevel::Dir, index_options,
     "one or more index options [+|-][]"},
    {"IndexOrderDefault", ArgForm::Take2, kPerms, 0, ConfLevel::Dir, index_order_default,
     "{Ascending,Descending} {Name,Size,Description,Date}"},
    {"IndexIgnore", ArgForm::Iterate, kPerms, 0, ConfLevel::Dir, add_ignore, "one or more file extensions"},
    {"IndexIgnoreReset", ArgForm::Flag, kPerms, 0, ConfLevel::Dir, index_ignore_reset,
     "Reset the inherited list of IndexIgnore filenames"},
    {"AddDescription", ArgForm::Iterate2, kPerms, 0, ConfLevel::Dir, add_description,
     "Descriptive text followed by one or more filenames"},
    {"HeaderName", ArgForm::Take1, kPerms, 0, ConfLevel::Dir, set_text<&AutoindexSettings::header>, "a filename"},
    {"ReadmeName", ArgForm::Take1, kPerms, 0, ConfLevel::Dir, set_text<&AutoindexSettings::readme>, "a filename"},
    {"FancyIndexing", ArgForm::RawArgs, kOrAll, 0, ConfLevel::Dir, fancy_indexing,
     "The FancyIndexing directive is no longer supported. Use IndexOptions FancyIndexing."},
    {"DefaultIcon", ArgForm::Take1, kPerms, 0, ConfLevel::Dir, set_text<&AutoindexSettings::default_icon>,
     "an icon URL"},
    {"IndexStyleSheet", ArgForm::Take1, kPerms, 0, ConfLevel::Dir, set_text<&AutoindexSettings::style_sheet>,
     "URL to style sheet"},
    {"IndexHeadInsert", ArgForm::Take1, kPerms, 0, ConfLevel::Dir, set_text<&AutoindexSettings::head_insert>,
     "String to insert in HTML HEAD section"},
};

template <class T>
std::vector<T> child_first(const std::vector<T>& add, const std::vector<T>& base) {
    std::vector<T> out = add;
    out.insert(out.end(), base.begin(), base.end());
    return out;
}

}  // namespace

AutoindexSettings AutoindexSettings::merge(const AutoindexSettings& base, const AutoindexSettings& add) {
    AutoindexSettings c;
    auto pick = [](const auto& child, const auto& parent) { return child ? child : parent; };
    c.default_icon = pick(add.default_icon, base.default_icon);
    c.style_sheet = pick(add.style_sheet, base.style_sheet);
    c.head_insert = pick(add.head_insert, base.head_insert);
    c.header = pick(add.header, base.header);
    c.readme = pick(add.readme, base.readme);
    c.content_type = pick(add.content_type, base.content_type);
    c.charset = pick(add.charset, base.charset);
    c.old_date_format = pick(add.old_date_format, base.old_date_format);
    c.icon_width = add.icon_width != 0 ? add.icon_width : base.icon_width;
    c.icon_height = add.icon_height != 0 ? add.icon_height : base.icon_height;
    c.alts = child_first(add.alts, base.alts);
    c.icons = child_first(add.icons, base.icons);
    c.descriptions = child_first(add.descriptions, base.descriptions);
    c.ignores = add.ignore_reset ? add.ignores : child_first(add.ignores, base.ignores);
    if (add.opts == kNoOptions) {
        // "None" here also stops adjustments from above reaching further down.
        c.opts = kNoOptions;
    } else {
        if (add.opts == kOptionUnset) {
            // Only +/- words here: they adjust what is inherited and are
            // passed on with the parent's own adjustments.
            c.incremented = (base.incremented | add.incremented) & ~add.decremented;
            c.decremented = base.decremented | add.decremented;
            c.opts = base.opts & ~kNoOptions;
        } else {
            c.opts = add.opts;  // absolute words: nothing is inherited
        }
        c.opts |= c.incremented;
        c.opts &= ~c.decremented;
    }
    if (add.name_adjust == Width::Unset) {
        c.name_width = base.name_width;
        c.name_adjust = base.name_adjust;
    } else {
        c.name_width = add.name_width;
        c.name_adjust = add.name_adjust;
    }
    if (add.desc_adjust == Width::Unset) {
        c.desc_width = base.desc_width;
        c.desc_adjust = base.desc_adjust;
    } else {
        c.desc_width = add.desc_width;
        c.desc_adjust = add.desc_adjust;
    }
    c.default_key = add.default_key != 0 ? add.default_key : base.default_key;
    c.default_direction = add.default_direction != 0 ? add.default_direction : base.default_direction;
    return c;
}

AutoindexConfig AutoindexConfig::merge(const AutoindexConfig& base, const AutoindexConfig& add) {
    if (!add.present) {
        return base;  // httpd has no configuration of the module there
    }
    AutoindexConfig c;
    c.present = true;
    c.level = add.level;
    // What came before the open chain, and the chain itself.
    AutoindexSettings before = base.chain ? *base.before : static_cast<const AutoindexSettings&>(base);
    const AutoindexSettings& settings = add;
    if (add.level == Level::Server) {
        static_cast<AutoindexSettings&>(c) = AutoindexSettings::merge(base, settings);  // a virtual host
        return c;
    }
    std::shared_ptr<const AutoindexSettings> chain;
    if (base.chain && base.group == add.level) {
        chain = std::make_shared<const AutoindexSettings>(AutoindexSettings::merge(*base.chain, settings));
    } else {
        if (base.chain) {
            before = AutoindexSettings::merge(before, *base.chain);
        }
        chain = std::make_shared<const AutoindexSettings>(settings);  // the first of its kind, as it is
    }
    static_cast<AutoindexSettings&>(c) = AutoindexSettings::merge(before, *chain);
    c.group = add.level;
    c.before = std::make_shared<const AutoindexSettings>(std::move(before));
    c.chain = std::move(chain);
    return c;
}

}  // namespace autoindex

Module autoindex_module{
    .name = "autoindex_module",
    .source = "mod_autoindex.c",
    .directives = autoindex::kDirectives,
    .dir_config = config_ops<autoindex::AutoindexConfig>(),
    .register_hooks = autoindex_register_hooks,
};

}  // namespace sonora::modules::generators
