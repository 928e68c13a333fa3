// A configuration tree laid out as Debian's /etc/apache2 (apache2.conf,
// ports.conf, mods-enabled/*.load and *.conf, conf-enabled/, sites-enabled/,
// ${APACHE_*} variables from the environment as envvars provides them),
// written for this test and restricted to modules Sonora has. The real binary
// must accept it and report it as httpd does.

#include "support/process.h"
#include "support/server.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>

namespace sonora::test {
namespace {

class DebianTree : public ::testing::Test {
protected:
    void SetUp() override {
        etc = dir.mkdir("etc/apache2");
        www = dir.mkdir("var/www/html");
        logs = dir.mkdir("var/log/apache2");
        run = dir.mkdir("run/apache2");
        lock = dir.mkdir("run/lock/apache2");
        dir.write("var/www/html/index.html", "<h1>default</h1>\n");
        dir.write("var/www/site2/index.html", "<h1>site2</h1>\n");
        ::setenv("APACHE_RUN_USER", "www-data", 1);
        ::setenv("APACHE_RUN_GROUP", "www-data", 1);
        ::setenv("APACHE_PID_FILE", (run + "/apache2.pid").c_str(), 1);
        ::setenv("APACHE_RUN_DIR", run.c_str(), 1);
        ::setenv("APACHE_LOCK_DIR", lock.c_str(), 1);
        ::setenv("APACHE_LOG_DIR", logs.c_str(), 1);

        dir.write("etc/apache2/apache2.conf",
                  "# Main configuration, in the layout Debian uses.\n"
                  "DefaultRuntimeDir ${APACHE_RUN_DIR}\n"
                  "PidFile ${APACHE_PID_FILE}\n"
                  "Timeout 300\n"
                  "KeepAlive On\n"
                  "MaxKeepAliveRequests 100\n"
                  "KeepAliveTimeout 5\n"
                  "User ${APACHE_RUN_USER}\n"
                  "Group ${APACHE_RUN_GROUP}\n"
                  "HostnameLookups Off\n"
                  "ErrorLog ${APACHE_LOG_DIR}/error.log\n"
                  "LogLevel warn\n"
                  "IncludeOptional mods-enabled/*.load\n"
                  "IncludeOptional mods-enabled/*.conf\n"
                  "Include ports.conf\n"
                  "<Directory />\n\tOptions FollowSymLinks\n\tAllowOverride None\n\tRequire all denied\n</Directory>\n"
                  "<Directory /usr/share>\n\tAllowOverride None\n\tRequire all granted\n</Directory>\n"
                  "<Directory " + dir.str() + "/var/www/>\n\tOptions Indexes FollowSymLinks\n"
                  "\tAllowOverride None\n\tRequire all granted\n</Directory>\n"
                  "AccessFileName .htaccess\n"
                  "<FilesMatch \"^\\.ht\">\n\tRequire all denied\n</FilesMatch>\n"
                  "LogFormat \"%v:%p %h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" "
                  "vhost_combined\n"
                  "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %O \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n"
                  "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %O\" common\n"
                  "LogFormat \"%{Referer}i -> %U\" referer\n"
                  "LogFormat \"%{User-agent}i\" agent\n"
                  "IncludeOptional conf-enabled/*.conf\n"
                  "IncludeOptional sites-enabled/*.conf\n");
        dir.write("etc/apache2/ports.conf",
                  "Listen 127.0.0.1:18480\n"
                  "<IfModule ssl_module>\n\tListen 443\n</IfModule>\n"
                  "<IfModule mod_gnutls.c>\n\tListen 443\n</IfModule>\n");
        const std::string so = "/usr/lib/apache2/modules/";
        auto module = [&](const std::string& name, const std::string& file, const std::string& conf) {
            dir.write("etc/apache2/mods-available/" + name + ".load",
                      "LoadModule " + name + "_module " + so + file + "\n");
            dir.write("etc/apache2/mods-enabled/" + name + ".load",
                      "LoadModule " + name + "_module " + so + file + "\n");
            if (!conf.empty()) {
                dir.write("etc/apache2/mods-enabled/" + name + ".conf", conf);
            }
        };
        module("mpm_event", "mod_mpm_event.so",
               "<IfModule mpm_event_module>\n\tStartServers 2\n\tMinSpareThreads 25\n\tMaxSpareThreads 75\n"
               "\tThreadLimit 64\n\tThreadsPerChild 25\n\tMaxRequestWorkers 150\n\tMaxConnectionsPerChild 0\n"
               "</IfModule>\n");
        module("mime", "mod_mime.so",
               "<IfModule mod_mime.c>\n\tTypesConfig " + dir.str() + "/etc/mime.types\n"
               "\tAddType application/x-compress .Z\n\tAddType application/x-gzip .gz .tgz\n"
               "\tAddLanguage de .de\n\tAddLanguage en .en\n\tAddCharset UTF-8 .utf8\n"
               "\tAddHandler type-map var\n\tAddType text/html .shtml\n"
               "\t<IfModule mod_include.c>\n\t\tAddOutputFilter INCLUDES .shtml\n\t</IfModule>\n</IfModule>\n");
        module("dir", "mod_dir.so",
               "<IfModule mod_dir.c>\n\tDirectoryIndex index.html index.cgi index.pl index.php index.xhtml "
               "index.htm\n</IfModule>\n");
        module("alias", "mod_alias.so",
               "<IfModule alias_module>\n\tAlias /icons/ \"/usr/share/apache2/icons/\"\n"
               "\t<Directory \"/usr/share/apache2/icons\">\n\t\tOptions FollowSymlinks\n\t\tAllowOverride None\n"
               "\t\tRequire all granted\n\t</Directory>\n</IfModule>\n");
        module("authz_core", "mod_authz_core.so", "");
        module("authz_host", "mod_authz_host.so", "");
        module("access_compat", "mod_access_compat.so", "");
        module("authn_core", "mod_authn_core.so", "");
        module("auth_basic", "mod_auth_basic.so", "");
        module("authn_file", "mod_authn_file.so", "");
        module("authz_user", "mod_authz_user.so", "");
        // Debian's mods-available/autoindex.conf, its directives as shipped.
        module("autoindex", "mod_autoindex.so",
               "IndexOptions FancyIndexing VersionSort HTMLTable NameWidth=* DescriptionWidth=* Charset=UTF-8\n"
               "AddIconByEncoding (CMP,/icons/compressed.gif) x-compress x-gzip x-bzip2\n"
               "AddIconByType (TXT,/icons/text.gif) text/*\n"
               "AddIconByType (IMG,/icons/image2.gif) image/*\n"
               "AddIconByType (SND,/icons/sound2.gif) audio/*\n"
               "AddIconByType (VID,/icons/movie.gif) video/*\n"
               "AddIcon /icons/binary.gif .bin .exe\n"
               "AddIcon /icons/binhex.gif .hqx\n"
               "AddIcon /icons/tar.gif .tar\n"
               "AddIcon /icons/world2.gif .wrl .wrl.gz .vrml .vrm .iv\n"
               "AddIcon /icons/compressed.gif .Z .z .tgz .gz .zip\n"
               "AddIcon /icons/a.gif .ps .ai .eps\n"
               "AddIcon /icons/layout.gif .html .shtml .htm .pdf\n"
               "AddIcon /icons/text.gif .txt\n"
               "AddIcon /icons/c.gif .c\n"
               "AddIcon /icons/p.gif .pl .py\n"
               "AddIcon /icons/f.gif .for\n"
               "AddIcon /icons/dvi.gif .dvi\n"
               "AddIcon /icons/uuencoded.gif .uu\n"
               "AddIcon /icons/script.gif .conf .sh .shar .csh .ksh .tcl\n"
               "AddIcon /icons/tex.gif .tex\n"
               "AddIcon /icons/bomb.gif /core\n"
               "AddIcon (SND,/icons/sound2.gif) .ogg\n"
               "AddIcon (VID,/icons/movie.gif) .ogm\n"
               "AddIcon /icons/back.gif ..\n"
               "AddIcon /icons/hand.right.gif README\n"
               "AddIcon /icons/folder.gif ^^DIRECTORY^^\n"
               "AddIcon /icons/blank.gif ^^BLANKICON^^\n"
               "AddIcon /icons/odf6odt-20x22.png .odt\n"
               "AddIcon /icons/odf6ods-20x22.png .ods\n"
               "AddIcon /icons/odf6odp-20x22.png .odp\n"
               "AddIcon /icons/odf6odg-20x22.png .odg\n"
               "AddIcon /icons/odf6odc-20x22.png .odc\n"
               "AddIcon /icons/odf6odf-20x22.png .odf\n"
               "AddIcon /icons/odf6odb-20x22.png .odb\n"
               "AddIcon /icons/odf6odi-20x22.png .odi\n"
               "AddIcon /icons/odf6odm-20x22.png .odm\n"
               "AddIcon /icons/odf6ott-20x22.png .ott\n"
               "AddIcon /icons/odf6ots-20x22.png .ots\n"
               "AddIcon /icons/odf6otp-20x22.png .otp\n"
               "AddIcon /icons/odf6otg-20x22.png .otg\n"
               "AddIcon /icons/odf6otc-20x22.png .otc\n"
               "AddIcon /icons/odf6otf-20x22.png .otf\n"
               "AddIcon /icons/odf6oti-20x22.png .oti\n"
               "AddIcon /icons/odf6oth-20x22.png .oth\n"
               "DefaultIcon /icons/unknown.gif\n"
               "ReadmeName README.html\n"
               "HeaderName HEADER.html\n"
               "IndexIgnore .??* *~ *# RCS CVS *,v *,t\n");
        module("env", "mod_env.so", "");
        module("setenvif", "mod_setenvif.so",
               "<IfModule setenvif_module>\n\tBrowserMatch \"Mozilla/2\" nokeepalive\n"
               "\tBrowserMatch \"MSIE 4\\.0b2;\" nokeepalive downgrade-1.0 force-response-1.0\n"
               "\tBrowserMatch \"RealPlayer 4\\.0\" force-response-1.0\n\tBrowserMatch \"Java/1\\.0\" "
               "force-response-1.0\n</IfModule>\n");
        module("negotiation", "mod_negotiation.so",
               "<IfModule mod_negotiation.c>\n\tLanguagePriority en ca cs da de el eo es et fr he hr it ja ko "
               "ltz nl nn no pl pt pt-BR ru sv tr zh-CN zh-TW\n\tForceLanguagePriority Prefer Fallback\n"
               "</IfModule>\n");
        module("status", "mod_status.so",
               "<IfModule mod_status.c>\n\t<Location /server-status>\n\t\tSetHandler server-status\n"
               "\t\tRequire local\n\t</Location>\n\tExtendedStatus On\n</IfModule>\n");
        // A module that is available but not enabled: its .conf must not be read.
        dir.write("etc/apache2/mods-available/rewrite.load",
                  "LoadModule rewrite_module " + so + "mod_rewrite.so\n");
        dir.write("etc/mime.types", "text/html html htm\ntext/plain txt\nimage/png png\n");

        dir.write("etc/apache2/conf-enabled/security.conf",
                  "ServerTokens OS\nServerSignature On\nTraceEnable Off\n"
                  "<DirectoryMatch \"/\\.git\">\n\tRequire all denied\n</DirectoryMatch>\n");
        dir.write("etc/apache2/conf-enabled/charset.conf", "#AddDefaultCharset UTF-8\n");
        dir.write("etc/apache2/conf-enabled/other-vhosts-access-log.conf",
                  "CustomLog ${APACHE_LOG_DIR}/other_vhosts_access.log vhost_combined\n");
        dir.write("etc/apache2/conf-enabled/localized-error-pages.conf",
                  "<IfModule mod_negotiation.c>\n\t<IfModule mod_include.c>\n\t\tErrorDocument 404 "
                  "/error/HTTP_NOT_FOUND.html.var\n\t</IfModule>\n</IfModule>\n");
        dir.write("etc/apache2/sites-enabled/000-default.conf",
                  "<VirtualHost *:18480>\n"
                  "\t#ServerName www.example.com\n"
                  "\tServerAdmin webmaster@localhost\n"
                  "\tDocumentRoot " + www + "\n"
                  "\tErrorLog ${APACHE_LOG_DIR}/error.log\n"
                  "\tCustomLog ${APACHE_LOG_DIR}/access.log combined\n"
                  "</VirtualHost>\n");
        dir.write("etc/apache2/sites-enabled/site2.conf",
                  "<VirtualHost *:18480>\n"
                  "\tServerName site2.example\n"
                  "\tServerAlias www.site2.example\n"
                  "\tDocumentRoot " + dir.str() + "/var/www/site2\n"
                  "\tCustomLog ${APACHE_LOG_DIR}/site2.log combined\n"
                  "</VirtualHost>\n");
    }

