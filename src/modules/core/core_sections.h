#pragma once
// Handlers of core's section directives and read-time directives, used by the
// core directive table (core_directives.cpp).

#include <sonora/directive.h>

namespace sonora::modules::core {

CmdResult directory_section(Cmd& cmd, std::span<const std::string> args);
CmdResult location_section(Cmd& cmd, std::span<const std::string> args);
CmdResult files_section(Cmd& cmd, std::span<const std::string> args);
CmdResult if_section(Cmd& cmd, std::span<const std::string> args);
CmdResult limit_section(Cmd& cmd, std::span<const std::string> args);
CmdResult virtualhost_section(Cmd& cmd, std::span<const std::string> args);

CmdResult ifmodule_section(Cmd& cmd, std::span<const std::string> args);
CmdResult ifdefine_section(Cmd& cmd, std::span<const std::string> args);
CmdResult iffile_section(Cmd& cmd, std::span<const std::string> args);
CmdResult ifdirective_section(Cmd& cmd, std::span<const std::string> args);
CmdResult ifsection_section(Cmd& cmd, std::span<const std::string> args);

CmdResult include_files(Cmd& cmd, std::span<const std::string> args);
CmdResult define_var(Cmd& cmd, std::span<const std::string> args);
CmdResult undefine_var(Cmd& cmd, std::span<const std::string> args);
CmdResult set_server_root(Cmd& cmd, std::span<const std::string> args);

// For read-time conditional sections of other modules (<IfVersion>): checks the
// closing '>' and returns the argument text inside, or an error.
CmdResult section_argument(Cmd& cmd, const std::string& raw, std::string& inside);
// Reads (condition true) or skips (false) the body of the current read-time section.
void conditional_body(Cmd& cmd, bool condition);

}  // namespace sonora::modules::core
