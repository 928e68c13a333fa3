// IndexOptions, IndexOrderDefault and the listing's query arguments, with
// httpd 2.4's wording for errors and its treatment of odd input (a number
// is read as C's atoi reads it; the first query argument not understood
// ends the reading).

#include "modules/generators/mod_autoindex_options.h"

#include "core/strings.h"
#include "http/uri.h"
#include "modules/generators/mod_autoindex_text.h"

#include <algorithm>
#include <climits>

namespace sonora::modules::generators::autoindex {

namespace {

struct Named {
    std::string_view name;
    std::uint32_t bit;
};

constexpr Named kFlags[] = {
    {"FancyIndexing", kFancyIndexing},
    {"FoldersFirst", kFoldersFirst},
    {"HTMLTable", kHtmlTable},
    {"IconsAreLinks", kIconsAreLinks},
    {"IgnoreCase", kIgnoreCase},
    {"IgnoreClient", kIgnoreClient},
    {"ScanHTMLTitles", kScanHtmlTitles},
    {"SuppressColumnSorting", kSuppressColumnSorting},
    {"SuppressDescription", kSuppressDescription},
    {"SuppressHTMLPreamble", kSuppressHtmlPreamble},
    {"SuppressIcon", kSuppressIcon},
    {"SuppressLastModified", kSuppressLastModified},
    {"SuppressSize", kSuppressSize},
    {"SuppressRules", kSuppressRules},
    {"TrackModified", kTrackModified},
    {"VersionSort", kVersionSort},
    {"XHTML", kXhtml},
    {"ShowForbidden", kShowForbidden},
    {"AddAltClass", kAddAltClass},
};

// C's atoi, as httpd reads the numbers.
int read_int(std::string_view s) {
    const long n = leading_number(s);
    return static_cast<int>(std::clamp<long>(n, INT_MIN, INT_MAX));
}

// "Name=value" with the name matched case-insensitively: the value, or nullopt.
std::optional<std::string_view> valued(std::string_view word, std::string_view name) {
    if (word.size() > name.size() && word[name.size()] == '=' && equals_nocase(word.substr(0, name.size()), name)) {
        return word.substr(name.size() + 1);
    }
    return std::nullopt;
}

// A valued word (IconWidth, NameWidth, Type=, ...): sets what it names in
// `c`. Returns nullopt when `w` is not one, else the error text ("" = fine).
std::optional<std::string> apply_valued(AutoindexSettings& c, std::string_view w, char action) {
    if (equals_nocase(w, "IconWidth") || equals_nocase(w, "IconHeight")) {
        const bool width = equals_nocase(w, "IconWidth");
        int& field = width ? c.icon_width : c.icon_height;
        field = action == '-' ? 0 : (width ? kDefaultIconWidth : kDefaultIconHeight);
        return std::string();
    }
    for (std::string_view name : {std::string_view("IconWidth"), std::string_view("IconHeight")}) {
        if (auto v = valued(w, name)) {
            if (action == '-') {
                return "Cannot combine '-' with " + std::string(name) + "=n";
            }
            (name == "IconWidth" ? c.icon_width : c.icon_height) = read_int(*v);
            return std::string();
        }
    }
    struct Column {
        std::string_view name;
        int minimum;
        int& width;
        Width& adjust;
        int fallback;
    };
    Column columns[] = {{"NameWidth", 5, c.name_width, c.name_adjust, kDefaultNameWidth},
                        {"DescriptionWidth", 12, c.desc_width, c.desc_adjust, kDefaultDescWidth}};
    for (Column& col : columns) {
        const std::string name(col.name);
        if (equals_nocase(w, col.name)) {
            if (action != '-') {
                return name + " with no value may only appear as '-" + name + "'";
            }
            col.width = col.fallback;
            col.adjust = Width::Fixed;
            return std::string();
        }
        if (auto v = valued(w, col.name)) {
            if (action == '-') {
                return "Cannot combine '-' with " + name + "=n";
            }
            if (!v->empty() && v->front() == '*') {
                col.adjust = Width::Adjust;
                return std::string();
            }
            const int n = read_int(*v);
            if (n != 0 && n < col.minimum) {
                return name + " value must be greater than " + std::to_string(col.minimum);
            }
            col.width = n;
            col.adjust = Width::Fixed;
            return std::string();
        }
    }
    if (auto v = valued(w, "Type")) {
        c.content_type = std::string(*v);
        return std::string();
    }
    if (auto v = valued(w, "Charset")) {
        c.charset = std::string(*v);
        return std::string();
    }
    if (equals_nocase(w, "UseOldDateFormat")) {
        c.old_date_format = true;
        return std::string();
    }
    return std::nullopt;
}

bool ends_argument(std::string_view q, std::size_t at) { return at >= q.size() || q[at] == '&' || q[at] == ';'; }

// A one-letter argument "X=v" with v among `values`: v, else 0.
char single(std::string_view q, char name, std::string_view values) {
    if (q.size() >= 3 && q[0] == name && q[1] == '=' && values.find(q[2]) != std::string_view::npos &&
        ends_argument(q, 3)) {
        return q[2];
    }
    return 0;
}

}  // namespace

CmdResult apply_index_options(AutoindexSettings& c, std::span<const std::string> words) {
    std::uint32_t opts = c.opts;
    std::uint32_t add = c.incremented;
    std::uint32_t remove = c.decremented;
    for (const std::string& word : words) {
        std::string_view w = word;
        char action = 0;
        if (!w.empty() && (w.front() == '+' || w.front() == '-')) {
            action = w.front();
            w.remove_prefix(1);
        }
        std::uint32_t option = 0;
        bool known = false;
        for (const Named& f : kFlags) {
            if (equals_nocase(w, f.name)) {
                option = f.bit;
                known = true;
                break;
            }
        }
        if (!known && equals_nocase(w, "None")) {
            if (action != 0) {
                return std::string("Cannot combine '+' or '-' with 'None' keyword");
            }
            opts = kNoOptions;
            add = 0;
            remove = 0;
            known = true;
        }
        if (!known) {
            std::optional<std::string> valued_error = apply_valued(c, w, action);
            if (!valued_error) {
                return std::string("Invalid directory indexing option");
            }
            if (!valued_error->empty()) {
                return *valued_error;
            }
        }
        if (action == 0) {
            opts |= option;
            add = 0;
            remove = 0;
        } else if (action == '+') {
            add |= option;
            remove &= ~option;
        } else {
            remove |= option;
            add &= ~option;
        }
    }
    if ((opts & kNoOptions) != 0 && (opts & ~kNoOptions) != 0) {
        return std::string("Cannot combine other IndexOptions keywords with 'None'");
    }
    c.opts = opts;
    c.incremented = add;
    c.decremented = remove;
    return std::nullopt;
}

CmdResult set_default_order(AutoindexSettings& c, std::string_view direction, std::string_view key) {
    if (equals_nocase(direction, "Ascending")) {
        c.default_direction = 'A';
    } else if (equals_nocase(direction, "Descending")) {
        c.default_direction = 'D';
    } else {
        return std::string("First keyword must be 'Ascending' or 'Descending'");
    }
    constexpr std::pair<std::string_view, char> kKeys[] = {
        {"Name", 'N'}, {"Date", 'M'}, {"Size", 'S'}, {"Description", 'D'}};
    for (const auto& [name, id] : kKeys) {
        if (equals_nocase(key, name)) {
            c.default_key = id;
            return std::nullopt;
        }
    }
    return std::string("Second keyword must be 'Name', 'Date', 'Size', or 'Description'");
}

ListingQuery parse_listing_query(std::string_view query, std::uint32_t opts, char key, char direction) {
    ListingQuery out;
    out.key = key;
    out.direction = direction;
    out.opts = opts;
    if ((opts & kIgnoreClient) != 0) {
        out.opts |= kSuppressColumnSorting;
        return out;
    }
    std::string format, version, pattern_arg;
    std::string_view q = query;
    while (!q.empty()) {
        if (char k = single(q, 'C', "NMSD")) {
            out.key = k;
        } else if (char d = single(q, 'O', "AD")) {
            out.direction = d;
        } else if (char f = single(q, 'F', "012")) {
            if (f == '0') {
                out.opts &= ~(kFancyIndexing | kHtmlTable);
            } else if (f == '1') {
                out.opts = (out.opts | kFancyIndexing) & ~kHtmlTable;
            } else {
                out.opts |= kFancyIndexing | kHtmlTable;
            }
            format = std::string(";F=") + f;
        } else if (char v = single(q, 'V', "01")) {
            out.opts = v == '0' ? out.opts & ~kVersionSort : out.opts | kVersionSort;
            version = std::string(";V=") + v;
        } else if (q.size() >= 2 && q[0] == 'P' && q[1] == '=') {
            q.remove_prefix(2);
            const std::size_t end = q.find_first_of("&;");
            const std::string_view raw = q.substr(0, end);
            out.pattern.reset();
            if (!raw.empty()) {
                std::string decoded(raw);
                const http::PathResult res = http::unescape_path(raw, decoded.data(), decoded.size());
                if (res.status == http::PathStatus::kOk) {
                    decoded.resize(res.length);
                    pattern_arg = ";P=" + escape_path(decoded, true);
                    out.pattern = std::move(decoded);
                }
            }
            if (end == std::string_view::npos || end + 1 >= q.size()) {
                break;
            }
            q.remove_prefix(end + 1);
            continue;
        } else {
            break;  // not understood: the rest is ignored
        }
        q.remove_prefix(q.size() > 3 ? 4 : 3);
    }
    out.colargs = format + version + pattern_arg;
    return out;
}

}  // namespace sonora::modules::generators::autoindex
