// mod_mime's type_checker hook: a file's extensions (every dot-separated part
// of its name after the first, left to right) give its type (AddType, else
// mime.types), charset, encodings, languages and handler; DefaultLanguage
// fills in a missing language.

#include "modules/core/core_config.h"
#include "modules/metadata/mod_mime.h"

#include <sonora/hooks.h>

namespace sonora::modules::metadata {

namespace {

int type_checker(request::Request& r, Services&) {
    if (r.has_finfo && S_ISDIR(r.finfo.st_mode)) {
        r.content_type.assign("httpd/unix-directory");
        return kOk;
    }
    const auto* dir = r.dir_config->get<MimeDirConfig>(mime_module.index);
    const auto* srv = r.server->module_config.get<MimeServerConfig>(mime_module.index);
    std::string_view name = r.filename;
    name = name.substr(name.rfind('/') + 1);
    std::size_t dot = name.find('.');
    char lower[64];
    while (dot != std::string_view::npos) {
        std::size_t next = name.find('.', dot + 1);
        std::string_view ext =
            name.substr(dot + 1, next == std::string_view::npos ? std::string_view::npos : next - dot - 1);
        dot = next;
        if (ext.empty() || ext.size() >= sizeof lower) {
            continue;
        }
        for (std::size_t i = 0; i < ext.size(); ++i) {
            char c = ext[i];
            lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        std::string_view key(lower, ext.size());
        const ExtensionInfo* info = dir != nullptr ? dir->find(key) : nullptr;
        if (info != nullptr && info->type) {
            r.content_type.assign(*info->type);
        } else if (srv != nullptr && srv->types) {
            if (const std::string* t = srv->types->find(key)) {
                r.content_type.assign(*t);
            }
        }
        if (info == nullptr) {
            continue;
        }
        if (info->handler) {
            r.handler.assign(*info->handler);
        }
        if (info->output_filters) {
            core::add_filter_names(r.output_filters, *info->output_filters);
        }
        // httpd adds them only for a request it serves itself, not a proxied one.
        if (info->input_filters) {
            core::add_filter_names(r.input_filters, *info->input_filters);
        }
        if (info->charset && !r.content_type.empty()) {
            r.content_type.append("; charset=").append(*info->charset);
        }
        if (info->encoding) {
            r.content_encoding.append(r.content_encoding.empty() ? "" : ", ").append(*info->encoding);
        }
        if (info->language) {
            r.content_language.append(r.content_language.empty() ? "" : ", ").append(*info->language);
        }
    }
    if (r.content_language.empty() && dir != nullptr && dir->default_language) {
        r.content_language.assign(*dir->default_language);
    }
    return kOk;
}

}  // namespace

void mime_register_hooks(HookRegistry& hooks) { hooks.add(Phase::TypeChecker, type_checker, HookOrder::Middle); }

}  // namespace sonora::modules::metadata
