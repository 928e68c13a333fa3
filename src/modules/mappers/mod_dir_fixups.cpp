// mod_dir's fixups hook: DirectorySlash (301 to the slash form),
// DirectoryIndex (first existing name, served through an internal redirect)
// and FallbackResource (an internal redirect for what does not exist).

#include "core/strings.h"
#include "modules/core/self_url.h"
#include "modules/mappers/mod_alias.h"
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
        // The path goes out escaped (httpd's ap_escape_uri): a decoded
        // space or CR in it must not reach the header.
        std::string location = core::self_url(r, *r.dir_config, escape_path(r.uri) + "/");
        if (!r.query.empty()) {
            location.append("?").append(r.query);
        }
        r.add_header("Location", r.keep(location));
        return 301;
    }
    const IndexSearch found = find_index(r, services, r.uri, dir);
    if (found.status == kOk) {
        return services.internal_fast_redirect(r, found.target) ? kRedirected : 500;
    }
    if (found.status >= 300 && found.status < 400 && !found.lookup.location.empty()) {
        r.add_header("Location", found.lookup.location);
    }
    if (found.status == 406) {
        // httpd overlays the lookup's error headers and notes: a negotiated
        // index's Vary, TCN, Alternates and its variant list.
        r.err_headers_out.insert(r.err_headers_out.end(), found.lookup.err_headers_out.begin(),
                                 found.lookup.err_headers_out.end());
        r.notes.insert(r.notes.end(), found.lookup.notes.begin(), found.lookup.notes.end());
    }
    return found.status;
}

}  // namespace

IndexSearch find_index(const request::Request& r, Services& services, std::string_view dir_uri,
                       const DirConfig* dir) {
    static const std::vector<std::string> kDefaultIndex = {"index.html"};
    const std::vector<std::string>& names = dir != nullptr && dir->index_names ? *dir->index_names : kDefaultIndex;
    // httpd looks each name up as a subrequest (a name starting with '/' is
    // a URL of its own), so an index its access rules refuse is not served.
    const std::size_t count = names.size();
    IndexSearch out{kDeclined, std::pmr::string(r.arena), {}};
    for (const std::string& name : names) {
        if (equals_nocase(name, "disabled")) {
            break;
        }
        out.target.clear();
        if (name.empty() || name.front() != '/') {
            out.target.assign(dir_uri);
        }
        out.target.append(name);
        out.lookup = services.lookup_uri(r, out.target);
        const int status = out.lookup.status;
        if (status == kAwaitHostName || (status >= 300 && status < 400) ||
            ((status == 401 || status == 406) && count == 1)) {
            out.status = status;
            return out;
        }
        if (status == 200 && out.lookup.is_regular) {
            out.status = kOk;
            return out;
        }
        if (status != 200 && status != 404) {
            out.status = status;  // reported unless a later name is served
        }
    }
    return out;
}

void dir_register_hooks(HookRegistry& hooks) { hooks.add(Phase::Fixups, dir_fixups, HookOrder::Last); }

}  // namespace sonora::modules::mappers
