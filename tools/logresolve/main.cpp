// logresolve: Apache's log post-processor (apache2-utils), same options,
// output and statistics. Reads a log on stdin, writes it to stdout.

#include "logresolve/resolve_log.h"

#include <fstream>
#include <iostream>
#include <string>

namespace {

void usage(const std::string& complaint) {
    std::cerr << "logresolve: " << complaint << "\n"
              << "logresolve -- Resolve IP-addresses to hostnames in Apache log files.\n"
                 "Usage: logresolve [-s STATFILE] [-c]\n\n"
                 "Options:\n"
                 "  -s   Record statistics to STATFILE when finished.\n\n"
                 "  -c   Perform double lookups when resolving IP addresses.\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::string stats_file;
    bool double_lookups = false;
    // Options may be clustered ("-cs FILE") and end at the first non-option.
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            ++i;
            break;
        }
        for (std::size_t k = 1; k < arg.size(); ++k) {
            if (arg[k] == 'c') {
                double_lookups = true;
            } else if (arg[k] == 's') {
                if (k + 1 < arg.size()) {
                    stats_file = arg.substr(k + 1);
                } else if (i + 1 < argc) {
                    stats_file = argv[++i];
                } else {
                    usage("option requires an argument -- s");
                    return 1;
                }
                break;
            } else {
                usage(std::string("illegal option -- ") + arg[k]);
                return 1;
            }
        }
    }
    std::ios::sync_with_stdio(false);
    sonora::tools::LogResolver resolver(sonora::tools::system_resolvers(), double_lookups);
    resolver.run(std::cin, std::cout);
    std::cout.flush();
    if (!stats_file.empty()) {
        std::ofstream out(stats_file, std::ios::trunc);
        if (!out) {
            std::cerr << "logresolve: could not open statistics file '" << stats_file << "'\n";
            return 1;
        }
        out << resolver.stats_text();
    }
    return 0;
}
