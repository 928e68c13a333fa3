#pragma once
// Two fail-closed checks of httpd's directory walk (ap_directory_walk), run by
// map_to_storage before any access check, so that Sonora never serves what
// Apache refuses there:
//
//   - symlinks: each path component of r.filename (the final one included) is
//     judged by the Options of the directory that contains it. With
//     FollowSymLinks alone there is nothing to check; otherwise the component
//     is lstat()ed, and a symlink is allowed only under SymLinksIfOwnerMatch
//     (alone or with FollowSymLinks, as httpd) when the link and its target
//     have the same owner; else 403, logged as httpd's AH00037.
//   - .htaccess: in every directory from "/" down to the one holding
//     r.filename (r.filename itself when it is a directory) whose
//     AllowOverride is not None or whose AllowOverrideList is not empty, the
//     first AccessFileName that exists is read (access_files.h) and merged
//     after that depth's <Directory> sections; its Options hold for the
//     symlink checks below it. One that does not parse answers 500 (logged
//     at alert, as httpd); one that cannot be read answers 403.
//
// The walk goes down the path once, in httpd's order: the .htaccess check of
// a directory, then the symlink check of the next component; the first
// refusal wins. A component that does not exist ends the walk. What stat()
// and lstat() said is kept per thread until inotify reports a change under
// that name or above it (fs_verdicts.h), links excepted; and a walk that
// passed on kept answers alone is remembered with the per-dir config it
// made (Walker::remembered_walk) until any answer is forgotten. A warm walk
// under SymLinksIfOwnerMatch and AllowOverride All is then one hash lookup
// and no system call (the event loop reads the inotify queue when it has
// events); with FollowSymLinks and AllowOverride None everywhere (httpd's
// defaults) there is no walk at all. Neither allocates.

namespace sonora::modules::core {
struct CoreDirConfig;
}

#include <vector>

namespace sonora::request {

struct Request;
struct FileEntry;
struct AccessFileHit;
class Walker;

// map_to_storage's per-directory step for r (r.server set): sets r.dir_config
// to the merged per-dir config of r.filename reached through r.uri, and runs
// the checks when r.filename is absolute (anything else is left alone, as
// httpd does); `entry` is what the file cache says about it. Returns 0, with
// the access files merged into r.dir_config and listed in `access_files` (in
// walk order, as Walker::dir_config takes them), or the status to answer
// (403, 500) once the reason is in the error log, r.dir_config then without
// access files.
int check_directory_walk(Request& r, Walker& walker, const FileEntry& entry, std::vector<AccessFileHit>& access_files);

// The Options bits in effect for a merged core per-dir config: httpd's
// default (FollowSymLinks) adjusted by the Options settings merged into it.
unsigned effective_options(const modules::core::CoreDirConfig& c);

}  // namespace sonora::request
