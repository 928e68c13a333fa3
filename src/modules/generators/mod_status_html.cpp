// The HTML status page, section by section in Apache 2.4's order: the
// server, the totals, the event MPM's per-process table, the key map and its
// key, then either the per-worker details (ExtendedStatus) or the PID key.

#include "modules/generators/mod_status_format.h"
#include "modules/generators/mod_status_render.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace sonora::modules::generators::status {

namespace {

constexpr std::size_t kBoardLine = 64;  // key-map characters per line

__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
    char buf[256];
    va_list args;
    va_start(args, fmt);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    if (n > 0) {
        out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
    }
}

void td(std::string& out, std::uint64_t v) { out.append("<td>").append(std::to_string(v)).append("</td>"); }

void head(const Snapshot& s, const PageInfo& page, std::string& out) {
    out += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
           "<html><head>\n<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status for ";
    append_html(out, page.host);
    out.append(" (via ").append(page.local_ip).append(")</h1>\n\n");
    out.append("<dl><dt>Server Version: ").append(page.version).append("</dt>\n");
    out.append("<dt>Server MPM: ").append(s.mpm).append("</dt>\n");
    out.append("<dt>Server Built: ").append(page.built).append("\n</dt></dl><hr /><dl>\n");
    out.append("<dt>Current Time: ").append(format_time(s.now_us)).append("</dt>\n");
    out.append("<dt>Restart Time: ").append(format_time(s.restart_us)).append("</dt>\n");
    appendf(out, "<dt>Parent Server Config. Generation: %u</dt>\n", s.config_generation);
    appendf(out, "<dt>Parent Server MPM Generation: %u</dt>\n", s.mpm_generation);
    out.append("<dt>Server uptime: ").append(format_uptime(s.uptime_s)).append("</dt>\n");
    appendf(out, "<dt>Server load: %.2f %.2f %.2f</dt>\n", s.load[0], s.load[1], s.load[2]);
}

void totals(const Snapshot& s, std::string& out) {
    appendf(out, "<dt>Total accesses: %llu - Total Traffic: ", static_cast<unsigned long long>(s.accesses));
    out.append(format_kbytes(s.kbytes));
    appendf(out, " - Total Duration: %lld</dt>\n", static_cast<long long>(s.duration_ms));
    out.append("<dt>CPU Usage: u").append(format_g(static_cast<float>(s.cpu.user)));
    out.append(" s").append(format_g(static_cast<float>(s.cpu.system)));
    out.append(" cu").append(format_g(static_cast<float>(s.cpu.child_user)));
    out.append(" cs").append(format_g(static_cast<float>(s.cpu.child_system)));
    if (s.cpu.total() > 0 && s.uptime_s > 0) {
        const double load = static_cast<float>(s.cpu.total()) / static_cast<float>(s.uptime_s) * 100.;
        out.append(" - ").append(format_g(load, 3)).append("% CPU load");
    }
    out += "</dt>\n<dt>";
    // httpd divides in float and truncates byte rates to whole bytes.
    const float bytes = 1024 * static_cast<float>(s.kbytes);
    if (s.uptime_s > 0) {
        const auto up = static_cast<float>(s.uptime_s);
        out.append(format_g(static_cast<float>(s.accesses) / up, 3)).append(" requests/sec - ");
        out.append(format_bytes(static_cast<std::uint64_t>(bytes / up))).append("/second");
    }
    if (s.accesses > 0) {
        const auto count = static_cast<float>(s.accesses);
        if (s.uptime_s > 0) {
            out += " - ";
        }
        out.append(format_bytes(static_cast<std::uint64_t>(bytes / count))).append("/request - ");
        out.append(format_g(static_cast<float>(s.duration_ms) / count)).append(" ms/request");
    }
    out += "</dt>\n";
}