    std::vector<std::string> args(std::vector<std::string> more) const {
        std::vector<std::string> a = {"-d", etc, "-f", "apache2.conf"};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }

    TempDir dir;
    std::string etc, www, logs, run, lock;
};

TEST_F(DebianTree, SyntaxOk) {
    auto r = run_sonora(args({"-t"}));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "Syntax OK\n");
}

TEST_F(DebianTree, ModulesFromModsEnabledOnly) {
    auto r = run_sonora(args({"-M"}));
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* m : {" mpm_event_module (shared)\n", " alias_module (shared)\n", " authz_core_module (shared)\n",
                          " authz_host_module (shared)\n", " access_compat_module (shared)\n",
                          " setenvif_module (shared)\n", " negotiation_module (shared)\n", " status_module (shared)\n",
                          " auth_basic_module (shared)\n", " authn_file_module (shared)\n",
                          " authz_user_module (shared)\n", " authn_core_module (shared)\n",
                          " autoindex_module (shared)\n",
                          " mime_module (static)\n", " dir_module (static)\n", " log_config_module (static)\n"}) {
        EXPECT_NE(r.out.find(m), std::string::npos) << m << "\n" << r.out;
    }
    EXPECT_EQ(r.out.find("rewrite_module"), std::string::npos);
}

