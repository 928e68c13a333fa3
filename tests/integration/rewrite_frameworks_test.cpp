// mod_rewrite under the stock .htaccess of four PHP frameworks (WordPress,
// Drupal 11, Laravel, Joomla), files in tests/integration/rewrite_frameworks/.
// Each site is a small tree in a temp dir: existing files and directories,
// and its PHP entry points as /bin/sh CGI scripts (AddHandler cgi-script
// .php) that print which script ran and what the rewrite left in its
// environment (SCRIPT_NAME, PATH_INFO, QUERY_STRING, REQUEST_URI, the
// REDIRECT_ variables, HTTP_AUTHORIZATION set with the E= flag ...).
//
// Every table below was recorded from Apache 2.4.71 (Debian, event MPM) and
// is asserted as written: against Apache when it is installed (so the tables
// stay true), and against Sonora, which must give the same status, Location,
// body and listed headers for every URL.
//
//   SONORA_TEST_APACHE_ONLY=1   checks the tables against Apache only (for
//                               work on the tables before Sonora has mod_rewrite)
//   SONORA_REWRITE_RECORD=1     prints what each server answered, as table rows

#include "support/answer_table.h"
#include "support/process.h"
#include "support/server.h"
#include "support/twin.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace sonora::test {
namespace {

const std::string kModules = "/usr/lib/apache2/modules/";
const std::string kData = SONORA_SOURCE_DIR "/tests/integration/rewrite_frameworks/";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
    return s;
}

const std::string kBasic = "Authorization: Basic dXNlcjpwYXNz\r\n";
const std::string kBearer = "Authorization: Bearer tok3n\r\n";
const std::string kGzip = "Accept-Encoding: gzip, deflate\r\n";
const std::string kXsrf = "X-XSRF-TOKEN: abc123\r\n";

// One request and what both servers must answer. `body` is compared for 200
// answers only (error pages are not the point here); `head` lists header
// lines ("Name: value") that must be in the answer, and a watched header
// (kWatched: Vary, Content-Encoding ...) not listed must be absent.
using Case = AnswerCase;

// A front controller or other PHP entry point: a shell CGI script that says
// which file it is and prints the variables the rewrite shapes.
std::string script(const std::string& label) {
    return "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\necho 'script=" + label +
           "'\n"
           "for v in REQUEST_METHOD SCRIPT_NAME PATH_INFO QUERY_STRING REQUEST_URI REDIRECT_URL "
           "REDIRECT_QUERY_STRING REDIRECT_STATUS HTTP_AUTHORIZATION REDIRECT_HTTP_AUTHORIZATION "
           "HTTP_X_XSRF_TOKEN REDIRECT_HTTP_X_XSRF_TOKEN protossl REDIRECT_protossl; do\n"
           "  eval \"isset=\\${$v+1}\"\n"
           "  if [ -n \"$isset\" ]; then eval \"val=\\$$v\"; printf '%s=%s\\n' \"$v\" \"$val\"; fi\n"
           "done\n";
}

class FrameworkSite {
public:
    // `options`: the Options of the DocumentRoot's <Directory>.
    explicit FrameworkSite(const std::string& options = "FollowSymLinks ExecCGI")
        : site_("LoadModule rewrite_module " + kModules + "mod_rewrite.so\n"
                "LoadModule cgi_module " + kModules + "mod_cgi.so\n"
                "LoadModule alias_module " + kModules + "mod_alias.so\n"
                "LoadModule headers_module " + kModules + "mod_headers.so\n"
                "LoadModule expires_module " + kModules + "mod_expires.so\n"
                "LoadModule negotiation_module " + kModules + "mod_negotiation.so\n"
                "LoadModule autoindex_module " + kModules + "mod_autoindex.so\n") {
        // A PHP host's usual settings: .htaccess allowed, .php handled (here
        // by mod_cgi), index.php as the directory index, .ht* files denied.
        site_.append_config("DirectoryIndex index.php index.html\n"
                            "<Directory " + site_.root().str() + "/htdocs>\n"
                            "AllowOverride All\nOptions " + options + "\nRequire all granted\n"
                            "AddHandler cgi-script .php\n</Directory>\n"
                            "<FilesMatch \"^\\.ht\">\nRequire all denied\n</FilesMatch>\n");
    }

    TwinSite& twin() { return site_; }
    void file(const std::string& relative, const std::string& content) const { site_.write_doc(relative, content); }
    void php(const std::string& relative) const {
        ::chmod(site_.write_doc(relative, script(relative)).c_str(), 0755);
    }
    void dir(const std::string& relative) const { site_.root().mkdir("htdocs/" + relative); }
    // The framework's .htaccess from the data directory, placed in `dir`
    // ("" for the DocumentRoot), with `home` for WordPress's @HOME@.
    void htaccess(const std::string& name, const std::string& dir, const std::string& home = "/") const {
        const std::string text = read_file(kData + name);
        EXPECT_FALSE(text.empty()) << kData + name;
        file((dir.empty() ? "" : dir + "/") + ".htaccess", replace_all(text, "@HOME@", home));
    }

private:
    TwinSite site_;
};

std::string raw_request(const Case& c) {
    const std::size_t space = c.request.find(' ');
    std::string method = c.request.substr(0, space);
    std::string head = c.request + " HTTP/1.1\r\nHost: localhost\r\n" + c.headers;
    if (method == "POST") {
        return head + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n"
                      "Connection: close\r\n\r\na=1";
    }
    return head + "Connection: close\r\n\r\n";
}