void process_table(const Snapshot& s, std::string& out) {
    out += "\n\n<table rules=\"all\" cellpadding=\"1%\">\n"
           "<tr><th rowspan=\"2\">Slot</th><th rowspan=\"2\">PID</th><th rowspan=\"2\">Stopping</th>"
           "<th colspan=\"2\">Connections</th>\n"
           "<th colspan=\"3\">Threads</th><th colspan=\"4\">Async connections</th></tr>\n"
           "<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th>"
           "<th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n";
    ProcessRow sum;
    for (const ProcessRow& p : s.processes) {
        out += "<tr>";
        td(out, p.slot);
        td(out, static_cast<std::uint64_t>(p.pid));
        out.append("<td>").append(p.stopping ? "yes" : "no").append(p.old_generation ? " (old gen)" : "");
        out += "</td>";
        td(out, p.connections);
        out.append("<td>").append(p.accepting ? "yes" : "no").append("</td>");
        for (std::uint64_t v : {std::uint64_t(p.busy), std::uint64_t(p.graceful), std::uint64_t(p.idle),
                                std::uint64_t{0}, std::uint64_t(p.writing), std::uint64_t(p.keep_alive),
                                std::uint64_t(p.closing)}) {
            td(out, v);
        }
        out += "</tr>\n";
        sum.connections += p.connections;
        sum.busy += p.busy;
        sum.graceful += p.graceful;
        sum.idle += p.idle;
        sum.writing += p.writing;
        sum.keep_alive += p.keep_alive;
        sum.closing += p.closing;
    }
    out += "<tr><td>Sum</td>";
    td(out, s.processes.size());
    td(out, static_cast<std::uint64_t>(s.stopping));
    td(out, sum.connections);
    out += "<td>&nbsp;</td>";
    for (std::uint64_t v : {std::uint64_t(sum.busy), std::uint64_t(sum.graceful), std::uint64_t(sum.idle),
                            std::uint64_t{0}, std::uint64_t(sum.writing), std::uint64_t(sum.keep_alive),
                            std::uint64_t(sum.closing)}) {
        td(out, v);
    }
    out += "</tr>\n</table>\n";
}

void board(const Snapshot& s, std::string& out) {
    out += "<pre>";
    for (std::size_t i = 0; i < s.board.size(); ++i) {
        out += s.board[i];
        if (i % kBoardLine == kBoardLine - 1) {
            out += '\n';
        }
    }
    out += "</pre>\n"
           "<p>Scoreboard Key:<br />\n"
           "\"<b><code>_</code></b>\" Waiting for Connection, \n"
           "\"<b><code>S</code></b>\" Starting up, \n"
           "\"<b><code>R</code></b>\" Reading Request,<br />\n"
           "\"<b><code>W</code></b>\" Sending Reply, \n"
           "\"<b><code>K</code></b>\" Keepalive (read), \n"
           "\"<b><code>D</code></b>\" DNS Lookup,<br />\n"
           "\"<b><code>C</code></b>\" Closing connection, \n"
           "\"<b><code>L</code></b>\" Logging, \n"
           "\"<b><code>G</code></b>\" Gracefully finishing,<br /> \n"
           "\"<b><code>I</code></b>\" Idle cleanup of worker, \n"
           "\"<b><code>.</code></b>\" Open slot with no current process<br />\n"
           "</p>\n";
}

// ExtendedStatus Off: every slot in use with its process id, three a line.
void pid_key(const Snapshot& s, std::string& out) {
    out += "PID Key: <br />\n<pre>\n";
    std::size_t k = 0;
    for (const Snapshot::PidKey& e : s.pid_key) {
        appendf(out, "   %d in state: %c ", static_cast<int>(e.pid), e.state);
        out += ++k % 3 == 0 ? '\n' : ',';
    }
    out += "\n</pre>\n";
}

// The mode as the table shows it: waiting and finishing plain, work in bold.
const char* table_mode(char state) {
    switch (state) {
        case '_': return "_";
        case '.': return ".";
        case 'G': return "G";
        case 'I': return "I";
        case 'S': return "<b>S</b>";
        case 'R': return "<b>R</b>";
        case 'W': return "<b>W</b>";
        case 'K': return "<b>K</b>";
        case 'L': return "<b>L</b>";
        case 'D': return "<b>D</b>";
        case 'C': return "<b>C</b>";
        default: return "?";
    }
}

// The mode in words, for ?notable.
const char* mode_name(char state) {
    switch (state) {
        case '_': return "Ready";
        case 'S': return "Starting";
        case 'R': return "<b>Read</b>";
        case 'W': return "<b>Write</b>";
        case 'K': return "<b>Keepalive</b>";
        case 'L': return "<b>Logging</b>";
        case 'D': return "<b>DNS lookup</b>";
        case 'C': return "<b>Closing</b>";
        case '.': return "Dead";
        case 'G': return "Graceful";
        case 'I': return "Dying";
        default: return "?STATE?";
    }
}

// httpd names the connection's protocol; every connection here speaks HTTP/1.x.
std::string_view protocol(const WorkerRow& w) { return w.request.empty() ? "" : "http/1.1"; }