TEST_F(DebianTree, VirtualHostsAndRunSettings) {
    auto r = run_sonora(args({"-S"}));
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string site1 = etc + "/sites-enabled/000-default.conf:1";
    const std::string site2 = etc + "/sites-enabled/site2.conf:1";
    EXPECT_NE(r.out.find("*:18480                is a NameVirtualHost\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("         port 18480 namevhost site2.example (" + site2 + ")\n"
                         "                 alias www.site2.example\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("(" + site1 + ")"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Main ErrorLog: \"" + logs + "/error.log\"\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("PidFile: \"" + run + "/apache2.pid\"\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("User: name=\"www-data\""), std::string::npos) << r.out;
}

TEST_F(DebianTree, IncludedFilesInOrder) {
    auto r = run_sonora(args({"-t", "-D", "DUMP_INCLUDES"}));
    ASSERT_EQ(r.status, 0) << r.err;
    auto at = [&](const std::string& f) { return r.out.find(f); };
    EXPECT_LT(at("mods-enabled/access_compat.load"), at("mods-enabled/alias.load"));
    EXPECT_LT(at("mods-enabled/status.load"), at("mods-enabled/alias.conf"));
    EXPECT_LT(at("mods-enabled/status.conf"), at("ports.conf"));
    EXPECT_LT(at("ports.conf"), at("conf-enabled/charset.conf"));
    EXPECT_LT(at("conf-enabled/security.conf"), at("sites-enabled/000-default.conf"));
    EXPECT_EQ(at("rewrite.load"), std::string::npos);
}