// Headers a case lists when they are sent, so that one not listed must be absent.
// Vary: mod_rewrite adds the name of a %{HTTP:...} header its conditions read
// (spelled as in the condition) when the rule applies; httpd sends one Vary
// with each token once (compared without case), whatever added it: the
// RewriteCond's "Accept-encoding" and a "Header append Vary Accept-Encoding"
// give one token, and so does Laravel's Authorization condition, which holds
// on the first pass and again on the second (the internal redirect).
const char* const kWatched[] = {"Vary", "Content-Encoding", "Content-Security-Policy", "X-Content-Type-Options",
                                "Cache-Control"};

std::string request_headers_name(const std::string& headers) {
    if (headers.empty()) return "\"\"";
    if (headers == kBasic) return "kBasic";
    if (headers == kBearer) return "kBearer";
    if (headers == kGzip) return "kGzip";
    if (headers == kXsrf) return "kXsrf";
    return cxx_quote(headers);
}

// A Location with the run's port spelled PORT.
std::string port_masked(const std::string& location, int port) {
    return replace_all(location, ":" + std::to_string(port) + "/", ":PORT/");
}

// Sends every case to `which` (one server run, a connection per request) and
// checks the answers against the table.
void check_table(FrameworkSite& site, const std::string& which, const std::vector<Case>& cases) {
    std::vector<std::string> requests;
    for (const Case& c : cases) {
        requests.push_back(raw_request(c));
    }
    const int port = site.twin().port();
    const AnswerTable table{kWatched, [port](const std::string& s) { return port_masked(s, port); }, {},
                            request_headers_name};
    check_answers(which, cases, site.twin().exchange(which, requests), table);
    if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << which << "'s error_log:\n" << site.twin().read_log(which, "error_log");
    }
}

// The table holds for Apache (when installed) and for Sonora.
void check_both(FrameworkSite& site, const std::vector<Case>& cases) {
    if (apache_available()) {
        check_table(site, "apache", cases);
    }
    if (!env_set("SONORA_TEST_APACHE_ONLY")) {
        check_table(site, "sonora", cases);
    }
}

// ---------------------------------------------------------------- WordPress

// WordPress installed four directories down: DocumentRoot/a/b/c/blog/ with
// RewriteBase /a/b/c/blog/ (as WordPress writes it for that home URL).
void wordpress_tree(const FrameworkSite& s, const std::string& dir) {
    const std::string p = dir.empty() ? "" : dir + "/";
    s.php(p + "index.php");
    s.php(p + "wp-login.php");
    s.php(p + "wp-admin/index.php");
    s.file(p + "readme.html", "WordPress readme\n");
    s.file(p + "wp-content/themes/twentytwentyfour/style.css", "body{}\n");
    s.file(p + "wp-content/uploads/2024/05/photo.jpg", "JPEG\n");
    s.file(p + "wp-includes/js/jquery/jquery.min.js", "jquery\n");
    s.dir(p + "wp-content/plugins");
}

