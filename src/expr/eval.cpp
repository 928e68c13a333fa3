#include "expr/eval.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/strings.h"
#include "expr/functions.h"

namespace sonora::expr {

std::optional<std::string> Context::os_env(std::string_view name) {
    const char* v = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (v == nullptr) {
        return std::nullopt;
    }
    return std::string(v);
}

std::optional<FileInfo> Context::stat_file(std::string_view path, bool follow_symlinks) {
    struct stat st {};
    std::string p(path);
    int rc = follow_symlinks ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st);
    if (rc != 0) {
        return std::nullopt;
    }
    FileInfo info;
    if (S_ISREG(st.st_mode)) {
        info.type = FileInfo::Type::Regular;
    } else if (S_ISDIR(st.st_mode)) {
        info.type = FileInfo::Type::Directory;
    } else if (S_ISLNK(st.st_mode)) {
        info.type = FileInfo::Type::Symlink;
    } else {
        info.type = FileInfo::Type::Other;
    }
    info.size = static_cast<std::uint64_t>(st.st_size);
    info.executable = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
    return info;
}

std::optional<std::string> Context::read_file(std::string_view path) {
    // stdio rather than istreambuf_iterator: GCC 12 -O2 -Wnull-dereference
    // reports false positives inside <streambuf>.
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(std::string(path).c_str(), "rb"),
                                                       &std::fclose);
    if (!f) {
        return std::nullopt;
    }
    std::string out;
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        out.append(buf, n);
    }
    if (std::ferror(f.get()) != 0) {
        return std::nullopt;
    }
    return out;
}

void Context::report_error(std::string_view /*message*/) {}

bool is_true_string(std::string_view s) {
    return !(s.empty() || s == "0" || equals_nocase(s, "off") || equals_nocase(s, "false") ||
             equals_nocase(s, "no"));
}

namespace {

class Evaluator {
public:
    Evaluator(const Expr& expr, Context& ctx, Backrefs* refs)
        : expr_(expr), ctx_(ctx), refs_(refs != nullptr ? refs : &local_refs_) {}

    bool cond(NodeId id) {
        const Node& n = expr_.node(id);
        switch (n.kind) {
            case NodeKind::True: return true;
            case NodeKind::False: return false;
            case NodeKind::Not: return !cond(n.lhs);
            case NodeKind::And: return cond(n.lhs) && cond(n.rhs);
            case NodeKind::Or: return cond(n.lhs) || cond(n.rhs);
            case NodeKind::StrCmp: return str_compare(n);
            case NodeKind::IntCmp: return int_compare(n);
            case NodeKind::Unary: return unary(n);
            case NodeKind::Binary: return binary(n);
            case NodeKind::Match:
            case NodeKind::NoMatch: {
                std::string subject = word(n.lhs);
                Backrefs found;
                bool matched = expr_.regex(n.extra).match(subject, &found);
                if (matched) {
                    *refs_ = found;
                }
                return n.kind == NodeKind::Match ? matched : !matched;
            }
            case NodeKind::In: {
                std::string value = word(n.lhs);
                for (std::uint32_t i = 0; i < n.extra; ++i) {
                    if (word(expr_.list_item(n.rhs + i)) == value) {
                        return true;
                    }
                }
                return false;
            }
            default: return !word(id).empty();
        }
    }

    std::string word(NodeId id) {
        const Node& n = expr_.node(id);
        switch (n.kind) {
            case NodeKind::Literal: return n.text;
            case NodeKind::Concat: return word(n.lhs) + word(n.rhs);
            case NodeKind::Var: return variable(static_cast<Var>(n.op));
            case NodeKind::Func: return call(static_cast<Func>(n.op), word(n.lhs));
            case NodeKind::Backref: return refs_->set[n.op] ? refs_->group[n.op] : std::string();
            default: return cond(id) ? "true" : "false";
        }
    }

private:
    std::string variable(Var v) {
        std::string_view header = variable_header(v);
        if (!header.empty()) {
            return ctx_.request_header(header, true).value_or(std::string());
        }
        return ctx_.variable(v);
    }

