// The listing's HTML, byte for byte as Apache 2.4.71 writes it (recorded
// from it; tests/integration/autoindex_test.cpp holds the pages). Column
// widths count bytes, as httpd counts them.

#include "modules/generators/mod_autoindex_render.h"

#include "core/strings.h"
#include "modules/generators/mod_autoindex_text.h"
#include "modules/generators/mod_status_format.h"

#include <algorithm>
#include <ctime>

namespace sonora::modules::generators::autoindex {

namespace {

using status::append_html;

int compare_bytes(std::string_view a, std::string_view b) {
    const int c = a.compare(b);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// strcasecmp: bytes compared as unsigned, ASCII letters folded to lower case.
int compare_nocase(std::string_view a, std::string_view b) {
    auto fold = [](char ch) {
        const auto u = static_cast<unsigned char>(ch);
        return u >= 'A' && u <= 'Z' ? u + ('a' - 'A') : static_cast<int>(u);
    };
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (fold(a[i]) != fold(b[i])) {
            return fold(a[i]) < fold(b[i]) ? -1 : 1;
        }
    }
    return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

// httpd's dsortf, as a three-way comparison of two entries that are not the
// parent line.
int compare_entries(const Entry& e1, const Entry& e2, const SortOrder& order) {
    if (e1.folder_first != e2.folder_first) {
        return e1.folder_first ? -1 : 1;
    }
    const Entry& a = order.ascending ? e1 : e2;
    const Entry& b = order.ascending ? e2 : e1;
    int result = 0;
    switch (order.key) {
        case 'M':
            if (a.mtime_us != b.mtime_us) {
                return a.mtime_us > b.mtime_us ? 1 : -1;
            }
            break;
        case 'S':
            if (a.size != b.size) {
                return a.size > b.size ? 1 : -1;
            }
            break;
        case 'D': {
            const std::string_view da = a.desc ? std::string_view(*a.desc) : std::string_view();
            const std::string_view db = b.desc ? std::string_view(*b.desc) : std::string_view();
            result = order.version_sort ? natural_compare(da, db, false) : compare_bytes(da, db);
            if (result != 0) {
                return result;
            }
            break;
        }
        default: break;
    }
    if (order.version_sort) {
        if (order.ignore_case) {
            result = natural_compare(a.name, b.name, true);
        }
        if (result == 0) {
            result = natural_compare(a.name, b.name, false);
        }
    }
    if (result == 0 && order.ignore_case) {
        result = compare_nocase(a.name, b.name);
    }
    return result != 0 ? result : compare_bytes(a.name, b.name);
}

std::string format_time(std::int64_t mtime_us, const AutoindexSettings& c) {
    const time_t t = static_cast<time_t>(mtime_us / 1'000'000 - (mtime_us % 1'000'000 < 0 ? 1 : 0));
    tm local{};
    ::localtime_r(&t, &local);
    char buf[64];
    const std::size_t n = c.old_date_format ? std::strftime(buf, sizeof buf, "%d-%b-%Y %H:%M", &local)
                                            : std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
    return std::string(buf, n);
}

// The column heading's link: sorting on it, or the other way round when the
// listing is sorted on it already.
void column_link(std::string& out, const Page& page, std::string_view label, char column) {
    if ((page.opts & kSuppressColumnSorting) != 0) {
        out += label;
        return;
    }
    const char direction = page.key == column && page.direction == 'A' ? 'D' : 'A';
    out.append("<a href=\"?C=").append(1, column).append(";O=").append(1, direction);
    out.append(page.colargs).append("\">").append(label).append("</a>");
}

// The icon image's size attributes and its end.
void icon_tail(std::string& out, const Page& page) {
    const AutoindexSettings& c = *page.config;
    if (c.icon_width != 0) {
        out.append(" width=\"").append(std::to_string(c.icon_width)).append("\"");
    }
    if (c.icon_height != 0) {
        out.append(" height=\"").append(std::to_string(c.icon_height)).append("\"");
    }
    out += (page.opts & kXhtml) != 0 ? " />" : ">";
}

// The column headings' icon (AddIcon ... ^^BLANKICON^^), if there is one.
bool blank_icon(std::string& out, const Page& page, std::string_view alt) {
    const std::string* blank = find_item(page.config->icons, {}, {}, "^^BLANKICON^^", true);
    if (blank == nullptr) {
        return false;
    }
    out += "<img src=\"";
    append_html(out, *blank);
    out.append("\" alt=\"").append(alt).append("\"");
    icon_tail(out, page);
    return true;
}

void entry_icon(std::string& out, const Page& page, const Entry& e) {
    const AutoindexSettings& c = *page.config;
    const std::string* icon = e.icon != nullptr ? e.icon : c.default_icon ? &*c.default_icon : nullptr;
    if (icon == nullptr) {
        out += (page.opts & kHtmlTable) != 0 ? "&nbsp;" : "     ";
        return;
    }
    out += "<img src=\"";
    append_html(out, *icon);
    out.append("\" alt=\"[").append(e.alt ? *e.alt : std::string("   ")).append("]\"");
    icon_tail(out, page);
}

struct Columns {
    int name_width;
    int desc_width;
    std::string pad;  // name_width blanks
};

Columns column_widths(const Page& page, const std::vector<Entry>& entries) {
    const AutoindexSettings& c = *page.config;
    Columns cols{std::max(c.name_width, 5), c.desc_width, {}};
    if ((page.opts & (kFancyIndexing | kHtmlTable)) == kFancyIndexing) {
        for (const Entry& e : entries) {
            if (c.name_adjust == Width::Adjust) {
                cols.name_width = std::max(cols.name_width, static_cast<int>(e.name.size()));
            }
            if (c.desc_adjust == Width::Adjust && e.desc) {
                cols.desc_width = std::max(cols.desc_width, static_cast<int>(e.desc->size()));
            }
        }
    }
    cols.pad.assign(static_cast<std::size_t>(cols.name_width), ' ');
    return cols;
}

// The name as shown, cut to the column with "..>" when longer; then the
// blanks that fill the column.
void padded_name(std::string& out, std::string_view shown, const Columns& cols) {
    std::size_t width = shown.size();
    const auto limit = static_cast<std::size_t>(cols.name_width);
    if (width > limit) {
        append_html(out, std::string(shown.substr(0, limit - 3)) + "..>");
        width = limit;
    } else {
        append_html(out, shown);
    }
    out += "</a>";
    out.append(cols.pad, width, std::string::npos);
}

void table_head(std::string& out, const Page& page, std::string& breakrow) {
    const AutoindexSettings& c = *page.config;
    const bool styled = c.style_sheet.has_value();
    int cols = 1;
    out += styled ? "  <table id=\"indexlist\">\n   <tr class=\"indexhead\">" : "  <table>\n   <tr>";
    if ((page.opts & kSuppressIcon) == 0) {
        out += styled ? "<th class=\"indexcolicon\">" : "<th valign=\"top\">";
        const bool icon = blank_icon(out, page, "[ICO]");
        out += icon ? "</th>" : "&nbsp;</th>";
        ++cols;
    }
    out += styled ? "<th class=\"indexcolname\">" : "<th>";
    column_link(out, page, "Name", 'N');
    struct Column {
        std::uint32_t suppressed_by;
        const char* cls;
        std::string_view label;
        char key;
    };
    for (const Column& col : {Column{kSuppressLastModified, "indexcollastmod", "Last modified", 'M'},
                              Column{kSuppressSize, "indexcolsize", "Size", 'S'},
                              Column{kSuppressDescription, "indexcoldesc", "Description", 'D'}}) {
        if ((page.opts & col.suppressed_by) == 0) {
            out += "</th><th";
            out += styled ? std::string(" class=\"") + col.cls + "\">" : std::string(">");
            column_link(out, page, col.label, col.key);
            ++cols;
        }
    }
    if ((page.opts & kSuppressRules) == 0) {
        breakrow = std::string("   <tr") + (styled ? " class=\"indexbreakrow\"" : "") + "><th colspan=\"" +
                   std::to_string(cols) + "\"><hr" + ((page.opts & kXhtml) != 0 ? " /" : "") + "></th></tr>\n";
    }
    out += "</th></tr>\n";
    out += breakrow;
}

void table_row(std::string& out, const Page& page, const Entry& e, std::size_t index, std::string_view anchor,
               std::string_view shown, const Columns& cols) {
    const AutoindexSettings& c = *page.config;
    const bool styled = c.style_sheet.has_value();
    if (styled) {
        out.append("   <tr class=\"").append(index % 2 == 1 ? "odd" : "even");
        if (e.alt && (page.opts & kAddAltClass) != 0) {
            out.append("-").append(to_lower(*e.alt));
        }
        out += "\">";
    } else {
        out += "<tr>";
    }
    const bool links = (page.opts & kIconsAreLinks) != 0;
    if ((page.opts & kSuppressIcon) == 0) {
        out += styled ? "<td class=\"indexcolicon\">" : "<td valign=\"top\">";
        if (links) {
            out.append("<a href=\"").append(anchor).append("\">");
        }
        entry_icon(out, page, e);
        out += links ? "</a></td>" : "</td>";
    }
    out += styled ? "<td class=\"indexcolname\">" : "<td>";
    out.append("<a href=\"").append(anchor).append("\">");
    if (c.name_adjust == Width::Adjust) {
        append_html(out, shown);
        out += "</a>";
    } else {
        padded_name(out, shown, cols);
    }
    if ((page.opts & kSuppressLastModified) == 0) {
        if (e.mtime_us != -1) {
            out += styled ? "</td><td class=\"indexcollastmod\">" : "</td><td align=\"right\">";
            out.append(format_time(e.mtime_us, c)).append("  ");
        } else {
            out += styled ? "</td><td class=\"indexcollastmod\">&nbsp;" : "</td><td>&nbsp;";
        }
    }
    if ((page.opts & kSuppressSize) == 0) {
        out += styled ? "</td><td class=\"indexcolsize\">" : "</td><td align=\"right\">";
        out += strfsize(e.size);
    }
    if ((page.opts & kSuppressDescription) == 0) {
        out += styled ? "</td><td class=\"indexcoldesc\">" : "</td><td>";
        if (!e.desc) {
            out += "&nbsp;";
        } else if (c.desc_adjust == Width::Adjust) {
            out += *e.desc;
        } else {
            out += shorten_description(*e.desc, c, page.opts, cols.desc_width);
        }
    }
    out += "</td></tr>\n";
}

void fancy_head(std::string& out, const Page& page, const Columns& cols) {
    out += "<pre>";
    if ((page.opts & kSuppressIcon) == 0) {
        const bool icon = blank_icon(out, page, "Icon ");
        out += icon ? " " : "      ";
    }
    column_link(out, page, "Name", 'N');
    out.append(cols.pad, 4, std::string::npos);
    out += " ";
    if ((page.opts & kSuppressLastModified) == 0) {
        column_link(out, page, "Last modified", 'M');
        out += "      ";
    }
    if ((page.opts & kSuppressSize) == 0) {
        column_link(out, page, "Size", 'S');
        out += "  ";
    }
    if ((page.opts & kSuppressDescription) == 0) {
        column_link(out, page, "Description", 'D');
    }
    if ((page.opts & kSuppressRules) == 0) {
        out += (page.opts & kXhtml) != 0 ? "<hr />" : "<hr>";
    } else {
        out += "\n";
    }
}

void fancy_row(std::string& out, const Page& page, const Entry& e, std::string_view anchor, std::string_view shown,
               const Columns& cols) {
    const AutoindexSettings& c = *page.config;
    if ((page.opts & kSuppressIcon) == 0) {
        const bool links = (page.opts & kIconsAreLinks) != 0;
        if (links) {
            out.append("<a href=\"").append(anchor).append("\">");
        }
        entry_icon(out, page, e);
        out += links ? "</a> " : " ";
    }
    out.append("<a href=\"").append(anchor).append("\">");
    padded_name(out, shown, cols);
    out += " ";
    if ((page.opts & kSuppressLastModified) == 0) {
        out += e.mtime_us != -1 ? format_time(e.mtime_us, c) + "  " : std::string(19, ' ');
    }
    if ((page.opts & kSuppressSize) == 0) {
        out.append(strfsize(e.size)).append("  ");
    }
    if ((page.opts & kSuppressDescription) == 0 && e.desc) {
        out += shorten_description(*e.desc, c, page.opts, cols.desc_width);
    }
    out += "\n";
}

void entries_html(std::string& out, const Page& page, const std::vector<Entry>& entries) {
    const Columns cols = column_widths(page, entries);
    std::string breakrow;
    const bool table = (page.opts & kHtmlTable) != 0;
    const bool fancy = (page.opts & kFancyIndexing) != 0;
    if (table) {
        table_head(out, page, breakrow);
    } else if (fancy) {
        fancy_head(out, page, cols);
    } else {
        out += "<ul>";
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        std::string anchor;
        append_html(anchor, escape_path(e.name, false));
        const std::string_view shown = i == 0 && e.is_parent() ? std::string_view("Parent Directory") : e.name;
        if (table) {
            table_row(out, page, e, i, anchor, shown, cols);
        } else if (fancy) {
            fancy_row(out, page, e, anchor, shown, cols);
        } else {
            out.append("<li><a href=\"").append(anchor).append("\"> ");
            append_html(out, shown);
            out += "</a></li>\n";
        }
    }
    if (table) {
        out.append(breakrow).append("</table>\n");
    } else if (fancy) {
        out += (page.opts & kSuppressRules) != 0 ? "</pre>\n" : (page.opts & kXhtml) != 0 ? "<hr /></pre>\n"
                                                                                         : "<hr></pre>\n";
    } else {
        out += "</ul>\n";
    }
}

void preamble(std::string& out, const Page& page) {
    const AutoindexSettings& c = *page.config;
    const bool xhtml = (page.opts & kXhtml) != 0;
    if (xhtml) {
        out += "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
               "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
               "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n <head>\n  <title>Index of ";
    } else {
        out += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
               "<html>\n <head>\n  <title>Index of ";
    }
    out.append(page.title).append("</title>\n");
    if (c.style_sheet) {
        out.append("  <link rel=\"stylesheet\" href=\"").append(*c.style_sheet).append("\" type=\"text/css\"");
        out += xhtml ? " />\n" : ">\n";
    }
    if (c.head_insert) {
        out += *c.head_insert;
    }
    out += " </head>\n <body>\n";
}

// A text file inside <pre>, with <, > and & as entities.
void plain_text(std::string& out, std::string_view text) {
    out += "<pre>\n";
    for (char ch : text) {
        switch (ch) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            default: out += ch;
        }
    }
    out += "</pre>\n";
}

}  // namespace

void sort_entries(std::vector<Entry>& entries, const SortOrder& order) {
    // A merge sort, as glibc's qsort: natural order is not always transitive
    // (leading zeros, blanks), which std::sort must not be given.
    std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
        if (a.is_parent() != b.is_parent()) {
            return a.is_parent();
        }
        return compare_entries(a, b, order) < 0;
    });
}