TEST(RewriteFrameworks, WordPressFourLevelsDeep) {
    FrameworkSite s;
    wordpress_tree(s, "a/b/c/blog");
    s.htaccess("wordpress.htaccess", "a/b/c/blog", "/a/b/c/blog/");
    s.file("a/b/c/sibling.txt", "outside the blog\n");
    const std::vector<Case> cases = {
        {"the blog's front page (its directory: DirectoryIndex)", "GET /a/b/c/blog/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a date permalink goes to index.php", "GET /a/b/c/blog/2024/05/hello-world/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/2024/05/hello-world/\nREDIRECT_URL=/a/b/c/blog/2024/05/hello-world/\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a permalink keeps its query string", "GET /a/b/c/blog/hello-world/?replytocom=5", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\n"
         "QUERY_STRING=replytocom=5\nREQUEST_URI=/a/b/c/blog/hello-world/?replytocom=5\n"
         "REDIRECT_URL=/a/b/c/blog/hello-world/\nREDIRECT_QUERY_STRING=replytocom=5\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a page without the trailing slash", "GET /a/b/c/blog/sample-page", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/sample-page\nREDIRECT_URL=/a/b/c/blog/sample-page\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"the front page with a query (?p=123)", "GET /a/b/c/blog/?p=123", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=p=123\n"
         "REQUEST_URI=/a/b/c/blog/?p=123\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"index.php itself: ^index\\.php$ - [L]", "GET /a/b/c/blog/index.php", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/index.php\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"index.php with path info is a file: not rewritten",
         "GET /a/b/c/blog/index.php/2024/05/hello-world/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\n"
         "PATH_INFO=/2024/05/hello-world/\nQUERY_STRING=\nREQUEST_URI=/a/b/c/blog/index.php/2024/05/hello-world/\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an existing script runs itself", "GET /a/b/c/blog/wp-login.php?action=lostpassword", "", 200, "",
         "script=a/b/c/blog/wp-login.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/wp-login.php\n"
         "QUERY_STRING=action=lostpassword\nREQUEST_URI=/a/b/c/blog/wp-login.php?action=lostpassword\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an existing stylesheet", "GET /a/b/c/blog/wp-content/themes/twentytwentyfour/style.css", "", 200, "",
         "body{}\n",
         {"Content-Type: text/css"}},
        {"an existing upload", "GET /a/b/c/blog/wp-content/uploads/2024/05/photo.jpg", "", 200, "",
         "JPEG\n",
         {"Content-Type: image/jpeg"}},
        {"a missing upload goes to index.php", "GET /a/b/c/blog/wp-content/uploads/2024/05/missing.jpg", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/wp-content/uploads/2024/05/missing.jpg\n"
         "REDIRECT_URL=/a/b/c/blog/wp-content/uploads/2024/05/missing.jpg\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\n"
         "REDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an existing directory with an index", "GET /a/b/c/blog/wp-admin/", "", 200, "",
         "script=a/b/c/blog/wp-admin/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/wp-admin/index.php\n"
         "QUERY_STRING=\nREQUEST_URI=/a/b/c/blog/wp-admin/\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an existing directory without its slash: mod_dir's 301",
         "GET /a/b/c/blog/wp-admin", "", 301, "http://localhost/a/b/c/blog/wp-admin/",
         "",
         {}},
        {"an existing directory without an index: 403 (no Indexes)",
         "GET /a/b/c/blog/wp-content/plugins/", "", 403, "",
         "",
         {}},
        {"Authorization reaches index.php (E=HTTP_AUTHORIZATION)",
         "GET /a/b/c/blog/wp-json/wp/v2/users/me", kBasic, 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/wp-json/wp/v2/users/me\nREDIRECT_URL=/a/b/c/blog/wp-json/wp/v2/users/me\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n"
         "REDIRECT_HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n",
         {"Content-Type: text/plain"}},
        {"Authorization reaches an existing script too", "GET /a/b/c/blog/wp-login.php", kBearer, 200, "",
         "script=a/b/c/blog/wp-login.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/wp-login.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/wp-login.php\nHTTP_AUTHORIZATION=Bearer tok3n\n",
         {"Content-Type: text/plain"}},
        {"a REST route with a query", "GET /a/b/c/blog/wp-json/wp/v2/posts?per_page=2&_embed", kBearer, 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\n"
         "QUERY_STRING=per_page=2&_embed\nREQUEST_URI=/a/b/c/blog/wp-json/wp/v2/posts?per_page=2&_embed\n"
         "REDIRECT_URL=/a/b/c/blog/wp-json/wp/v2/posts\nREDIRECT_QUERY_STRING=per_page=2&_embed\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=Bearer tok3n\nREDIRECT_HTTP_AUTHORIZATION=Bearer tok3n\n",
         {"Content-Type: text/plain"}},
        {"a POST to a route", "POST /a/b/c/blog/wp-json/wp/v2/comments", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=POST\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/wp-json/wp/v2/comments\nREDIRECT_URL=/a/b/c/blog/wp-json/wp/v2/comments\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an encoded permalink", "GET /a/b/c/blog/caf%C3%A9/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/caf%C3%A9/\nREDIRECT_URL=/a/b/c/blog/café/\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an encoded space", "GET /a/b/c/blog/tag/a%20b/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/tag/a%20b/\nREDIRECT_URL=/a/b/c/blog/tag/a b/\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a HEAD of a permalink", "HEAD /a/b/c/blog/about/", "", 200, "",
         "",
         {"Content-Type: text/plain"}},
        {"the .htaccess itself is denied", "GET /a/b/c/blog/.htaccess", "", 403, "",
         "",
         {}},
        {"outside the blog: no rules, 404", "GET /a/b/c/missing", "", 404, "",
         "",
         {}},
        {"a file beside the blog", "GET /a/b/c/sibling.txt", "", 200, "",
         "outside the blog\n",
         {"Content-Type: text/plain"}},
    };
    check_both(s, cases);
}

// At the DocumentRoot, with the static-file rule wordpress-develop adds at
// 6.8 ([END,NC] for missing images, styles and scripts) before the stock rules.
TEST(RewriteFrameworks, WordPressAtTheRootWithStaticFileRule) {
    FrameworkSite s;
    wordpress_tree(s, "");
    s.htaccess("wordpress.htaccess", "");
    const std::string stock = read_file(s.twin().root().str() + "/htdocs/.htaccess");
    s.file(".htaccess", replace_all(stock, "RewriteRule ^index\\.php$ - [L]\n",
                                    "RewriteRule ([^.]+\\.(jpe?g|gif|bmp|png|css|js|webp|svg|ico))$ - [END,NC]\n"
                                    "RewriteRule ^index\\.php$ - [L]\n"));
    const std::vector<Case> cases = {
        {"the front page", "GET /", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a permalink", "GET /2024/05/hello-world/", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/2024/05/hello-world/\nREDIRECT_URL=/2024/05/hello-world/\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a search", "GET /?s=term", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=s=term\nREQUEST_URI=/?s=term\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a paged category", "GET /category/news/page/2/", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/category/news/page/2/\nREDIRECT_URL=/category/news/page/2/\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"index.php itself", "GET /index.php", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/index.php\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an existing stylesheet", "GET /wp-content/themes/twentytwentyfour/style.css", "", 200, "",
         "body{}\n",
         {"Content-Type: text/css"}},
        {"a missing image ends at [END,NC]: 404", "GET /wp-content/uploads/missing.png", "", 404, "",
         "",
         {}},
        {"the same in upper case ([NC])", "GET /wp-content/uploads/MISSING.JPG", "", 404, "",
         "",
         {}},
        {"a missing script ends too", "GET /wp-includes/js/missing.js", "", 404, "",
         "",
         {}},
        {"a missing .html is a route", "GET /old-page.html", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/old-page.html\n"
         "REDIRECT_URL=/old-page.html\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"the admin directory", "GET /wp-admin/", "", 200, "",
         "script=wp-admin/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/wp-admin/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/wp-admin/\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"Authorization reaches index.php", "GET /wp-json/", kBasic, 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/wp-json/\n"
         "REDIRECT_URL=/wp-json/\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n"
         "REDIRECT_HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n",
         {"Content-Type: text/plain"}},
    };
    check_both(s, cases);
}

