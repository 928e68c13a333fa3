#pragma once
// Running the real sonora binary from tests: arguments in, exit status and
// both output streams out; and temporary server roots to run it against.

#include <filesystem>
#include <string>
#include <vector>

namespace sonora::test {

struct RunResult {
    int status = -1;  // exit code, or 128+signal
    std::string out;
    std::string err;
};

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

// The live (not zombie) children of `parent`, oldest first; only those whose
// command name is `name` when one is given.
std::vector<int> children_of(int parent, const std::string& name = {});

// Runs SONORA_BINARY with `args`; kills it after `timeout_ms`.
RunResult run_sonora(const std::vector<std::string>& args, int timeout_ms = 10000);

// A fresh directory under /tmp, removed with the object.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }
    // Writes `text` to `relative` (parent directories created); returns the full path.
    std::string write(const std::string& relative, const std::string& text) const;
    std::string mkdir(const std::string& relative) const;

private:
    std::filesystem::path path_;
};

}  // namespace sonora::test