TEST_F(DebianTree, MissingEnvironmentVariableIsReportedNotFatal) {
    ::unsetenv("APACHE_LOCK_DIR");
    dir.write("etc/apache2/conf-enabled/mutex.conf", "Mutex file:${APACHE_LOCK_DIR} default\n");
    auto r = run_sonora(args({"-t"}));
    ::setenv("APACHE_LOCK_DIR", lock.c_str(), 1);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("[core:warn]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Config variable ${APACHE_LOCK_DIR} is not defined"), std::string::npos) << r.err;
}

// The stock tree starts, and what it restricts stays restricted: .ht* files,
// .git directories, everything outside /var/www and /usr/share.
TEST_F(DebianTree, StartsAndKeepsItsRestrictions) {
    const std::string port = std::to_string(free_port());
    for (const char* file : {"ports.conf", "sites-enabled/000-default.conf", "sites-enabled/site2.conf"}) {
        std::string text = read_file(etc + "/" + file);
        for (auto at = text.find("18480"); at != std::string::npos; at = text.find("18480", at)) {
            text.replace(at, 5, port);
        }
        dir.write(std::string("etc/apache2/") + file, text);
    }
    ::chmod(dir.str().c_str(), 0755);  // the server runs as www-data
    dir.write("var/www/html/.htpasswd", "user:secret\n");
    dir.write("var/www/html/.git/config", "[core]\n");
    // A password-protected area, as the Apache docs set one up (htpasswd -s: "sha pw").
    dir.write("etc/apache2/.htpasswd", "alice:{SHA}7ubAkIthNAIpEJjMktYaoVaMPB8=\n");
    dir.write("var/www/html/private/index.html", "<h1>private</h1>\n");
    dir.write("etc/apache2/conf-enabled/private.conf",
              "<Directory " + www + "/private>\n\tAuthType Basic\n\tAuthName \"Private\"\n"
              "\tAuthUserFile " + etc + "/.htpasswd\n\tRequire valid-user\n</Directory>\n");
    BinaryServer server(SONORA_BINARY, etc, "apache2.conf", std::stoi(port), run + "/apache2.pid");
    ASSERT_TRUE(server.start()) << server.startup_error;
    auto get = [&](const std::string& path, const std::string& host) {
        auto rs = parse_responses(http_exchange(std::stoi(port), "GET " + path + " HTTP/1.1\r\nHost: " + host +
                                                                     "\r\nConnection: close\r\n\r\n"));
        return rs.empty() ? Response{} : rs.front();
    };
    Response index = get("/", "localhost");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<h1>default</h1>\n");
    EXPECT_EQ(get("/", "site2.example").body, "<h1>site2</h1>\n");
    EXPECT_EQ(get("/.htpasswd", "localhost").status, 403);
    EXPECT_EQ(get("/.git/config", "localhost").status, 403);
    EXPECT_EQ(get("/private/", "localhost").status, 401);
    auto as_alice = parse_responses(http_exchange(std::stoi(port), "GET /private/ HTTP/1.1\r\nHost: localhost\r\n"
                                                                    "Authorization: Basic YWxpY2U6c2hhIHB3\r\n"
                                                                    "Connection: close\r\n\r\n"));
    ASSERT_EQ(as_alice.size(), 1u);
    EXPECT_EQ(as_alice[0].status, 200);
    EXPECT_EQ(as_alice[0].body, "<h1>private</h1>\n");
    // A directory without an index file is listed (Options Indexes for /var/www), as mod_autoindex's
    // stock settings say: an HTMLTable in UTF-8, dot files hidden, README.html after the table.
    dir.write("var/www/html/files/report.txt", "numbers\n");
    dir.write("var/www/html/files/.secret", "x\n");
    dir.write("var/www/html/files/README.html", "<p>About these files</p>\n");
    Response listing = get("/files/", "localhost");
    EXPECT_EQ(listing.status, 200);
    EXPECT_EQ(listing.header("Content-Type"), "text/html;charset=UTF-8");
    EXPECT_NE(listing.body.find("<title>Index of /files</title>"), std::string::npos) << listing.body;
    EXPECT_NE(listing.body.find("<img src=\"/icons/text.gif\" alt=\"[TXT]\"></td><td><a href=\"report.txt\">"),
              std::string::npos)
        << listing.body;
    EXPECT_EQ(listing.body.find(".secret"), std::string::npos);
    EXPECT_NE(listing.body.find("</table>\n<p>About these files</p>\n</body></html>\n"), std::string::npos)
        << listing.body;
}

TEST_F(DebianTree, AModuleWithoutItsLoadLineIsAnError) {
    dir.write("etc/apache2/conf-enabled/rewrite-rules.conf", "RewriteEngine On\n");
    auto r = run_sonora(args({"-t"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("conf-enabled/rewrite-rules.conf:\nInvalid command 'RewriteEngine'"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace sonora::test
