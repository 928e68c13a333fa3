// ?auto: one "Key: value" line each, for scripts. The keys, their order and
// which appear when (ExtendedStatus, a non-zero uptime or count, the event
// MPM) are Apache 2.4.71's, checked against it by tests/integration/status_test.cpp.

#include "modules/generators/mod_status_format.h"
#include "modules/generators/mod_status_render.h"

#include <cstdio>

namespace sonora::modules::generators::status {

namespace {

void line(std::string& out, std::string_view key, std::string_view value) {
    out.append(key).append(": ").append(value).append("\n");
}

void line(std::string& out, std::string_view key, std::uint64_t value) { line(out, key, std::to_string(value)); }

std::string two_decimals(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// httpd divides in float: the same inputs give the same digits here.
std::string ratio(float numerator, float denominator) { return format_g(numerator / denominator); }

void extended_lines(const Snapshot& s, std::string& out) {
    line(out, "Total Accesses", s.accesses);
    line(out, "Total kBytes", s.kbytes);
    line(out, "Total Duration", static_cast<std::uint64_t>(s.duration_ms));
    line(out, "CPUUser", format_g(static_cast<float>(s.cpu.user)));
    line(out, "CPUSystem", format_g(static_cast<float>(s.cpu.system)));
    line(out, "CPUChildrenUser", format_g(static_cast<float>(s.cpu.child_user)));
    line(out, "CPUChildrenSystem", format_g(static_cast<float>(s.cpu.child_system)));
    if (s.cpu.total() > 0 && s.uptime_s > 0) {
        line(out, "CPULoad", format_g(static_cast<float>(s.cpu.total()) / static_cast<float>(s.uptime_s) * 100.));
    }
    line(out, "Uptime", s.uptime_s);
    const float bytes = 1024 * static_cast<float>(s.kbytes);
    if (s.uptime_s > 0) {
        line(out, "ReqPerSec", ratio(static_cast<float>(s.accesses), static_cast<float>(s.uptime_s)));
        line(out, "BytesPerSec", ratio(bytes, static_cast<float>(s.uptime_s)));
    }
    if (s.accesses > 0) {
        line(out, "BytesPerReq", ratio(bytes, static_cast<float>(s.accesses)));
        line(out, "DurationPerReq", ratio(static_cast<float>(s.duration_ms), static_cast<float>(s.accesses)));
    }
}

void async_lines(const Snapshot& s, std::string& out) {
    std::uint64_t connections = 0;
    std::uint64_t writing = 0;
    std::uint64_t keep_alive = 0;
    std::uint64_t closing = 0;
    for (const ProcessRow& p : s.processes) {
        connections += p.connections;
        writing += p.writing;
        keep_alive += p.keep_alive;
        closing += p.closing;
    }
    line(out, "Processes", s.processes.size());
    line(out, "Stopping", static_cast<std::uint64_t>(s.stopping));
    line(out, "ConnsTotal", connections);
    line(out, "ConnsAsyncWaitIO", std::uint64_t{0});  // no TLS handshakes waiting on I/O
    line(out, "ConnsAsyncWriting", writing);
    line(out, "ConnsAsyncKeepAlive", keep_alive);
    line(out, "ConnsAsyncClosing", closing);
}

}  // namespace

void render_auto(const Snapshot& s, const PageInfo& page, std::string& out) {
    out.append(page.host).append("\n");
    line(out, "ServerVersion", page.version);
    line(out, "ServerMPM", s.mpm);
    line(out, "Server Built", page.built);
    line(out, "CurrentTime", format_time(s.now_us));
    line(out, "RestartTime", format_time(s.restart_us));
    line(out, "ParentServerConfigGeneration", s.config_generation);
    line(out, "ParentServerMPMGeneration", s.mpm_generation);
    line(out, "ServerUptimeSeconds", s.uptime_s);
    out.append("ServerUptime:").append(format_uptime(s.uptime_s)).append("\n");
    line(out, "Load1", two_decimals(s.load[0]));
    line(out, "Load5", two_decimals(s.load[1]));
    line(out, "Load15", two_decimals(s.load[2]));
    if (s.extended) {
        extended_lines(s, out);
    }
    line(out, "BusyWorkers", static_cast<std::uint64_t>(s.busy));
    line(out, "GracefulWorkers", static_cast<std::uint64_t>(s.graceful));
    line(out, "IdleWorkers", static_cast<std::uint64_t>(s.idle));
    if (s.async) {
        async_lines(s, out);
    }
    line(out, "Scoreboard", s.board);
}

}  // namespace sonora::modules::generators::status
