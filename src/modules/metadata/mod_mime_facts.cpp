// mod_mime's reading of a file name for content negotiation: the same
// attributes as the type checker, plus which name parts no directive
// claimed. Not on the static path: the type checker keeps its own
// allocation-free loop.

#include "modules/metadata/mod_mime.h"

namespace sonora::modules::metadata {

MimeFacts mime_facts(std::string_view name, const MimeDirConfig* dir, const MimeServerConfig* srv) {
    MimeFacts out;
    const unsigned match = dir != nullptr && dir->multiviews_match ? *dir->multiviews_match : kMatchNegotiatedOnly;
    // Leading dots belong to the base name (".png" is a hidden file, not a PNG).
    std::size_t lead = 0;
    while (lead < name.size() && name[lead] == '.') {
        ++lead;
    }
    std::size_t dot = name.find('.', lead);
    out.exceptions.emplace_back(name.substr(0, dot));
    std::string_view rest = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    std::string charset;
    std::string key;
    while (!rest.empty()) {
        std::size_t next = rest.find('.');
        std::string_view ext = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
        if (ext.empty()) {
            continue;
        }
        key.assign(ext);
        for (char& c : key) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        bool found = false;
        const ExtensionInfo* info = dir != nullptr ? dir->find(key) : nullptr;
        if (info == nullptr || !info->type) {
            if (srv != nullptr && srv->types) {
                if (const std::string* t = srv->types->find(key)) {
                    out.content_type = *t;
                    found = true;
                }
            }
        }
        if (info != nullptr) {
            if (info->type && !info->type->empty()) {
                out.content_type = *info->type;
                found = true;
            }
            if (info->charset) {
                charset = *info->charset;
                found = true;
            }
            if (info->language) {
                out.languages.append(out.languages.empty() ? "" : ",").append(*info->language);
                found = true;
            }
            if (info->encoding) {
                out.encoding.append(out.encoding.empty() ? "" : ", ").append(*info->encoding);
                found = true;
            }
            // Handlers and filters say nothing about the content unless
            // MultiviewsMatch lets them count.
            if (info->handler) {
                out.handler = *info->handler;
                found = found || (match & kMatchHandlers) != 0;
            }
            if (info->input_filters || info->output_filters) {
                found = found || (match & kMatchFilters) != 0;
            }
        }
        if (found || (match & kMatchAny) != 0) {
            out.claimed = true;
        } else {
            out.exceptions.emplace_back(ext);
        }
    }
    if (!charset.empty() && !out.content_type.empty()) {
        out.content_type.append("; charset=").append(charset);
    }
    if (out.languages.empty() && dir != nullptr && dir->default_language) {
        out.languages = *dir->default_language;
    }
    return out;
}

}  // namespace sonora::modules::metadata