std::string shorten_description(std::string_view desc, const AutoindexSettings& c, std::uint32_t opts, int width) {
    int room = width;
    if (c.desc_adjust == Width::Unset) {
        room += (opts & kSuppressIcon) != 0 ? 6 : 0;
        room += (opts & kSuppressLastModified) != 0 ? 19 : 0;
        room += (opts & kSuppressSize) != 0 ? 7 : 0;
    }
    std::size_t x = 0;
    while (x < desc.size() && (room > 0 || desc[x] == '<')) {
        if (desc[x] == '<' || desc[x] == '&') {
            // A tag takes no room, an entity one; unterminated, it runs to the end.
            const std::size_t end = desc.find(desc[x] == '<' ? '>' : ';', x);
            room -= desc[x] == '&' ? 1 : 0;
            if (end == std::string_view::npos) {
                return std::string(desc);
            }
            x = end;
        } else {
            --room;
        }
        ++x;
    }
    if (room <= 0 && x < desc.size()) {
        return x == 0 ? std::string() : std::string(desc.substr(0, x - 1)) + ">";
    }
    return std::string(desc);
}

void render_page(const Page& page, const std::vector<Entry>& entries, std::string& out) {
    const AutoindexSettings& c = *page.config;
    const bool suppress_amble = (page.opts & kSuppressHtmlPreamble) != 0;
    if (page.header.kind == Insert::Kind::Html) {
        if (!suppress_amble) {
            preamble(out, page);
        }
        out += page.header.content;
    } else if (page.header.kind == Insert::Kind::Text) {
        preamble(out, page);
        plain_text(out, page.header.content);
    } else {
        preamble(out, page);
        out += c.style_sheet ? "  <h1 id=\"indextitle\">Index of " : "<h1>Index of ";
        out.append(page.title).append("</h1>\n");
    }
    entries_html(out, page, entries);
    bool signature = true;
    bool postamble = true;
    if (page.readme.kind == Insert::Kind::Html) {
        out += page.readme.content;
        signature = false;
        postamble = !suppress_amble;
    } else if (page.readme.kind == Insert::Kind::Text) {
        plain_text(out, page.readme.content);
        signature = false;
    }
    if (signature) {
        out += page.signature;
    }
    if (postamble) {
        out += "</body></html>\n";
    }
}

}  // namespace sonora::modules::generators::autoindex