// A subdirectory multisite network, four levels down as well: sub-sites
// share one WordPress (their wp-admin, wp-content and .php URLs map to the
// network's files with $2), [OR] conditions and a rewrite to the same URL
// on the second pass.
TEST(RewriteFrameworks, WordPressMultisiteSubdirectories) {
    FrameworkSite s;
    wordpress_tree(s, "a/b/c/net");
    s.php("a/b/c/net/wp-admin/options-general.php");
    s.htaccess("wordpress-multisite.htaccess", "a/b/c/net", "/a/b/c/net/");
    const std::vector<Case> cases = {
        {"the network's main site (its directory)", "GET /a/b/c/net/", "", 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a sub-site's front page", "GET /a/b/c/net/site2/", "", 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/site2/\nREDIRECT_URL=/a/b/c/net/site2/\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\n"
         "REDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a sub-site's permalink", "GET /a/b/c/net/site2/2024/05/post/?preview=true", "", 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\n"
         "QUERY_STRING=preview=true\nREQUEST_URI=/a/b/c/net/site2/2024/05/post/?preview=true\n"
         "REDIRECT_URL=/a/b/c/net/site2/2024/05/post/\nREDIRECT_QUERY_STRING=preview=true\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"wp-admin without its slash: the rule's 301",
         "GET /a/b/c/net/wp-admin", "", 301, "http://localhost/a/b/c/net/wp-admin/",
         "",
         {}},
        {"a sub-site's wp-admin without its slash: 301 with $1",
         "GET /a/b/c/net/site2/wp-admin", "", 301, "http://localhost/a/b/c/net/site2/wp-admin/",
         "",
         {}},
        {"a sub-site's wp-admin/ goes to the shared wp-admin ($2)", "GET /a/b/c/net/site2/wp-admin/", "", 200, "",
         "script=a/b/c/net/wp-admin/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/wp-admin/index.php\n"
         "QUERY_STRING=\nREQUEST_URI=/a/b/c/net/site2/wp-admin/\nREDIRECT_URL=/a/b/c/net/site2/wp-admin/\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a sub-site's admin script", "GET /a/b/c/net/site2/wp-admin/options-general.php?page=x", "", 200, "",
         "script=a/b/c/net/wp-admin/options-general.php\nREQUEST_METHOD=GET\n"
         "SCRIPT_NAME=/a/b/c/net/wp-admin/options-general.php\nQUERY_STRING=page=x\n"
         "REQUEST_URI=/a/b/c/net/site2/wp-admin/options-general.php?page=x\n"
         "REDIRECT_URL=/a/b/c/net/site2/wp-admin/options-general.php\nREDIRECT_QUERY_STRING=page=x\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a sub-site's theme file", "GET /a/b/c/net/site2/wp-content/themes/twentytwentyfour/style.css", "", 200, "",
         "body{}\n",
         {"Content-Type: text/css"}},
        {"a sub-site's wp-login.php ((.*\\.php)$ rule)", "GET /a/b/c/net/site2/wp-login.php", "", 200, "",
         "script=a/b/c/net/wp-login.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/wp-login.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/site2/wp-login.php\nREDIRECT_URL=/a/b/c/net/site2/wp-login.php\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"a missing .php rewritten to itself on the second pass: 404",
         "GET /a/b/c/net/site2/xmlrpc.php?rsd", "", 404, "",
         "",
         {}},
        {"a missing wp-includes file rewritten to itself: 404",
         "GET /a/b/c/net/site2/wp-includes/js/missing.js", "", 404, "",
         "",
         {}},
        {"the main site's existing file", "GET /a/b/c/net/wp-includes/js/jquery/jquery.min.js", "", 200, "",
         "jquery\n",
         {"Content-Type: text/javascript"}},
        {"index.php itself", "GET /a/b/c/net/index.php", "", 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/index.php\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"an old ms-files URL is a route (no ms_files_rewriting)",
         "GET /a/b/c/net/site2/files/2024/05/photo.jpg", "", 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/site2/files/2024/05/photo.jpg\n"
         "REDIRECT_URL=/a/b/c/net/site2/files/2024/05/photo.jpg\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\n"
         "REDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"Authorization reaches a sub-site's route", "GET /a/b/c/net/site2/wp-json/wp/v2/posts", kBasic, 200, "",
         "script=a/b/c/net/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/net/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/net/site2/wp-json/wp/v2/posts\nREDIRECT_URL=/a/b/c/net/site2/wp-json/wp/v2/posts\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n"
         "REDIRECT_HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n",
         {"Content-Type: text/plain"}},
    };
    check_both(s, cases);
}

