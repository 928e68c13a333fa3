// Which icon, alt text, description applies to a file, and whether
// IndexIgnore hides it: httpd's find_item, find_desc and ignore_entry.

#include "modules/generators/mod_autoindex.h"

#include "modules/generators/mod_autoindex_text.h"

#include <fnmatch.h>

namespace sonora::modules::generators::autoindex {

namespace {

std::string_view last_component(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view without_parameters(std::string_view type) {
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
        type.remove_suffix(1);
    }
    return type;
}

}  // namespace

const std::string* find_item(const std::vector<Item>& list, std::string_view content_type,
                             std::string_view content_encoding, std::string_view path, bool path_only) {
    const bool special = !path.empty() && path.front() == '^';
    content_type = without_parameters(content_type);
    for (const Item& item : list) {
        if (!special && !wildcard_match(path, item.apply_path)) {
            continue;
        }
        if (item.apply_to.empty()) {
            return &item.data;
        }
        if (item.by == Item::By::Path || special) {
            if (wildcard_match(path, item.apply_to)) {
                return &item.data;
            }
        } else if (!path_only) {
            if (content_encoding.empty()) {
                if (item.by == Item::By::Type && !content_type.empty() &&
                    wildcard_match(content_type, item.apply_to, true)) {
                    return &item.data;
                }
            } else if (item.by == Item::By::Encoding && wildcard_match(content_encoding, item.apply_to, true)) {
                return &item.data;
            }
        }
    }
    return nullptr;
}

const std::string* find_description(const AutoindexSettings& c, std::string_view path) {
    const std::string_view name = last_component(path);
    for (const Description& d : c.descriptions) {
        const std::string subject(d.full_path ? path : name);
        const bool found = d.wildcards ? ::fnmatch(d.pattern.c_str(), subject.c_str(), 0) == 0
                                       : subject.find(d.pattern) != std::string::npos;
        if (found) {
            return &d.text;
        }
    }
    return nullptr;
}

bool is_ignored(const AutoindexSettings& c, std::string_view path) {
    const std::string_view name = last_component(path);
    for (const Item& item : c.ignores) {
        if (wildcard_match(path, item.apply_path) && wildcard_match(name, last_component(item.apply_to))) {
            return true;
        }
    }
    return false;
}

}  // namespace sonora::modules::generators::autoindex
