#pragma once
// Fake DNS answers for a server under test: it runs with /etc/hosts replaced,
// for it alone, in a private mount namespace (unshare -m, then a bind mount).
// The libc resolver then answers getnameinfo() and getaddrinfo() from the
// stub first, so any name can be given any loopback address (127/8, ::1)
// that a test can connect from. Needs root and mount namespaces.

#include "support/process.h"

#include <string>

namespace sonora::test {

// Whether stub hosts files can be used here.
bool can_stub_hosts();

// Writes, under `dir`, the stub (`hosts` followed by the real /etc/hosts) and
// a wrapper script that runs `binary` with its arguments under it; returns
// the wrapper's path, to be run in place of `binary`. `tag` tells apart the
// wrappers of several binaries in one directory.
std::string stub_hosts_wrapper(const TempDir& dir, const std::string& binary, const std::string& hosts,
                               const std::string& tag = "server");

}  // namespace sonora::test
