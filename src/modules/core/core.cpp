// httpd's core module (core.c): its configuration types, their merge, and the
// checks that need the whole configuration. Directives: core_directives.cpp;
// sections and read-time directives: core_sections.cpp.

#include "config/generation.h"
#include "modules/core/core_config.h"
#include "modules/core/no_cgi.h"

#include "http/method.h"
#include "modules/core/core_directives.h"
#include "modules/core/self_url.h"

#include <sys/stat.h>

namespace sonora::modules::core {

namespace {

template <class T>
void inherit(std::optional<T>& out, const std::optional<T>& base, const std::optional<T>& add) {
    out = add ? add : base;
}

template <class T>
std::vector<T> concat(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out(a);
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
}

CmdResult core_post_config(config::Generation& gen) {
    const auto& main = gen.main_conf<CoreServerConfig>(core_module);
    // ExtendedStatus is on by default once mod_status is loaded (httpd 2.3.6+).
    const Module* status = gen.modules.find("status_module");
    gen.extended_status = main.extended_status.value_or(status != nullptr && gen.modules.enabled(*status));
    // httpd's compiled-in DocumentRoot, for servers that name none.
    auto default_root = [&gen](Server& s) {
        if (auto* c = s.module_config.get_mutable<CoreServerConfig>(core_module.index); c && !c->document_root) {
            c->document_root = gen.server_root + "/htdocs";
        }
    };
    default_root(gen.main);
    for (auto& vhost : gen.vhosts) {
        default_root(*vhost);
    }
    // httpd refuses to start when the main error log's directory is missing.
    if (main.error_log && !main.error_log->starts_with("|") && !main.error_log->starts_with("syslog")) {
        std::string dir = parent_dir(*main.error_log);
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            return "Cannot access directory '" + dir + "' for main error log";
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<BitsSetting> BitsSetting::merge(const std::optional<BitsSetting>& base,
                                              const std::optional<BitsSetting>& add) {
    if (!add) {
        return base;
    }
    if (!base || add->absolute) {
        return add;
    }
    BitsSetting out = *base;
    if (out.absolute) {
        out.value = add->apply(out.value);
    } else {
        out.add = (out.add & ~add->remove) | add->add;
        out.remove = (out.remove & ~add->add) | add->remove;
    }
    return out;
}

CoreDirConfig CoreDirConfig::merge(const CoreDirConfig& base, const CoreDirConfig& add) {
    CoreDirConfig c;
    c.options = BitsSetting::merge(base.options, add.options);
    // httpd: "+IncludesNOEXEC" under a directory whose Includes allow exec
    // takes exec away, although it adds no bit that removes it.
    constexpr unsigned kBoth = kOptIncludes | kOptIncWithExec;
    if (add.options && !add.options->absolute && (add.options->add & kBoth) == kOptIncludes &&
        (base.effective_options() & kBoth) == kBoth) {
        if (c.options->absolute) {
            c.options->value &= ~kOptIncWithExec;
        } else {
            c.options->add &= ~kOptIncWithExec;
            c.options->remove |= kOptIncWithExec;
        }
    }
    c.file_etag = BitsSetting::merge(base.file_etag, add.file_etag);
    inherit(c.allow_override, base.allow_override, add.allow_override);
    inherit(c.allow_override_list, base.allow_override_list, add.allow_override_list);
    inherit(c.hostname_lookups, base.hostname_lookups, add.hostname_lookups);
    inherit(c.use_canonical_name, base.use_canonical_name, add.use_canonical_name);
    inherit(c.use_canonical_phys_port, base.use_canonical_phys_port, add.use_canonical_phys_port);
    inherit(c.content_digest, base.content_digest, add.content_digest);
    inherit(c.enable_mmap, base.enable_mmap, add.enable_mmap);
    inherit(c.enable_sendfile, base.enable_sendfile, add.enable_sendfile);
    inherit(c.add_default_charset, base.add_default_charset, add.add_default_charset);
    inherit(c.accept_path_info, base.accept_path_info, add.accept_path_info);
    inherit(c.rlimit_cpu, base.rlimit_cpu, add.rlimit_cpu);
    inherit(c.rlimit_mem, base.rlimit_mem, add.rlimit_mem);
    inherit(c.rlimit_nproc, base.rlimit_nproc, add.rlimit_nproc);
    c.error_documents = base.error_documents;
    for (const auto& [code, doc] : add.error_documents) {
        if (doc == "default") {
            c.error_documents.erase(code);
        } else {
            c.error_documents[code] = doc;
        }
    }
    inherit(c.limit_request_body, base.limit_request_body, add.limit_request_body);
    inherit(c.limit_xml_request_body, base.limit_xml_request_body, add.limit_xml_request_body);
    inherit(c.server_signature, base.server_signature, add.server_signature);
    inherit(c.max_ranges, base.max_ranges, add.max_ranges);
    inherit(c.max_range_overlaps, base.max_range_overlaps, add.max_range_overlaps);
    inherit(c.max_range_reversals, base.max_range_reversals, add.max_range_reversals);
    inherit(c.force_type, base.force_type, add.force_type);
    inherit(c.set_handler, base.set_handler, add.set_handler);
    inherit(c.output_filters, base.output_filters, add.output_filters);
    inherit(c.input_filters, base.input_filters, add.input_filters);
    inherit(c.cgi_pass_auth, base.cgi_pass_auth, add.cgi_pass_auth);
    inherit(c.cgi_request_uri_current, base.cgi_request_uri_current, add.cgi_request_uri_current);
    inherit(c.qualify_redirect_url, base.qualify_redirect_url, add.qualify_redirect_url);
    inherit(c.log_level, base.log_level, add.log_level);
    c.sec_file = concat(base.sec_file, add.sec_file);
    c.sec_if = add.sec_if.empty() ? base.sec_if : concat(base.sec_if, add.sec_if);
    return c;
}

CoreServerConfig CoreServerConfig::merge(const CoreServerConfig& base, const CoreServerConfig& add) {
    CoreServerConfig c = add;
    inherit(c.document_root, base.document_root, add.document_root);
    inherit(c.server_admin, base.server_admin, add.server_admin);
    inherit(c.access_file_name, base.access_file_name, add.access_file_name);
    if (add.access_file_names.empty()) {
        c.access_file_names = base.access_file_names;
    }
    inherit(c.error_log, base.error_log, add.error_log);
    inherit(c.log_level, base.log_level, add.log_level);
    inherit(c.timeout_ms, base.timeout_ms, add.timeout_ms);
    inherit(c.limit_request_line, base.limit_request_line, add.limit_request_line);
    inherit(c.limit_internal_redirects, base.limit_internal_redirects, add.limit_internal_redirects);
    inherit(c.limit_subrequest_nesting, base.limit_subrequest_nesting, add.limit_subrequest_nesting);
    inherit(c.limit_request_fieldsize, base.limit_request_fieldsize, add.limit_request_fieldsize);
    inherit(c.limit_request_fields, base.limit_request_fields, add.limit_request_fields);
    inherit(c.trace_enable, base.trace_enable, add.trace_enable);
    inherit(c.allow_encoded_slashes, base.allow_encoded_slashes, add.allow_encoded_slashes);
    inherit(c.merge_slashes, base.merge_slashes, add.merge_slashes);
    inherit(c.strict_host_check, base.strict_host_check, add.strict_host_check);
    inherit(c.merge_trailers, base.merge_trailers, add.merge_trailers);
    inherit(c.http_protocol_options, base.http_protocol_options, add.http_protocol_options);
    inherit(c.require_http10, base.require_http10, add.require_http10);
    inherit(c.protocol_unsafe, base.protocol_unsafe, add.protocol_unsafe);
    inherit(c.registered_methods_only, base.registered_methods_only, add.registered_methods_only);
    inherit(c.protocols, base.protocols, add.protocols);
    c.sec_dir = concat(base.sec_dir, add.sec_dir);
    c.sec_url = concat(base.sec_url, add.sec_url);
    c.registered_methods = base.registered_methods;  // global: only the main server registers
    // ServerName, ServerAlias and the global-only fields are the vhost's own.
    return c;
}

int method_number(const Server& s, std::string_view method) {
    int n = http::method_number(method);
    if (n >= 0) {
        return n;
    }
    const auto& known = server_config(s).registered_methods;
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (known[i] == method) {
            return http::kFirstExtensionMethod + static_cast<int>(i);
        }
    }
    return http::kMethodInvalid;
}

std::uint64_t limit_request_body(const request::Request& r) {
    constexpr std::uint64_t kDefault = 1ull << 30;  // httpd 2.4's LimitRequestBody default
    const auto* core = r.dir_config != nullptr ? r.dir_config->get<CoreDirConfig>(core_module.index) : nullptr;
    return core != nullptr ? core->limit_request_body.value_or(kDefault) : kDefault;
}

void add_filter_names(std::pmr::vector<std::string_view>& list, std::string_view names) {
    while (!names.empty()) {
        const std::size_t semi = names.find(';');
        if (semi != 0) {
            list.push_back(names.substr(0, semi));
        }
        if (semi == std::string_view::npos) {
            break;
        }
        names.remove_prefix(semi + 1);
    }
}

namespace {

// httpd's core_insert_filter: SetOutputFilter's and SetInputFilter's
// names, after those the type checker added for the file's extensions.
int core_insert_filter(request::Request& r, Services&) {
    const CoreDirConfig& dir = *r.dir_config->get<CoreDirConfig>(core_module.index);
    if (dir.output_filters) {
        add_filter_names(r.output_filters, *dir.output_filters);
    }
    if (dir.input_filters) {
        add_filter_names(r.input_filters, *dir.input_filters);
    }
    return kOk;
}

void core_register_hooks(HookRegistry& hooks) {
    canonical_name_register_hooks(hooks);
    no_cgi_register_hooks(hooks);
    hooks.add(Phase::InsertFilter, core_insert_filter, HookOrder::Middle);
}

}  // namespace

Module core_module{
    .name = "core_module",
    .source = "core.c",
    .directives = core_directives(),
    .dir_config = config_ops<CoreDirConfig>(),
    .server_config = config_ops<CoreServerConfig>(),
    .is_static = true,
    .post_config = core_post_config,
    .register_hooks = core_register_hooks,
};

}  // namespace sonora::modules::core
