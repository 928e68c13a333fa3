// The two forms of the status page from a hand-made Snapshot: ?auto's keys
// and values, the HTML page's sections.

#include "modules/generators/mod_status_render.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace sonora::modules::generators::status {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000'000;

Snapshot event_snapshot(bool extended) {
    Snapshot s;
    s.mpm = "event";
    s.async = true;
    s.extended = extended;
    s.now_us = kNow;
    s.restart_us = kNow - 35'000'000;
    s.uptime_s = 35;
    s.load[0] = 3.58;
    s.load[1] = 1.81;
    s.load[2] = 1.04;
    s.accesses = 15;
    s.kbytes = 52;
    s.duration_ms = 5;
    s.cpu = CpuTimes{0.01, 0.04, 0, 0};
    s.busy = 1;
    s.idle = 74;
    ProcessRow p;
    p.slot = 0;
    p.pid = 4242;
    p.connections = 3;
    p.busy = 1;
    p.idle = 24;
    p.keep_alive = 2;
    s.processes.push_back(p);
    s.board = "W" + std::string(24, '_') + std::string(100, '.');
    WorkerRow w;
    w.pid = 4242;
    w.state = 'W';
    w.conn_count = 1;
    w.access_count = 7;
    w.my_access_count = 7;
    w.bytes = 3 * 1024 * 1024;
    w.my_bytes = 1024 * 1024;
    w.conn_bytes = 2048;
    w.client = "127.0.0.1";
    w.vhost = "localhost:80";
    w.request = "GET /server-status?a&b HTTP/1.1";
    s.workers.push_back(w);
    return s;
}

PageInfo page() {
    PageInfo p;
    p.host = "example.org";
    p.local_ip = "127.0.0.1";
    p.version = "Sonora/0.1.0 (Unix)";
    p.built = "Jan  1 2026 00:00:00";
    return p;
}

std::vector<std::string> keys_of(const std::string& text) {
    std::vector<std::string> keys;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // the host name comes first, alone
    while (std::getline(in, line)) {
        keys.push_back(line.substr(0, line.find(':')));
    }
    return keys;
}

TEST(StatusAuto, KeysInApachesOrder) {
    std::string out;
    render_auto(event_snapshot(true), page(), out);
    const std::vector<std::string> expected = {
        "ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
        "ParentServerConfigGeneration", "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime",
        "Load1", "Load5", "Load15", "Total Accesses", "Total kBytes", "Total Duration", "CPUUser", "CPUSystem",
        "CPUChildrenUser", "CPUChildrenSystem", "CPULoad", "Uptime", "ReqPerSec", "BytesPerSec", "BytesPerReq",
        "DurationPerReq", "BusyWorkers", "GracefulWorkers", "IdleWorkers", "Processes", "Stopping", "ConnsTotal",
        "ConnsAsyncWaitIO", "ConnsAsyncWriting", "ConnsAsyncKeepAlive", "ConnsAsyncClosing", "Scoreboard"};
    EXPECT_EQ(keys_of(out), expected) << out;
    EXPECT_EQ(out.rfind("example.org\n", 0), 0u);
}

TEST(StatusAuto, ValuesAsApachePrintsThem) {
    std::string out;
    render_auto(event_snapshot(true), page(), out);
    for (const char* line :
         {"\nServerVersion: Sonora/0.1.0 (Unix)\n", "\nServerMPM: event\n", "\nServerUptimeSeconds: 35\n",
          "\nServerUptime: 35 seconds\n", "\nLoad1: 3.58\n", "\nLoad15: 1.04\n", "\nTotal Accesses: 15\n",
          "\nTotal kBytes: 52\n", "\nTotal Duration: 5\n", "\nCPUUser: .01\n", "\nCPUSystem: .04\n",
          "\nCPUChildrenUser: 0\n", "\nCPULoad: .142857\n", "\nUptime: 35\n", "\nReqPerSec: .428571\n",
          "\nBytesPerSec: 1521.37\n", "\nBytesPerReq: 3549.87\n", "\nDurationPerReq: .333333\n",
          "\nBusyWorkers: 1\n", "\nGracefulWorkers: 0\n", "\nIdleWorkers: 74\n", "\nProcesses: 1\n",
          "\nConnsTotal: 3\n", "\nConnsAsyncKeepAlive: 2\n", "\nParentServerConfigGeneration: 1\n"}) {
        EXPECT_NE(out.find(line), std::string::npos) << line << " in\n" << out;
    }
    EXPECT_NE(out.find("\nScoreboard: W________________________....."), std::string::npos);
    EXPECT_EQ(out.back(), '\n');
}

TEST(StatusAuto, RatesNeedUptimeAndRequests) {
    Snapshot s = event_snapshot(true);
    s.uptime_s = 0;
    s.accesses = 0;
    std::string out;
    render_auto(s, page(), out);
    for (const char* absent : {"ReqPerSec", "BytesPerSec", "BytesPerReq", "DurationPerReq", "CPULoad"}) {
        EXPECT_EQ(out.find(absent), std::string::npos) << absent;
    }
    EXPECT_NE(out.find("\nServerUptime:\n"), std::string::npos);
}

TEST(StatusAuto, NonAsyncAndNotExtendedLeaveTheirKeysOut) {
    Snapshot s = event_snapshot(false);
    s.async = false;
    s.mpm = "prefork";
    std::string out;
    render_auto(s, page(), out);
    const std::vector<std::string> expected = {
        "ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
        "ParentServerConfigGeneration", "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime",
        "Load1", "Load5", "Load15", "BusyWorkers", "GracefulWorkers", "IdleWorkers", "Scoreboard"};
    EXPECT_EQ(keys_of(out), expected) << out;
}