    std::string call(Func f, const std::string& arg) {
        switch (f) {
            case Func::Req:
            case Func::Http: return ctx_.request_header(arg, true).value_or(std::string());
            case Func::ReqNovary: return ctx_.request_header(arg, false).value_or(std::string());
            case Func::Resp: return ctx_.response_header(arg).value_or(std::string());
            case Func::Reqenv: return ctx_.request_env(arg).value_or(std::string());
            case Func::Osenv: return ctx_.os_env(arg).value_or(std::string());
            case Func::Note: return ctx_.note(arg).value_or(std::string());
            case Func::Env: {
                if (auto v = ctx_.note(arg)) {
                    return *v;
                }
                if (auto v = ctx_.request_env(arg)) {
                    return *v;
                }
                return ctx_.os_env(arg).value_or(std::string());
            }
            case Func::Tolower: return fn_tolower(arg);
            case Func::Toupper: return fn_toupper(arg);
            case Func::Escape: return fn_escape(arg);
            case Func::Unescape: return fn_unescape(arg);
            case Func::Base64: return fn_base64(arg);
            case Func::Unbase64: return fn_unbase64(arg);
            case Func::Md5: return fn_md5(arg);
            case Func::Sha1: return fn_sha1(arg);
            case Func::Ldap: return fn_ldap(arg);
            case Func::File: {
                auto content = ctx_.read_file(arg);
                if (!content) {
                    ctx_.report_error("Unable to read file '" + arg + "'");
                    return std::string();
                }
                return *content;
            }
            case Func::Filesize: {
                auto info = ctx_.stat_file(arg, true);
                if (!info || info->type != FileInfo::Type::Regular) {
                    return "0";
                }
                return std::to_string(info->size);
            }
            case Func::kCount: break;
        }
        return std::string();
    }

    bool str_compare(const Node& n) {
        std::string a = word(n.lhs);
        std::string b = word(n.rhs);
        int c = a.compare(b);
        return compare_result(static_cast<CmpOp>(n.op), c);
    }

    static bool compare_result(CmpOp op, int c) {
        switch (op) {
            case CmpOp::Eq: return c == 0;
            case CmpOp::Ne: return c != 0;
            case CmpOp::Lt: return c < 0;
            case CmpOp::Le: return c <= 0;
            case CmpOp::Gt: return c > 0;
            case CmpOp::Ge: return c >= 0;
        }
        return false;
    }

    std::optional<long long> to_int(const std::string& s) {
        long long v = 0;
        const char* begin = s.data();
        const char* end = s.data() + s.size();
        if (begin != end && *begin == '+') {
            ++begin;
        }
        auto [p, ec] = std::from_chars(begin, end, v);
        if (s.empty() || ec != std::errc() || p != end) {
            ctx_.report_error("Not a valid integer: '" + s + "'");
            return std::nullopt;
        }
        return v;
    }

    bool int_compare(const Node& n) {
        auto a = to_int(word(n.lhs));
        auto b = to_int(word(n.rhs));
        if (!a || !b) {
            return false;
        }
        int c = *a < *b ? -1 : (*a > *b ? 1 : 0);
        return compare_result(static_cast<CmpOp>(n.op), c);
    }

    bool unary(const Node& n) {
        auto op = static_cast<UnaryOp>(n.op);
        if (op == UnaryOp::R) {
            return expr_.subnet(n.extra).contains(ctx_.variable(Var::RemoteAddr));
        }
        std::string arg = word(n.lhs);
        switch (op) {
            case UnaryOp::N: return !arg.empty();
            case UnaryOp::Z: return arg.empty();
            case UnaryOp::T: return is_true_string(arg);
            case UnaryOp::FileSub: return ctx_.subrequest_allowed(arg, false);
            case UnaryOp::UrlSub: return ctx_.subrequest_allowed(arg, true);
            case UnaryOp::L:
            case UnaryOp::H: {
                auto info = ctx_.stat_file(arg, false);
                return info && info->type == FileInfo::Type::Symlink;
            }
            default: break;
        }
        auto info = ctx_.stat_file(arg, true);
        if (!info) {
            return false;
        }
        switch (op) {
            case UnaryOp::D: return info->type == FileInfo::Type::Directory;
            case UnaryOp::E: return true;
            case UnaryOp::F: return info->type == FileInfo::Type::Regular;
            case UnaryOp::S: return info->type == FileInfo::Type::Regular && info->size > 0;
            case UnaryOp::X: return info->executable;
            default: return false;
        }
    }

    bool binary(const Node& n) {
        auto op = static_cast<NamedOp>(n.op);
        std::string lhs = word(n.lhs);
        if (op == NamedOp::IpMatch) {
            return expr_.subnet(n.extra).contains(lhs);
        }
        std::string pattern = word(n.rhs);
        int flags = 0;
        if (op == NamedOp::StrCMatch) {
            flags = FNM_CASEFOLD;
        } else if (op == NamedOp::FnMatch) {
            flags = FNM_PATHNAME;
        }
        return ::fnmatch(pattern.c_str(), lhs.c_str(), flags) == 0;
    }

    const Expr& expr_;
    Context& ctx_;
    Backrefs local_refs_;
    Backrefs* refs_;
};

}  // namespace

bool evaluate(const Expr& expr, Context& ctx, Backrefs* refs) {
    if (expr.root() == kNoNode) {
        return false;
    }
    Evaluator ev(expr, ctx, refs);
    return ev.cond(expr.root());
}

std::string evaluate_string(const Expr& expr, Context& ctx, Backrefs* refs) {
    if (expr.root() == kNoNode) {
        return std::string();
    }
    Evaluator ev(expr, ctx, refs);
    return ev.word(expr.root());
}

}  // namespace sonora::expr