// Per-directory rewriting needs FollowSymLinks or SymLinksIfOwnerMatch: with
// neither, httpd refuses every request the rules see (AH00670); with
// SymLinksIfOwnerMatch, as many shared hosts set it, the rules work.
TEST(RewriteFrameworks, WordPressWithoutFollowSymLinks) {
    FrameworkSite s("ExecCGI");
    wordpress_tree(s, "a/b/c/blog");
    s.htaccess("wordpress.htaccess", "a/b/c/blog", "/a/b/c/blog/");
    const std::vector<Case> cases = {
        {"a permalink", "GET /a/b/c/blog/2024/05/hello-world/", "", 403, "",
         "",
         {}},
        {"index.php itself", "GET /a/b/c/blog/index.php", "", 403, "",
         "",
         {}},
        {"an existing file", "GET /a/b/c/blog/readme.html", "", 403, "",
         "",
         {}},
        {"the blog's directory", "GET /a/b/c/blog/", "", 403, "",
         "",
         {}},
    };
    check_both(s, cases);
    const std::string why = "00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule "
                            "directive is also forbidden";
    if (apache_available()) {
        EXPECT_NE(s.twin().read_log("apache", "error_log").find("AH" + why), std::string::npos);
    }
    if (!env_set("SONORA_TEST_APACHE_ONLY")) {
        EXPECT_NE(s.twin().read_log("sonora", "error_log").find("SN" + why), std::string::npos)
            << s.twin().read_log("sonora", "error_log");
    }
}

TEST(RewriteFrameworks, WordPressUnderSymLinksIfOwnerMatch) {
    FrameworkSite s("SymLinksIfOwnerMatch ExecCGI");
    wordpress_tree(s, "a/b/c/blog");
    s.htaccess("wordpress.htaccess", "a/b/c/blog", "/a/b/c/blog/");
    const std::vector<Case> cases = {
        {"a permalink", "GET /a/b/c/blog/2024/05/hello-world/", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/2024/05/hello-world/\nREDIRECT_URL=/a/b/c/blog/2024/05/hello-world/\n"
         "REDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
        {"index.php itself", "GET /a/b/c/blog/index.php", "", 200, "",
         "script=a/b/c/blog/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/a/b/c/blog/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/a/b/c/blog/index.php\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain"}},
    };
    check_both(s, cases);
}

// ------------------------------------------------------------------ Drupal

