#include "support/answer_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sonora::test {

namespace {

std::string masked(const std::function<std::string(const std::string&)>& mask, const std::string& s) {
    return mask ? mask(s) : s;
}

// The answer as a table row, built by appending (GCC 12's LTO link misreads
// long chains of operator+ as overflowing).
std::string as_row(const AnswerCase& c, const Response& r, const AnswerTable& t) {
    std::string row = "{";
    row.append(cxx_quote(c.what)).append(", ").append(cxx_quote(c.request)).append(", ");
    row.append(t.headers_name ? t.headers_name(c.headers) : cxx_quote(c.headers)).append(", ");
    row.append(std::to_string(r.status)).append(", ");
    row.append(cxx_quote(masked(t.mask_location, r.header("Location")))).append(", ");
    row.append(cxx_quote(r.status == 200 ? masked(t.mask_body, r.body) : std::string())).append(", {");
    std::vector<std::string> head;
    if (r.status == 200) {
        head.push_back("Content-Type: " + r.header("Content-Type"));
    }
    for (const char* name : t.watched) {
        if (!r.header(name).empty()) {
            head.push_back(std::string(name) + ": " + r.header(name));
        }
    }
    for (std::size_t i = 0; i < head.size(); ++i) {
        row.append(i != 0 ? ", " : "").append(cxx_quote(head[i]));
    }
    return row.append("}},");
}

}  // namespace

std::string cxx_quote(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        switch (ch) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            default: out += ch;
        }
    }
    return out + "\"";
}

bool env_set(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' && std::string(v) != "0";
}

void check_answers(const std::string& which, const std::vector<AnswerCase>& cases, const std::vector<Response>& got,
                   const AnswerTable& table) {
    ASSERT_EQ(got.size(), cases.size()) << which << " answered " << got.size() << " of " << cases.size();
    const bool record = env_set("SONORA_REWRITE_RECORD");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const AnswerCase& c = cases[i];
        const Response& r = got[i];
        if (record) {
            std::printf("[%s] %s\n", which.c_str(), as_row(c, r, table).c_str());
        }
        SCOPED_TRACE(which + ": " + c.what + " (" + c.request + ")");
        EXPECT_EQ(r.status, c.status) << r.status_line;
        EXPECT_EQ(masked(table.mask_location, r.header("Location")), c.location);
        if (c.status == 200) {
            EXPECT_EQ(masked(table.mask_body, r.body), c.body);
        }
        for (const std::string& line : c.head) {
            const std::size_t colon = line.find(':');
            EXPECT_EQ(r.header(line.substr(0, colon)), line.substr(colon + 2)) << line << "\n" << r.head;
        }
        for (const char* name : table.watched) {
            const bool listed = std::any_of(c.head.begin(), c.head.end(), [name](const std::string& line) {
                return line.rfind(std::string(name) + ":", 0) == 0;
            });
            if (!listed) {
                EXPECT_EQ(r.header(name), "") << name << " must not be sent\n" << r.head;
            }
        }
    }
}

}  // namespace sonora::test
