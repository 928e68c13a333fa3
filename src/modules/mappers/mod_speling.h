#pragma once
// httpd's mod_speling: a GET for a file that does not exist is matched against
// the names in the directory it would be in (CheckSpelling). A name that
// differs only in case, or (unless CheckCaseOnly) by one wrong, missing,
// extra or two swapped characters, or (CheckBasenameMatch, on by default)
// only after its first dot, is a candidate. One best candidate is a 301 to
// it; otherwise the candidates are listed in a 300 page as httpd writes it.
//
// Merge rule, as httpd's (the module has no merge function there): a section
// or .htaccess that sets any of the three directives replaces the whole
// setting of the enclosing ones, the others taking their defaults again; a
// section that sets none leaves it as it was.

#include <sonora/module.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonora::modules::mappers {

extern Module speling_module;

struct SpelingDirConfig {
    std::optional<bool> enabled;         // CheckSpelling, default Off
    std::optional<bool> case_only;       // CheckCaseOnly, default Off
    std::optional<bool> basename_match;  // CheckBasenameMatch, default On

    bool set_here() const { return enabled || case_only || basename_match; }
    static SpelingDirConfig merge(const SpelingDirConfig& base, const SpelingDirConfig& add) {
        return add.set_here() ? add : base;
    }
};

namespace speling {

// How a directory entry relates to the requested name, best first; httpd
// sorts the candidates in this order and names each with reason().
enum class Quality : std::uint8_t {
    Identical,
    Miscapitalized,
    Transposition,
    MissingChar,
    ExtraChar,
    SimpleTypo,
    VeryDifferent,  // no spelling relation; a basename candidate has this
};

// The words httpd's 300 page gives for `q` ("mistyped character").
std::string_view reason(Quality q);

// What it takes to turn `requested` into `entry`, comparing ASCII letters
// without regard to case: Miscapitalized when nothing else differs, one of
// the one-edit qualities, or VeryDifferent.
Quality distance(std::string_view requested, std::string_view entry);

struct Candidate {
    std::string name;
    Quality quality = Quality::VeryDifferent;
};

struct Matches {
    // An entry is named exactly as requested (a dangling symlink, say):
    // nothing is corrected, lest the redirect point at itself.
    bool exact = false;
    // In httpd's order: by quality, entries of one quality in directory order.
    std::vector<Candidate> candidates;
};

// Matches each of `entries` (a directory's names, "." and ".." included, in
// the order the directory lists them) against `requested`.
Matches match_entries(std::string_view requested, const std::vector<std::string>& entries, bool case_only,
                      bool basename_match);

// Whether httpd redirects to the first candidate rather than listing them:
// it is a spelling match (not a basename one) and no other is as good.
bool redirects(const std::vector<Candidate>& candidates);

}  // namespace speling

}  // namespace sonora::modules::mappers