TEST(RewriteFrameworks, Drupal11) {
    FrameworkSite s;
    s.htaccess("drupal11.htaccess", "");
    s.php("index.php");
    s.php("autoload.php");
    s.php("core/install.php");
    s.php("core/rebuild.php");
    s.php("core/authorize.php");
    s.php("modules/custom/hello/hello.php");
    s.file("core/misc/drupal.js", "drupal.js\n");
    s.file("core/modules/system/system.module", "<?php module\n");
    s.file("composer.json", "{}\n");
    s.file(".git/config", "[core]\n");
    s.file("sites/default/files/.hidden/secret.txt", "secret\n");
    s.file(".well-known/security.txt", "Contact: x\n");
    s.file("sites/default/files/css/css_AbC-12_x.css", "aggregated css\n");
    s.file("sites/default/files/css/css_AbC-12_x.css.gz", "GZIPPED-CSS\n");
    s.file("sites/default/files/js/js_Zz9.js", "aggregated js\n");
    s.file("sites/default/files/js/js_Zz9.js.gz", "GZIPPED-JS\n");
    s.file("sites/default/files/photo.webp", "RIFFWEBP\n");
    s.file("robots.txt", "User-agent: *\n");
    const std::vector<Case> cases = {
        {"the front page (DirectoryIndex index.php)", "GET /", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/\n"
         "HTTP_AUTHORIZATION=\nprotossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"a node route", "GET /node/1", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/node/1\n"
         "REDIRECT_URL=/node/1\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\nprotossl=\n"
         "REDIRECT_protossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"a route with a query", "GET /node/1/edit?destination=/admin/content", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=destination=/admin/content\n"
         "REQUEST_URI=/node/1/edit?destination=/admin/content\nREDIRECT_URL=/node/1/edit\n"
         "REDIRECT_QUERY_STRING=destination=/admin/content\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\n"
         "REDIRECT_HTTP_AUTHORIZATION=\nprotossl=\nREDIRECT_protossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"index.php with path info", "GET /index.php/node/1", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nPATH_INFO=/node/1\nQUERY_STRING=\n"
         "REQUEST_URI=/index.php/node/1\nHTTP_AUTHORIZATION=\nprotossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"a core file", "GET /core/misc/drupal.js", "", 200, "",
         "drupal.js\n",
         {"Content-Type: text/javascript", "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"robots.txt (X-Content-Type-Options always set)", "GET /robots.txt", "", 200, "",
         "User-agent: *\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"/install.php moves to /core/install.php (301, QSA)",
         "GET /install.php?langcode=en", "", 301, "http://localhost/core/install.php?langcode=en",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"/rebuild.php moves to /core/rebuild.php", "GET /rebuild.php", "", 301, "http://localhost/core/rebuild.php",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"core/install.php gets rewrite=ok", "GET /core/install.php?langcode=en", "", 200, "",
         "script=core/install.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/core/install.php\n"
         "QUERY_STRING=rewrite=ok&langcode=en\nREQUEST_URI=/core/install.php?langcode=en\nHTTP_AUTHORIZATION=\n"
         "protossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"another core script runs", "GET /core/authorize.php", "", 200, "",
         "script=core/authorize.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/core/authorize.php\nQUERY_STRING=\n"
         "REQUEST_URI=/core/authorize.php\nHTTP_AUTHORIZATION=\nprotossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"a module's own PHP file is refused", "GET /modules/custom/hello/hello.php", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"autoload.php is refused", "GET /autoload.php", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a .git directory is refused", "GET /.git/config", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a hidden directory below is refused", "GET /sites/default/files/.hidden/secret.txt", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"/.well-known/ is allowed", "GET /.well-known/security.txt", "", 200, "",
         "Contact: x\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"composer.json is denied by FilesMatch", "GET /composer.json", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a .module file is denied by FilesMatch", "GET /core/modules/system/system.module", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a missing favicon.ico is not routed", "GET /favicon.ico", "", 404, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a missing image is routed", "GET /sites/default/files/styles/thumb/missing.png", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/sites/default/files/styles/thumb/missing.png\n"
         "REDIRECT_URL=/sites/default/files/styles/thumb/missing.png\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=\n"
         "REDIRECT_HTTP_AUTHORIZATION=\nprotossl=\nREDIRECT_protossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an aggregated CSS file, gzip accepted: the .gz",
         "GET /sites/default/files/css/css_AbC-12_x.css", kGzip, 200, "",
         "GZIPPED-CSS\n",
         {"Content-Type: text/css", "Vary: Accept-encoding", "Content-Encoding: gzip",
          "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"the same without gzip", "GET /sites/default/files/css/css_AbC-12_x.css", "", 200, "",
         "aggregated css\n",
         {"Content-Type: text/css", "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"an aggregated JS file, gzip accepted", "GET /sites/default/files/js/js_Zz9.js?v=1", kGzip, 200, "",
         "GZIPPED-JS\n",
         {"Content-Type: text/javascript", "Vary: Accept-encoding", "Content-Encoding: gzip",
          "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"webp type", "GET /sites/default/files/photo.webp", "", 200, "",
         "RIFFWEBP\n",
         {"Content-Type: image/webp", "X-Content-Type-Options: nosniff", "Cache-Control: max-age=31536000"}},
        {"Authorization reaches index.php", "GET /jsonapi/node/article", kBasic, 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/jsonapi/node/article\nREDIRECT_URL=/jsonapi/node/article\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\nREDIRECT_HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\nprotossl=\n"
         "REDIRECT_protossl=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"a directory without an index: 403", "GET /core/", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
    };
    check_both(s, cases);
}

// ----------------------------------------------------------------- Laravel

TEST(RewriteFrameworks, Laravel) {
    FrameworkSite s;
    // The DocumentRoot is Laravel's public/ directory.
    s.htaccess("laravel.htaccess", "");
    s.php("index.php");
    s.file("css/app.css", "app.css\n");
    s.file("js/app.js", "app.js\n");
    s.file("robots.txt", "User-agent: *\n");
    s.file("build/manifest.json", "{}\n");
    const std::vector<Case> cases = {
        {"the front page", "GET /", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/\n",
         {"Content-Type: text/plain"}},
        {"a route", "GET /users", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/users\n"
         "REDIRECT_URL=/users\nREDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
        {"a route with a query", "GET /users?page=2&sort=name", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=page=2&sort=name\n"
         "REQUEST_URI=/users?page=2&sort=name\nREDIRECT_URL=/users\nREDIRECT_QUERY_STRING=page=2&sort=name\n"
         "REDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
        {"a trailing slash is redirected away (301)", "GET /users/", "", 301, "http://localhost/users",
         "",
         {}},
        {"... keeping the query string", "GET /users/?page=2", "", 301, "http://localhost/users?page=2",
         "",
         {}},
        {"... from a nested route", "GET /posts/1/edit/", "", 301, "http://localhost/posts/1/edit",
         "",
         {}},
        {"an encoded trailing-slash redirect", "GET /caf%C3%A9/", "", 301, "http://localhost/caf%c3%a9",
         "",
         {}},
        {"an existing directory keeps its slash (403: no index, -Indexes)", "GET /css/", "", 403, "",
         "",
         {}},
        {"an existing directory without its slash: mod_dir's 301", "GET /css", "", 301, "http://localhost/css/",
         "",
         {}},
        {"an existing file", "GET /css/app.css", "", 200, "",
         "app.css\n",
         {"Content-Type: text/css"}},
        {"robots.txt", "GET /robots.txt", "", 200, "",
         "User-agent: *\n",
         {"Content-Type: text/plain"}},
        {"a missing asset goes to index.php", "GET /favicon.ico", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/favicon.ico\n"
         "REDIRECT_URL=/favicon.ico\nREDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
        {"index.php itself", "GET /index.php", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/index.php\n",
         {"Content-Type: text/plain"}},
        {"index.php with path info", "GET /index.php/users", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nPATH_INFO=/users\nQUERY_STRING=\n"
         "REQUEST_URI=/index.php/users\n",
         {"Content-Type: text/plain"}},
        {"Authorization reaches index.php", "GET /api/user", kBearer, 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/api/user\n"
         "REDIRECT_URL=/api/user\nREDIRECT_STATUS=200\nHTTP_AUTHORIZATION=Bearer tok3n\n"
         "REDIRECT_HTTP_AUTHORIZATION=Bearer tok3n\n",
         {"Content-Type: text/plain", "Vary: Authorization"}},
        {"no Authorization: no variable", "GET /api/user", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/api/user\n"
         "REDIRECT_URL=/api/user\nREDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
        {"X-XSRF-TOKEN copied", "GET /sanctum/csrf-cookie", kXsrf, 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/sanctum/csrf-cookie\nREDIRECT_URL=/sanctum/csrf-cookie\nREDIRECT_STATUS=200\n"
         "HTTP_X_XSRF_TOKEN=abc123\nREDIRECT_HTTP_X_XSRF_TOKEN=abc123\n",
         {"Content-Type: text/plain", "Vary: x-xsrf-token"}},
        {"a POST to a route", "POST /login", "", 200, "",
         "script=index.php\nREQUEST_METHOD=POST\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/login\n"
         "REDIRECT_URL=/login\nREDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
        {"HEAD of a trailing-slash URL", "HEAD /about/", "", 301, "http://localhost/about",
         "",
         {}},
        {"MultiViews off: /app does not find app.css", "GET /css/app", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/css/app\n"
         "REDIRECT_URL=/css/app\nREDIRECT_STATUS=200\n",
         {"Content-Type: text/plain"}},
    };
    check_both(s, cases);
}

// ------------------------------------------------------------------ Joomla

TEST(RewriteFrameworks, Joomla) {
    FrameworkSite s;
    s.htaccess("joomla.htaccess", "");
    s.php("index.php");
    s.php("api/index.php");
    s.php("administrator/index.php");
    s.php("configuration.php");
    s.file("robots.txt", "User-agent: *\n");
    s.file("images/joomla_black.png", "PNG\n");
    s.file("media/templates/site/cassiopeia/css/template.css", "template.css\n");
    s.file("media/templates/site/cassiopeia/css/template.css.gz", "GZIPPED-CSS\n");
    s.file("media/system/js/core.js", "core.js\n");
    s.file("media/system/images/logo.svg", "<svg/>\n");
    const std::vector<Case> cases = {
        {"the front page", "GET /", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an SEF URL", "GET /component/content/article/1", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/component/content/article/1\nREDIRECT_URL=/component/content/article/1\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an SEF URL ending in .html", "GET /blog/my-article.html", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/blog/my-article.html\nREDIRECT_URL=/blog/my-article.html\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=\nREDIRECT_HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"index.php itself", "GET /index.php", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\nREQUEST_URI=/index.php\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"index.php with path info", "GET /index.php/component/users/login", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nPATH_INFO=/component/users/login\n"
         "QUERY_STRING=\nREQUEST_URI=/index.php/component/users/login\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an ordinary query string", "GET /?option=com_content&view=article&id=1", "", 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\n"
         "QUERY_STRING=option=com_content&view=article&id=1\nREQUEST_URI=/?option=com_content&view=article&id=1\n"
         "HTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"base64_encode( in the query: 403", "GET /?q=base64_encode(abc)", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a <script> tag, encoded, in the query: 403", "GET /?x=%3Cscript%3Ealert(1)%3C/script%3E", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"... in upper case ([NC])", "GET /?x=%3CSCRIPT%3E", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"GLOBALS[ in the query: 403", "GET /?GLOBALS%5Bx%5D=1", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"_REQUEST= in the query: 403", "GET /index.php?_REQUEST=1", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"the API front controller", "GET /api/v1/content/articles", kBearer, 200, "",
         "script=api/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/api/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/api/v1/content/articles\nREDIRECT_URL=/api/v1/content/articles\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=Bearer tok3n\nREDIRECT_HTTP_AUTHORIZATION=Bearer tok3n\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"the API script with path info", "GET /api/index.php/v1/users", "", 200, "",
         "script=api/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/api/index.php\nPATH_INFO=/v1/users\nQUERY_STRING=\n"
         "REQUEST_URI=/api/index.php/v1/users\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"the administrator directory", "GET /administrator/", "", 200, "",
         "script=administrator/index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/administrator/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/administrator/\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an existing PHP file runs", "GET /configuration.php", "", 200, "",
         "script=configuration.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/configuration.php\nQUERY_STRING=\n"
         "REQUEST_URI=/configuration.php\nHTTP_AUTHORIZATION=\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
        {"an existing image", "GET /images/joomla_black.png", "", 200, "",
         "PNG\n",
         {"Content-Type: image/png", "X-Content-Type-Options: nosniff"}},
        {"a directory without an index: 403", "GET /images/", "", 403, "",
         "",
         {"X-Content-Type-Options: nosniff"}},
        {"a stylesheet with its .gz, gzip accepted",
         "GET /media/templates/site/cassiopeia/css/template.css", kGzip, 200, "",
         "GZIPPED-CSS\n",
         {"Content-Type: text/css", "Vary: Accept-encoding", "Content-Encoding: gzip",
          "X-Content-Type-Options: nosniff"}},
        {"the same without gzip", "GET /media/templates/site/cassiopeia/css/template.css", "", 200, "",
         "template.css\n",
         {"Content-Type: text/css", "X-Content-Type-Options: nosniff"}},
        {"a script without a .gz, gzip accepted", "GET /media/system/js/core.js", kGzip, 200, "",
         "core.js\n",
         {"Content-Type: text/javascript", "X-Content-Type-Options: nosniff"}},
        {"an SVG gets its Content-Security-Policy", "GET /media/system/images/logo.svg", "", 200, "",
         "<svg/>\n",
         {"Content-Type: image/svg+xml", "Content-Security-Policy: script-src 'none'",
          "X-Content-Type-Options: nosniff"}},
        {"Authorization reaches index.php", "GET /component/users/profile", kBasic, 200, "",
         "script=index.php\nREQUEST_METHOD=GET\nSCRIPT_NAME=/index.php\nQUERY_STRING=\n"
         "REQUEST_URI=/component/users/profile\nREDIRECT_URL=/component/users/profile\nREDIRECT_STATUS=200\n"
         "HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\nREDIRECT_HTTP_AUTHORIZATION=Basic dXNlcjpwYXNz\n",
         {"Content-Type: text/plain", "X-Content-Type-Options: nosniff"}},
    };
    check_both(s, cases);
}

// ------------------------------------------------- an edit is seen at once

// One connection kept open across requests; answers may be chunked (the
// CGI front controllers) or Content-Length framed.
class KeptConnection {
public:
    explicit KeptConnection(int port) : fd_(connect_to(port)) {}
    ~KeptConnection() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    KeptConnection(const KeptConnection&) = delete;
    KeptConnection& operator=(const KeptConnection&) = delete;

    // The status of GET `path` on this connection (0: no whole answer within 5 s).
    int get(const std::string& path) {
        const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        if (fd_ < 0 ||
            ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
            return 0;
        }
        std::string bytes;
        char buf[8192];
        for (int waited = 0; waited < 5000;) {
            if (complete(bytes)) {
                return parse_responses(bytes).front().status;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                waited += 100;
                continue;
            }
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                return 0;
            }
            bytes.append(buf, static_cast<std::size_t>(n));
        }
        return 0;
    }

private:
    static bool complete(const std::string& bytes) {
        const std::size_t end = bytes.find("\r\n\r\n");
        if (end == std::string::npos) {
            return false;
        }
        const std::vector<Response> rs = parse_responses(bytes.substr(0, end + 4));
        if (rs.empty()) {
            return false;
        }
        if (rs.front().header("Transfer-Encoding") == "chunked") {
            return bytes.size() >= end + 9 && bytes.compare(bytes.size() - 5, 5, "0\r\n\r\n") == 0;
        }
        const std::string length = rs.front().header("Content-Length");
        return bytes.size() - end - 4 >= (length.empty() ? 0 : std::stoul(length));
    }
    int fd_;
};

// The .htaccess is read again for the next request: a rule added between two
// requests applies to the second, on a new connection and on a kept-alive
// one; a removed .htaccess stops the rewriting.
void edits_are_seen(FrameworkSite& s, const std::string& which) {
    const std::string base = "a/b/c/blog";
    s.htaccess("wordpress.htaccess", base, "/a/b/c/blog/");
    const std::string stock = read_file(s.twin().root().str() + "/htdocs/" + base + "/.htaccess");
    const std::string moved =
        replace_all(stock, "RewriteRule ^index\\.php$ - [L]\n",
                    "RewriteRule ^index\\.php$ - [L]\nRewriteRule ^old-post/$ /a/b/c/blog/new-post/ [R=301,L]\n");
    BinaryServer server = s.twin().server(which);
    ASSERT_TRUE(server.start()) << which << ": " << server.startup_error;
    const int port = s.twin().port();
    auto get = [&](const std::string& path) {
        auto rs = parse_responses(http_exchange(port, get_request(path)));
        return rs.empty() ? Response{} : rs.front();
    };
    KeptConnection kept(port);
    SCOPED_TRACE(which);

    Response r = get("/a/b/c/blog/old-post/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("script=a/b/c/blog/index.php\n", 0), 0u) << r.body;
    EXPECT_EQ(kept.get("/a/b/c/blog/old-post/"), 200);

    s.file(base + "/.htaccess", moved);
    r = get("/a/b/c/blog/old-post/");
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(port_masked(r.header("Location"), port), "http://localhost/a/b/c/blog/new-post/");
    EXPECT_EQ(kept.get("/a/b/c/blog/old-post/"), 301);

    s.file(base + "/.htaccess", stock);
    EXPECT_EQ(get("/a/b/c/blog/old-post/").status, 200);
    EXPECT_EQ(kept.get("/a/b/c/blog/old-post/"), 200);

    ASSERT_EQ(::unlink((s.twin().root().str() + "/htdocs/" + base + "/.htaccess").c_str()), 0);
    EXPECT_EQ(get("/a/b/c/blog/old-post/").status, 404);
    EXPECT_EQ(kept.get("/a/b/c/blog/old-post/"), 404);
    server.stop();
}

TEST(RewriteFrameworks, HtaccessEditIsSeenOnTheNextRequest) {
    if (apache_available()) {
        FrameworkSite s;
        wordpress_tree(s, "a/b/c/blog");
        edits_are_seen(s, "apache");
    }
    if (!env_set("SONORA_TEST_APACHE_ONLY")) {
        FrameworkSite s;
        wordpress_tree(s, "a/b/c/blog");
        edits_are_seen(s, "sonora");
    }
}

}  // namespace
}  // namespace sonora::test
