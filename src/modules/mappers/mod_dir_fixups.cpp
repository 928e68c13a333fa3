// mod_dir's fixups hook: DirectorySlash (301 to the slash form),
// DirectoryIndex (first existing name, served through an internal redirect)
// and FallbackResource (an internal redirect for what does not exist).

#include "core/strings.h"
#include "modules/core/self_url.h"
#include "modules/mappers/mod_dir.h"

#include <sonora/hooks.h>

#include <string>

namespace sonora::modules::mappers {

namespace {

int dir_fixups(request::Request& r, Services& services) {
    const auto* dir = r.dir_config->get<DirConfig>(dir_module.index);
    if (!r.has_finfo) {
        if (dir != nullptr && dir->fallback() != nullptr && r.method != request::Method::Other) {
            return services.internal_redirect(r, *dir->fallback()) ? kRedirected : 500;
        }
        return kDeclined;
    }
    if (!S_ISDIR(r.finfo.st_mode)) {
        return kDeclined;
    }
    if (r.uri.empty() || r.uri.back() != '/') {
        if (dir != nullptr && dir->directory_slash == false) {
            return kDeclined;
        }
        std::string location = core::self_url(r, *r.dir_config, std::string(r.uri) + "/");
        if (!r.query.empty()) {
            location.append("?").append(r.query);
        }
        r.add_header("Location", r.keep(location));
        return 301;
    }
    static const std::vector<std::string> kDefaultIndex = {"index.html"};
    const std::vector<std::string>& names = dir != nullptr && dir->index_names ? *dir->index_names : kDefaultIndex;
    for (const std::string& name : names) {
        if (equals_nocase(name, "disabled")) {
            break;
        }
        std::pmr::string candidate(r.filename, r.arena);
        if (candidate.empty() || candidate.back() != '/') {
            candidate.push_back('/');
        }
        candidate.append(name);
        if (services.probe(candidate).exists) {
            std::pmr::string target(r.uri, r.arena);
            target.append(name);
            return services.internal_fast_redirect(r, target) ? kRedirected : 500;
        }
    }
    return kDeclined;
}

}  // namespace

void dir_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Fixups, dir_fixups, HookOrder::Last); }

}  // namespace sonora::modules::mappers