void worker_table_row(const WorkerRow& w, std::string& out) {
    appendf(out, "<tr><td><b>%u-%u</b></td>", w.process, w.generation);
    if (w.state == '.' || w.pid == 0) {
        out += "<td>-</td>";
    } else {
        appendf(out, "<td>%d</td>", static_cast<int>(w.pid));
    }
    appendf(out, "<td>%llu/%llu/%llu</td><td>%s\n</td>", static_cast<unsigned long long>(w.conn_count),
            static_cast<unsigned long long>(w.my_access_count), static_cast<unsigned long long>(w.access_count),
            table_mode(w.state));
    appendf(out, "<td>%.2f</td><td>%lld</td><td>%lld</td><td>%lld</td>", w.cpu.total(),
            static_cast<long long>(w.since_s), static_cast<long long>(w.request_ms),
            static_cast<long long>(w.duration_ms));
    appendf(out, "<td>%.1f</td><td>%.2f</td><td>%.2f\n</td>", static_cast<float>(w.conn_bytes) / 1024,
            static_cast<float>(w.my_bytes) / (1024 * 1024), static_cast<float>(w.bytes) / (1024 * 1024));
    out += "<td>";
    append_html(out, w.client);
    out += "</td><td>";
    append_html(out, protocol(w));
    out += "</td><td nowrap>";
    append_html(out, w.vhost);
    out += "</td><td nowrap>";
    append_logitem_html(out, w.request);
    out += "</td></tr>\n\n";
}

void worker_paragraph(const WorkerRow& w, std::string& out) {
    appendf(out, "<b>Server %u-%u</b> (", w.process, w.generation);
    if (w.state == '.' || w.pid == 0) {
        out += '-';
    } else {
        out += std::to_string(w.pid);
    }
    appendf(out, "): %llu|%llu|%llu [%s] ", static_cast<unsigned long long>(w.conn_count),
            static_cast<unsigned long long>(w.my_access_count), static_cast<unsigned long long>(w.access_count),
            mode_name(w.state));
    out.append("u").append(format_g(static_cast<float>(w.cpu.user)));
    out.append(" s").append(format_g(static_cast<float>(w.cpu.system)));
    out.append(" cu").append(format_g(static_cast<float>(w.cpu.child_user)));
    out.append(" cs").append(format_g(static_cast<float>(w.cpu.child_system)));
    appendf(out, "\n %lld %lld %lld(", static_cast<long long>(w.since_s), static_cast<long long>(w.request_ms),
            static_cast<long long>(w.duration_ms));
    out.append(format_bytes(w.conn_bytes)).append("|").append(format_bytes(w.my_bytes)).append("|");
    out.append(format_bytes(w.bytes)).append(")\n <i>");
    append_html(out, w.client);
    out += " {";
    append_logitem_html(out, w.request);
    out += "}</i> <i>(";
    append_html(out, protocol(w));
    out += ")</i> <b>[";
    append_html(out, w.vhost);
    out += "]</b><br />\n\n";
}

void workers(const Snapshot& s, bool notable, std::string& out) {
    if (notable) {
        out += "<hr /><h2>Server Details</h2>\n\n";
        for (const WorkerRow& w : s.workers) {
            worker_paragraph(w, out);
        }
        return;
    }
    out += "\n\n<table border=\"0\"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>"
           "<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th><th>Client</th>"
           "<th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n";
    for (const WorkerRow& w : s.workers) {
        worker_table_row(w, out);
    }
    out += "</table>\n <hr /> <table>\n"
           " <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n"
           " <tr><th>PID</th><td>OS process ID</td></tr>\n"
           " <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n"
           " <tr><th>M</th><td>Mode of operation</td></tr>\n"
           "<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n"
           "<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n"
           " <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n"
           " <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n"
           " <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n"
           " <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n"
           " <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n"
           " </table>\n";
}

}  // namespace

void render_html(const Snapshot& s, const PageInfo& page, std::string& out) {
    head(s, page, out);
    if (s.extended) {
        totals(s, out);
    }
    appendf(out, "<dt>%d requests currently being processed, %d workers gracefully restarting, %d idle workers</dt>\n",
            s.busy, s.graceful, s.idle);
    out += "</dl>";
    if (s.async) {
        process_table(s, out);
    }
    board(s, out);
    if (s.extended) {
        workers(s, page.notable, out);
    } else {
        pid_key(s, out);
        out += "<hr />To obtain a full report with current status information you need to use the "
               "<code>ExtendedStatus On</code> directive.\n";
    }
    out.append(page.signature);
    out += "</body></html>\n";
}

}  // namespace sonora::modules::generators::status
