#include "support/stub_hosts.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace sonora::test {

bool can_stub_hosts() { return ::geteuid() == 0 && std::system("unshare -m true 2>/dev/null") == 0; }

std::string stub_hosts_wrapper(const TempDir& dir, const std::string& binary, const std::string& hosts,
                               const std::string& tag) {
    const std::string stub = dir.write("stub-hosts-" + tag, hosts + read_file("/etc/hosts"));
    // unshare without --fork execs in place: the wrapper's pid is the server's.
    const std::string wrapper =
        dir.write("stub-" + tag, "#!/bin/sh\nexec unshare -m sh -c 'mount --bind " + stub +
                                     " /etc/hosts && exec \"$0\" \"$@\"' " + binary + " \"$@\"\n");
    ::chmod(wrapper.c_str(), 0755);
    ::chmod(stub.c_str(), 0644);
    return wrapper;
}

}  // namespace sonora::test
