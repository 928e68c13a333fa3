// httpd's mod_unixd: User, Group, ChrootDir, Suexec.

#include "modules/core/mod_unixd.h"

#include <sys/stat.h>

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

const DirectiveSpec kDirectives[] = {
    {"User", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_string<&UnixdConfig::user>,
     "User (name or #uid) the children run as"},
    {"Group", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_string<&UnixdConfig::group>,
     "Group (name or #gid) the children run as"},
    {"ChrootDir", ArgForm::Take1, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_chroot,
     "Directory the children chroot into"},
    {"Suexec", ArgForm::Flag, kRsrcConf, kGlobalOnly, ConfLevel::Server, set_flag<&UnixdConfig::suexec>,
     "Whether CGI scripts run through suexec"},
};

}  // namespace

Module unixd_module{
    .name = "unixd_module",
    .source = "mod_unixd.c",
    .directives = kDirectives,
    .server_config = config_ops<UnixdConfig>(),
    .is_static = true,
};

}  // namespace sonora::modules::core
