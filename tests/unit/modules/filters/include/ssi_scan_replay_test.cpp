// A document's scan recorded and replayed (the SSI document cache's engine
// side): the replay gives the same output, log lines, subrequests and
// variables as the live scan, for documents fed in any chunks, and
// evaluates everything but the scan again for each request.

#include "modules/filters/include/ssi_scan_replay.h"
#include "ssi_test_host.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sonora::modules::filters::ssi {
namespace {

using test::FakeHost;

struct Outcome {
    std::string out;
    std::vector<std::string> logs;
    std::vector<std::string> requests;
    std::vector<std::pair<std::string, std::string>> env;
    bool operator==(const Outcome&) const = default;
};

void furnish(FakeHost& h) {
    h.env = {{"A", "abc"}, {"EMPTY", ""}};
    h.bodies["v:/inc.html"] = "INC";
    h.bodies["f:part.txt"] = "PART";
    h.bodies["v:/nested.shtml"] = "N[<!--#echo var=\"A\" -->]";
    h.files["f:part.txt"] = FileFacts{4096, 1583298367};
    h.commands["date"] = "DATE";
}

Outcome outcome_of(FakeHost& h, std::string out) {
    return Outcome{std::move(out), h.logs, h.requests, h.env};
}

// The live scan of `chunks`, recording it into `scan`.
Outcome live(const std::vector<std::string_view>& chunks, const Settings& settings,
             std::shared_ptr<const ScannedDocument>& scan) {
    FakeHost h;
    furnish(h);
    std::size_t size = 0;
    for (const std::string_view c : chunks) {
        size += c.size();
    }
    Processor p(settings, test::test_document(), h);
    p.record(size);
    std::string out = test::drive(p, h, chunks, settings);
    scan = p.take_scan();
    return outcome_of(h, std::move(out));
}

Outcome replayed(std::shared_ptr<const ScannedDocument> scan, const Settings& settings) {
    FakeHost h;
    furnish(h);
    Processor p(settings, test::test_document(), h);
    p.replay(std::move(scan));
    std::string out = test::drive(p, h, {}, settings);
    return outcome_of(h, std::move(out));
}

// Every way of cutting `doc` in two, and byte by byte.
std::vector<std::vector<std::string_view>> cuttings(std::string_view doc) {
    std::vector<std::vector<std::string_view>> all = {{doc}};
    for (std::size_t cut = 1; cut < doc.size(); ++cut) {
        all.push_back({doc.substr(0, cut), doc.substr(cut)});
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < doc.size(); ++i) {
        bytes.push_back(doc.substr(i, 1));
    }
    all.push_back(bytes);
    return all;
}

void expect_replay_matches(std::string_view doc, const Settings& settings = {}) {
    for (const auto& chunks : cuttings(doc)) {
        std::shared_ptr<const ScannedDocument> scan;
        const Outcome direct = live(chunks, settings, scan);
        ASSERT_NE(scan, nullptr) << doc;
        EXPECT_EQ(replayed(scan, settings), direct) << doc << " in " << chunks.size() << " chunks";
    }
}

TEST(SsiScanReplay, SameOutputAsTheLiveScan) {
    const std::vector<std::string> docs = {
        "",
        "plain text, no element at all\n",
        "a <!--#echo var=\"A\" --> b <!--#echo var='none' --> c",
        "<!--#set var=\"x\" value=\"1\" --><!--#if expr=\"v('x') == '2'\" -->two"
        "<!--#elif expr=\"v('x') == '1'\" -->one<!--#else -->else<!--#endif -->.",
        "<!--#if expr=\"$A = abc\" -->yes<!--#if expr=\"nope(\" -->x<!--#endif --><!--#endif -->",
        "<!--#include virtual=\"/inc.html\" -->|<!--#include file=\"part.txt\" -->|"
        "<!--#include virtual=\"/missing\" onerror=\"/inc.html\" -->|<!--#include virtual=\"/nested.shtml\" -->",
        "<!--#exec cmd=\"date\" --><!--#exec cmd=\"fails\" --><!--#fsize file=\"part.txt\" -->"
        "<!--#config sizefmt=\"bytes\" --><!--#fsize file=\"part.txt\" -->",
        "<!--#config errmsg=\"[E]\" --><!--#bogus --><!--#config timefmt=\"%Y\" --><!--#echo var=\"DATE_GMT\" -->",
        "<!--#printenv -->",
        // Malformed: no name, a value without a name, an argument name
        // missing, a start tag cut short, the end inside an element.
        "<!--# --><!--#echo =\"x\" --><!--#echo var=\"A\" =\"y\" --><!-- not ssi --> <!--",
        "text <!--#echo var=\"A\"",
        "<!--#echo var=A--> <!--#echo var=\"A\" -- -->",
        "<!--#if expr=\"1\" -->unterminated if",
        "<!<!--<!--#echo var=\"A\" -->-->",
    };
    for (const std::string& doc : docs) {
        expect_replay_matches(doc);
        Settings legacy = test::legacy();
        expect_replay_matches(doc, legacy);
    }
}

TEST(SsiScanReplay, CustomTags) {
    Settings s;
    s.start_tag = "[[#";
    s.end_tag = "]]";
    expect_replay_matches("x [[[#echo var=\"A\"]] [[#echo var=\"A\" ]] ] [[#if expr=\"1\"]]y[[#endif]]", s);
    s.start_tag = "aab";
    s.end_tag = "b";
    expect_replay_matches("aaab aaaabecho var=A b aab b", s);
}

TEST(SsiScanReplay, ReplayNeedsNoInput) {
    std::shared_ptr<const ScannedDocument> scan;
    live({"a<!--#echo var=\"A\" -->b"}, {}, scan);
    ASSERT_NE(scan, nullptr);
    FakeHost h;
    furnish(h);
    Processor p({}, test::test_document(), h);
    p.replay(scan);
    std::string out;
    for (Action a = p.next(); a.kind != Action::Kind::Done; a = p.next()) {
        ASSERT_EQ(a.kind, Action::Kind::Output);
        out.append(a.output);
    }
    EXPECT_EQ(out, "aabcb");
}

// Only the scan is kept: the variables, conditions and includes are the
// replaying request's.
TEST(SsiScanReplay, EvaluatesPerRequest) {
    const std::string doc = "<!--#if expr=\"v('A') == 'abc'\" -->[<!--#echo var=\"A\" -->]<!--#else -->other"
                            "<!--#endif --><!--#include virtual=\"/inc.html\" -->";
    std::shared_ptr<const ScannedDocument> scan;
    EXPECT_EQ(live({doc}, {}, scan).out, "[abc]INC");
    FakeHost h;
    h.env = {{"A", "xyz"}};
    h.bodies["v:/inc.html"] = "CHANGED";
    Processor p({}, test::test_document(), h);
    p.replay(scan);
    EXPECT_EQ(test::drive(p, h, {}, {}), "otherCHANGED");
}

TEST(SsiScanReplay, RecordsOnlyTheWholeDocument) {
    const std::string doc = "a<!--#echo var=\"A\" -->b";
    for (const std::size_t size : {doc.size() - 1, doc.size() + 1}) {
        FakeHost h;
        Processor p({}, test::test_document(), h);
        p.record(size);
        test::drive(p, h, {doc}, {});
        EXPECT_EQ(p.take_scan(), nullptr) << size;
    }
    FakeHost h;
    Processor p({}, test::test_document(), h);
    p.record(doc.size());
    p.feed(doc);
    while (p.next().kind != Action::Kind::NeedInput) {
    }
    EXPECT_EQ(p.take_scan(), nullptr);  // not at the end yet
    p.finish();
    while (p.next().kind != Action::Kind::Done) {
    }
    const auto scan = p.take_scan();
    ASSERT_NE(scan, nullptr);
    EXPECT_EQ(scan->text, "ab");
    ASSERT_EQ(scan->elements.size(), 1u);
    EXPECT_EQ(scan->elements[0].name, "echo");
    EXPECT_GE(scan->footprint, scan->text.size() + sizeof(Element));
    EXPECT_EQ(p.take_scan(), nullptr);  // handed over once
}

}  // namespace
}  // namespace sonora::modules::filters::ssi