TEST(StatusHtml, SectionsInOrder) {
    PageInfo p = page();
    p.host = "<x>";
    std::string out;
    render_html(event_snapshot(true), p, out);
    const char* sections[] = {
        "<title>Apache Status</title>",
        "<h1>Apache Server Status for &lt;x&gt; (via 127.0.0.1)</h1>",
        "<dt>Server Version: Sonora/0.1.0 (Unix)</dt>",
        "<dt>Server MPM: event</dt>",
        "<dt>Server Built: Jan  1 2026 00:00:00\n</dt>",
        "<dt>Parent Server Config. Generation: 1</dt>",
        "<dt>Parent Server MPM Generation: 0</dt>",
        "<dt>Server uptime:  35 seconds</dt>",
        "<dt>Server load: 3.58 1.81 1.04</dt>",
        "<dt>Total accesses: 15 - Total Traffic: 52 kB - Total Duration: 5</dt>",
        "<dt>CPU Usage: u.01 s.04 cu0 cs0 - .143% CPU load</dt>",
        "<dt>.429 requests/sec - 1521 B/second - 3549 B/request - .333333 ms/request</dt>",
        "<dt>1 requests currently being processed, 0 workers gracefully restarting, 74 idle workers</dt>",
        "<th colspan=\"4\">Async connections</th>",
        "<tr><td>0</td><td>4242</td><td>no</td><td>3</td><td>yes</td><td>1</td><td>0</td><td>24</td>"
        "<td>0</td><td>0</td><td>2</td><td>0</td></tr>",
        "<tr><td>Sum</td><td>1</td><td>0</td><td>3</td><td>&nbsp;</td><td>1</td><td>0</td><td>24</td>",
        "<pre>W________________________.......................................\n",
        "Scoreboard Key:",
        "\" Open slot with no current process<br />",
        "<th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th><th>SS</th>",
        "<tr><td><b>0-0</b></td><td>4242</td><td>1/7/7</td><td><b>W</b>\n</td><td>0.00</td>",
        "<td>2.0</td><td>1.00</td><td>3.00\n</td><td>127.0.0.1</td><td>http/1.1</td>"
        "<td nowrap>localhost:80</td><td nowrap>GET /server-status?a&amp;b HTTP/1.1</td></tr>",
        "<tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>",
        "</body></html>\n",
    };
    std::size_t at = 0;
    for (const char* section : sections) {
        std::size_t found = out.find(section, at);
        ASSERT_NE(found, std::string::npos) << "missing or out of order: " << section << "\n" << out;
        at = found;
    }
    EXPECT_EQ(out.find("PID Key"), std::string::npos);
}

TEST(StatusHtml, KeyMapBreaksEverySixtyFourCells) {
    Snapshot s = event_snapshot(true);
    s.board = std::string(128, '_');
    std::string out;
    render_html(s, page(), out);
    EXPECT_NE(out.find("<pre>" + std::string(64, '_') + "\n" + std::string(64, '_') + "\n</pre>"),
              std::string::npos);
}

TEST(StatusHtml, NotableWritesParagraphs) {
    PageInfo p = page();
    p.notable = true;
    std::string out;
    render_html(event_snapshot(true), p, out);
    EXPECT_NE(out.find("<hr /><h2>Server Details</h2>\n\n<b>Server 0-0</b> (4242): 1|7|7 [<b>Write</b>] "
                       "u0 s0 cu0 cs0\n 0 0 0(2048 B|1.0 MB|3.0 MB)\n"
                       " <i>127.0.0.1 {GET /server-status?a&amp;b HTTP/1.1}</i> <i>(http/1.1)</i> "
                       "<b>[localhost:80]</b><br />\n\n"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("<table border=\"0\">"), std::string::npos);
    // The per-process table is a table all the same, as in httpd.
    EXPECT_NE(out.find("<table rules=\"all\""), std::string::npos);
}

TEST(StatusHtml, WithoutExtendedStatusThePidKey) {
    Snapshot s = event_snapshot(false);
    s.pid_key = {{4242, '_'}, {4242, 'W'}, {4242, '_'}, {4243, ' '}};
    std::string out;
    render_html(s, page(), out);
    EXPECT_EQ(out.find("Total accesses"), std::string::npos);
    EXPECT_EQ(out.find("<table border=\"0\">"), std::string::npos);
    EXPECT_NE(out.find("PID Key: <br />\n<pre>\n   4242 in state: _ ,   4242 in state: W ,   4242 in state: _ \n"
                       "   4243 in state:   ,\n</pre>\n"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("<hr />To obtain a full report with current status information you need to use the "
                       "<code>ExtendedStatus On</code> directive.\n</body></html>\n"),
              std::string::npos);
}

TEST(StatusHtml, PreforkHasNoProcessTable) {
    Snapshot s = event_snapshot(true);
    s.async = false;
    std::string out;
    render_html(s, page(), out);
    EXPECT_EQ(out.find("Async connections"), std::string::npos);
    EXPECT_NE(out.find("idle workers</dt>\n</dl><pre>"), std::string::npos);
}

TEST(StatusHtml, SignatureBeforeTheEnd) {
    PageInfo p = page();
    p.signature = "<hr />\n<address>Sonora Server at x Port 80</address>\n";
    std::string out;
    render_html(event_snapshot(true), p, out);
    EXPECT_NE(out.find("</table>\n<hr />\n<address>Sonora Server at x Port 80</address>\n</body></html>\n"),
              std::string::npos);
}

}  // namespace
}  // namespace sonora::modules::generators::status
