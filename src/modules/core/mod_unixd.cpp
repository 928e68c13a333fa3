// httpd's mod_unixd: User, Group, ChrootDir, Suexec; a child takes them on
// in its child_init hook.

#include "modules/core/mod_unixd.h"

#include "config/generation.h"
#include "core/strings.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace sonora::modules::core {

namespace {

using Args = std::span<const std::string>;

CmdResult set_chroot(Cmd& cmd, Args a) {
    struct stat st {};
    if (::stat(a[0].c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return std::string("ChrootDir must be a valid directory");
    }
    cmd.conf<UnixdConfig>().chroot_dir = a[0];
    return std::nullopt;
}

// Sonora has no suexec wrapper: scripts run as User, so `Suexec On` (which
// promises they run as their owners) is refused as httpd refuses it when
// the wrapper is missing.
CmdResult set_suexec(Cmd& cmd, std::span<const std::string> a) {
    if (equals_nocase(a[0], "on")) {
        return std::string("suEXEC isn't supported: Missing suexec binary " SONORA_HTTPD_ROOT "/suexec");
    }
    cmd.conf<UnixdConfig>().suexec = false;
    return std::nullopt;
}

const DirectiveSpec kDirectives[] = {
    {"User", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_string<&UnixdConfig::user>,
     "User (name or #uid) the children run as"},
    {"Group", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_string<&UnixdConfig::group>,
     "Group (name or #gid) the children run as"},
    {"ChrootDir", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_chroot,
     "Directory the children chroot into"},
    {"Suexec", ArgForm::Flag, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_suexec,
     "Whether CGI scripts run through suexec"},
};

std::optional<unsigned> id_of(const std::string& name, bool user) {
    if (!name.empty() && name.front() == '#') {
        return static_cast<unsigned>(std::strtoul(name.c_str() + 1, nullptr, 10));
    }
    if (user) {
        const passwd* pw = ::getpwnam(name.c_str());
        return pw != nullptr ? std::optional<unsigned>(pw->pw_uid) : std::nullopt;
    }
    const group* gr = ::getgrnam(name.c_str());
    return gr != nullptr ? std::optional<unsigned>(gr->gr_gid) : std::nullopt;
}

// ChrootDir, as httpd's unixd: after the ids are looked up and before setuid,
// so /etc/passwd and /etc/group need not exist inside the jail; DocumentRoot
// and every path opened from here on are then read inside it.
std::optional<std::string> enter_chroot(const std::string& dir) {
    if (::chdir(dir.c_str()) != 0) {
        return "Can't chdir to " + dir;
    }
    if (::chroot(dir.c_str()) != 0) {
        return "Can't chroot to " + dir;
    }
    if (::chdir("/") != 0) {
        return "Can't chdir to new root";
    }
    return std::nullopt;
}

// The ids the children take, for what the parent prepares for them.
CmdResult unixd_post_config(config::Generation& gen) {
    const auto* ux = gen.main.module_config.get<UnixdConfig>(unixd_module.index);
    if (ux != nullptr && ux->user && ux->group) {
        auto uid = id_of(*ux->user, true);
        auto gid = id_of(*ux->group, false);
        if (uid && gid) {
            gen.child_ids = std::make_pair(*uid, *gid);
        }
    }
    return std::nullopt;
}

// httpd's ap_unixd_setup_child: when started as root, take Group (and the
// User's supplementary groups), enter ChrootDir, then take User.
CmdResult unixd_child_init(const config::Generation& gen) {
    const auto* ux = gen.main.module_config.get<UnixdConfig>(unixd_module.index);
    const bool jailed = ux != nullptr && ux->chroot_dir.has_value();
    if (::geteuid() != 0) {
        if (jailed) {
            return std::string("Cannot chroot when not started as root");
        }
        return std::nullopt;
    }
    if (ux == nullptr || !ux->user) {
        return jailed ? enter_chroot(*ux->chroot_dir) : std::nullopt;
    }
    auto uid = id_of(*ux->user, true);
    if (!uid) {
        return "bad user name " + *ux->user;
    }
    if (ux->group) {
        auto gid = id_of(*ux->group, false);
        if (!gid) {
            return "bad group name " + *ux->group;
        }
        if (::setgid(*gid) != 0) {
            return "setgid: unable to set group id to Group " + std::to_string(*gid);
        }
    }
    if (ux->user->front() != '#') {
        const passwd* pw = ::getpwnam(ux->user->c_str());
        ::initgroups(ux->user->c_str(), pw != nullptr ? pw->pw_gid : ::getgid());
    }
    if (jailed) {
        if (auto err = enter_chroot(*ux->chroot_dir)) {
            return err;
        }
    }
    if (::setuid(*uid) != 0) {
        return "setuid: unable to change to uid: " + std::to_string(*uid);
    }
    return std::nullopt;
}

}  // namespace

Module unixd_module{
    .name = "unixd_module",
    .source = "mod_unixd.c",
    .directives = kDirectives,
    .server_config = config_ops<UnixdConfig>(),
    .is_static = true,
    .post_config = unixd_post_config,
    .child_init = unixd_child_init,
};

}  // namespace sonora::modules::core
