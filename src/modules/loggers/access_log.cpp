// mod_log_config at run time: opening the logs at startup and writing one
// line per request and per log from the log_transaction hook.
//
// The hook gathers a LogRecord from the request (and the connection it came
// on), checks each log's condition and renders the line into a per-thread
// buffer that keeps its capacity, so a warm request allocates nothing here.

#include "config/generation.h"
#include "core/strings.h"
#include "expr/eval.h"
#include "expr/request_context.h"
#include "logs/log_writer.h"
#include "modules/loggers/log_record.h"
#include "modules/loggers/log_render.h"
#include "modules/loggers/mod_log_config.h"

#include <sonora/hooks.h>

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace sonora::modules::loggers {

namespace {

std::int64_t wall_clock_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

std::string_view protocol_name(int version) {
    switch (version) {
        case 10: return "HTTP/1.0";
        case 9: return "HTTP/0.9";
        default: return "HTTP/1.1";
    }
}

// httpd names a server without ServerName after the machine.
std::string_view machine_name() {
    static const std::string name = [] {
        char buf[256] = {};
        if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
            return std::string("localhost");
        }
        return std::string(buf);
    }();
    return name;
}

void fill_record(const request::Request& r, LogRecord& rec) {
    rec.r = &r;
    rec.request_line = r.the_request;
    rec.final_uri = r.uri;
    rec.original_uri = r.redirected ? r.original_uri : std::string_view(r.uri);
    rec.final_status = r.status;
    rec.original_status = r.redirected ? r.original_status : r.status;
    rec.original_handler = r.redirected ? r.original_handler : std::string_view(r.handler);
    rec.method = r.method_name;
    rec.protocol = protocol_name(r.version);
    rec.query = r.query;
    rec.has_query = r.query.data() != nullptr;
    rec.client_ip = r.client_ip;
    rec.peer_ip = r.client_ip;
    rec.remote_host = r.client_ip;
    if (const request::ConnectionInfo* c = r.connection) {
        rec.remote_port = c->client_port;
        rec.local_ip = c->local_ip;
        rec.local_port = c->local_port;
        if (r.lookups_wanted && !c->remote_host.empty()) {
            rec.remote_host = c->remote_host;
        }
    } else {
        rec.local_port = r.local_port;
    }
    // UseCanonicalName Off: the port the client named, else the scheme's.
    rec.canonical_port = r.host_port != 0 ? r.host_port : 80;
    rec.keepalives = r.keepalives;
    rec.has_user = r.user.has_value();
    rec.user = r.user.value_or(std::string_view());
    rec.conn_status = r.keep_alive ? '+' : '-';
    rec.server_name = r.server_host();  // UseCanonicalName's, as core noted it
    rec.virtual_host = !r.server_name.empty() ? r.server_name : machine_name();
    rec.bytes_sent = r.bytes_sent;
    rec.bytes_in = r.bytes_in;
    rec.bytes_out = r.bytes_out;
    rec.start_us = r.time_us;
    rec.end_us = wall_clock_us();
    static const long pid = static_cast<long>(::getpid());
    thread_local const long tid = static_cast<long>(::syscall(SYS_gettid));
    rec.pid = pid;
    rec.tid = tid;
    rec.env = [](const void* ctx, std::string_view name, bool& found) -> std::string_view {
        auto v = static_cast<const request::Request*>(ctx)->env_get(name);
        found = v.has_value();
        return v.value_or(std::string_view());
    };
    rec.env_ctx = &r;
    rec.notes = [](const void* ctx, std::string_view name, bool& found) -> std::string_view {
        auto v = request::find_header(static_cast<const request::Request*>(ctx)->notes, name);
        found = v.has_value();
        return v.value_or(std::string_view());
    };
    rec.notes_ctx = &r;
}

bool condition_holds(const LogCondition& c, const request::Request& r) {
    switch (c.kind) {
        case LogCondition::Kind::Always: return true;
        case LogCondition::Kind::Env: {
            bool set = r.env_get(c.env_var).has_value();
            return c.negate ? !set : set;
        }
        case LogCondition::Kind::Expr: {
            expr::RequestContext ctx(r, expr::RequestContext::DontVary{});
            return expr::evaluate(*c.expr, ctx);
        }
    }
    return true;
}

int log_transaction(request::Request& r, Services&) {
    if (r.server == nullptr) {
        return kDeclined;
    }
    const auto* conf = r.server->module_config.get<LogConfigServer>(log_config_module.index);
    if (conf == nullptr || conf->opened.empty()) {
        return kDeclined;
    }
    LogRecord rec;
    fill_record(r, rec);
    const std::int64_t now_ms = rec.end_us / 1000;
    thread_local std::string line;
    for (const OpenedLog& log : conf->opened) {
        if (log.condition != nullptr && !condition_holds(*log.condition, r)) {
            continue;
        }
        line.clear();
        render_log_line(log.format, rec, line);
        log.writer->write(line, now_ms);
    }
    return kOk;
}

}  // namespace

void log_config_register_hooks(HookRegistry& hooks) { hooks.add(Phase::LogTransaction, log_transaction); }

std::optional<std::string> open_access_logs(config::Generation& gen) {
    const auto& main_conf = gen.main_conf<LogConfigServer>(log_config_module);
    const bool buffered = main_conf.buffered_logs.value_or(false);
    auto open_for = [&](Server& server) -> std::optional<std::string> {
        auto* conf = server.module_config.get_mutable<LogConfigServer>(log_config_module.index);
        if (conf == nullptr) {
            return std::nullopt;
        }
        conf->opened.clear();
        for (const LogTarget* t : conf->effective_logs()) {
            std::string error;
            logs::LogWriter* w = logs::access_log_writers().open(t->target, t->path, buffered, error);
            if (w == nullptr) {
                return error;
            }
            OpenedLog opened;
            opened.writer = w;
            opened.format = t->format ? conf->resolve(*t->format) : conf->default_log_format();
            opened.condition = t->condition.kind == LogCondition::Kind::Always ? nullptr : &t->condition;
            conf->opened.push_back(std::move(opened));
        }
        return std::nullopt;
    };
    if (auto err = open_for(gen.main)) {
        return err;
    }
    for (auto& vhost : gen.vhosts) {
        if (auto err = open_for(*vhost)) {
            return err;
        }
    }
    return std::nullopt;
}

}  // namespace sonora::modules::loggers
