// Every configuration error: the exact message (worded as httpd's where httpd
// has a wording), the line it is reported at, and which of httpd's two framings
// it gets (read-time or apply-time).

#include "../support/config_fixture.h"

#include <gtest/gtest.h>

namespace sonora::config {
namespace {

using sonora::test::ConfigRoot;

struct ErrorCase {
    std::string conf;
    std::string message;
    int line;
    bool during_read;
};

ConfigError load_error(const ConfigRoot& root, const std::string& conf) {
    try {
        root.load(conf);
    } catch (const ConfigError& e) {
        return e;
    }
    ADD_FAILURE() << "no error for:\n" << conf;
    return ConfigError("none");
}

TEST(ConfigErrors, AsHttpdWordsThem) {
    const ErrorCase cases[] = {
        {"Foo bar",
         "Invalid command 'Foo', perhaps misspelled or defined by a module not included in the server configuration",
         1, false},
        {"KeepAlive On\n<Bogus x>\n</Bogus>",
         "Invalid command '<Bogus', perhaps misspelled or defined by a module not included in the server "
         "configuration",
         2, false},
        {"DocumentRoot", "DocumentRoot takes one argument, The directory that URLs map into", 1, false},
        {"DocumentRoot a b", "DocumentRoot takes one argument, The directory that URLs map into", 1, false},
        {"KeepAlive maybe", "KeepAlive must be On or Off", 1, false},
        {"<Directory /tmp>\nDocumentRoot /tmp\n</Directory>", "DocumentRoot not allowed in <Directory> context", 2,
         false},
        {"<Directory /tmp>\n<Files x>\nDocumentRoot /x\n</Files>\n</Directory>",
         "DocumentRoot not allowed in <Files> context", 3, false},
        {"<Directory /tmp>\nListen 80\n</Directory>", "Listen not allowed in <Directory> context", 2, false},
        {"<VirtualHost *:80>\nListen 80\n</VirtualHost>", "Listen cannot occur within <VirtualHost> section", 2,
         false},
        {"<VirtualHost *:80>\nPidFile x\n</VirtualHost>", "PidFile cannot occur within <VirtualHost> section", 2,
         false},
        {"<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>",
         "<VirtualHost> cannot occur within <VirtualHost> section", 2, false},
        {"<Location />\n<Limit GET>\nListen 80\n</Limit>\n</Location>", "Listen not allowed in <Limit> context", 3,
         false},
        {"<Directory /tmp>\n<Directory /var>\n</Directory>\n</Directory>",
         "<Directory not allowed in <Directory> context", 2, false},
        {"<Files x>\n<Directory /var>\n</Directory>\n</Files>", "<Directory not allowed in <Files> context", 2, false},
        {"AllowOverride None", "AllowOverride not allowed here", 1, false},
        {"<Limit GET>\n</Limit>", "<Limit not allowed here", 1, false},
        {"<Directory>\n</Directory>", "<Directory> directive requires additional arguments", 1, false},
        {"<Location>\n</Location>", "<Location> directive requires additional arguments", 1, false},
        {"<VirtualHost>\n</VirtualHost>", "<VirtualHost> directive requires additional arguments", 1, false},
        {"<DirectoryMatch \"(\">\n</DirectoryMatch>", "Regex could not be compiled", 1, false},
        {"<Directory ~ \"(\">\n</Directory>", "Regex could not be compiled", 1, false},
        {"<FilesMatch \"[\">\n</FilesMatch>", "Regex could not be compiled", 1, false},
        {"<LocationMatch \"(?<\">\n</LocationMatch>", "Regex could not be compiled", 1, false},
        {"<Else>\n</Else>",
         "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope", 1, false},
        {"<If \"%{REQUEST_URI} =~ /(/\">\n</If>",
         "Cannot parse condition clause: Failed to compile regular expression", 1, false},
        {"<If \"%{NO_SUCH_VAR} == 'x'\">\n</If>", "Cannot parse condition clause: Variable 'NO_SUCH_VAR' does not exist",
         1, false},
        {"<If \"true\" extra>\n</If>", "<If> takes one argument: the condition, in quotes", 1, false},
        {"LimitRequestBody -1", "LimitRequestBody requires a non-negative integer.", 1, false},
        {"LimitRequestFields -3", "LimitRequestFields \"-3\" must be a non-negative integer (0 = no limit)", 1, false},
        {"LimitRequestLine abc", "LimitRequestLine \"abc\" must be a non-negative integer", 1, false},
        {"Options Bogus", "Illegal option Bogus", 1, false},
        {"Options +FollowSymLinks Indexes", "Either all Options must start with + or -, or no Option may.", 1, false},
        {"<Directory /x>\nAllowOverride Bogus\n</Directory>", "Illegal override option Bogus", 2, false},
        {"ErrorDocument 404", "ErrorDocument takes two arguments, What is sent for an error status: a local URL, "
                              "an external URL or a text", 1, false},
        {"ErrorDocument 999 /x", "Unsupported HTTP response code 999", 1, false},
        {"Listen abc", "Port must be specified", 1, false},
        {"Listen 99999", "Invalid address or port", 1, false},
        {"Listen [::1", "Invalid address or port", 1, false},
        {"LogLevel bogus",
         "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8", 1, false},
        {"LogLevel nosuch:warn", "Cannot find module 'nosuch'", 1, false},
        {"Mutex bogus",
         "Invalid Mutex argument bogus (Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', "
         "'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem')",
         1, false},
        {"FileETag Bogus", "Unknown keyword 'Bogus' for FileETag directive", 1, false},
        {"ServerTokens bogus",
         "ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'", 1, false},
        {"KeepAliveTimeout x", "KeepAliveTimeout has wrong format", 1, false},
        {"Timeout abc", "Timeout has wrong format", 1, false},
        {"MaxKeepAliveRequests x", "MaxKeepAliveRequests must be an integer between 0 and 2147483647, not 'x'", 1,
         false},
        {"ServerName example.com:0", "The port number \"0\" is outside the appropriate range (i.e., 1..65535).", 1,
         false},
        {"HostnameLookups sometimes", "parameter must be 'on', 'off', or 'double'", 1, false},
        {"Error \"stop right here\"", "stop right here", 1, false},
        {"ServerAlias www.example.com", "ServerAlias only used in <VirtualHost>", 1, false},
        {"LoadModule mpm_worker_module a.so\nThreadsPerChild 4\nLoadModule mpm_prefork_module b.so",
         "More than one MPM loaded.", 3, true},
        {"LoadModule mpm_prefork_module p.so\nThreadsPerChild 4",
         "Invalid command 'ThreadsPerChild', perhaps misspelled or defined by a module not included in the server "
         "configuration",
         2, false},
        // Errors found while reading.
        {"<Directory /tmp>", "<Directory> was not closed.", 1, true},
        {"KeepAlive On\n<Directory /tmp\n", "<Directory> was not closed.", 2, true},
        {"<Directory /tmp>\n</Files>", "Expected </Directory> but saw </Files>", 2, true},
        {"</Files>", "</Files> without matching <Files> section", 1, true},
        {"<Files a>\n</Files b>", "</Files> directive missing closing '>'", 2, true},
        {"<IfModule>\n</IfModule>", "<IfModule> directive requires additional arguments", 1, true},
        {"<IfModule mod_so.c\n</IfModule>", "<IfModule> directive missing closing '>'", 1, true},
        {"<IfDefine>\n</IfDefine>", "<IfDefine> directive requires additional arguments", 1, true},
        {"<IfFile>\n</IfFile>", "<IfFile> directive requires additional arguments", 1, true},
        {"<IfDirective>\n</IfDirective>", "<IfDirective> directive requires additional arguments", 1, true},
        {"<IfSection>\n</IfSection>", "<IfSection> directive requires additional arguments", 1, true},
        {"<IfModule !mod_so.c>\n<Directory /x>\n</IfModule>", "Expected </Directory> but saw </IfModule>", 3, true},
        {"<IfModule !mod_so.c>\nBogus", "<IfModule> was not closed.", 1, true},
        {"<IfModule !mod_so.c>\n<Directory /x>\n</Directory>\nBogus", "<IfModule> was not closed.", 1, true},
        {"Define", "Define takes 1-2 arguments, Defines a name, with an optional value for ${name}; as -D on the "
                   "command line", 1, true},
        {"Define A B C", "Define takes 1-2 arguments, Defines a name, with an optional value for ${name}; as -D on "
                         "the command line", 1, true},
        {"Define a:b", "Variable name must not contain ':'", 1, true},
        {"UnDefine", "UnDefine takes one argument, Removes a name set by Define or -D", 1, true},
        {"Include /nonexistent/foo.conf",
         "Could not open configuration file /nonexistent/foo.conf: No such file or directory", 1, true},
        {"Include /nonexistent/*.conf",
         "Include/IncludeOptional: Could not open directory /nonexistent: No such file or directory", 1, true},
        {"LoadModule foo_module /x/mod_foo.so",
         "Cannot load /x/mod_foo.so into server: Sonora has no built-in module named 'foo_module'", 1, true},
        {"ServerRoot /nonexistent/dir", "ServerRoot must be a valid directory", 1, true},
        {"<Directory /x>\nServerRoot /tmp\n</Directory>", "ServerRoot cannot occur within <Directory> section", 2,
         true},
    };
    ConfigRoot root;
    for (const ErrorCase& c : cases) {
        ConfigError e = load_error(root, c.conf);
        EXPECT_EQ(std::string(e.what()), c.message) << c.conf;
        EXPECT_EQ(e.line, c.line) << c.conf;
        EXPECT_EQ(e.during_read, c.during_read) << c.conf;
        EXPECT_EQ(e.file, root.conf_path()) << c.conf;
    }
}

TEST(ConfigErrors, RenderedInHttpdsTwoFramings) {
    ConfigError applied("Invalid command 'Foo', ...", "/etc/x.conf", 7, false);
    EXPECT_EQ(applied.render("sonora"), "SN00526: Syntax error on line 7 of /etc/x.conf:\nInvalid command 'Foo', ...");
    ConfigError read("</Files> without matching <Files> section", "/etc/x.conf", 3, true);
    EXPECT_EQ(read.render("sonora"),
              "sonora: Syntax error on line 3 of /etc/x.conf: </Files> without matching <Files> section");
    ConfigError global("Could not open configuration file /x: No such file or directory");
    EXPECT_EQ(global.render("sonora"), "sonora: Could not open configuration file /x: No such file or directory");
}

TEST(ConfigErrors, ErrorInsideIncludedFileNamesThatFile) {
    ConfigRoot root;
    std::string inc = root.write("conf/extra/bad.conf", "KeepAlive On\n\nBogus here\n");
    ConfigError e = load_error(root, "Include conf/extra/*.conf\n");
    EXPECT_EQ(e.file, inc);
    EXPECT_EQ(e.line, 3);
    EXPECT_FALSE(e.during_read);
}

TEST(ConfigErrors, IncludeCycleIsDetected) {
    ConfigRoot root;
    root.write("conf/a.conf", "Include conf/b.conf\n");
    root.write("conf/b.conf", "Include conf/a.conf\n");
    ConfigError e = load_error(root, "Include conf/a.conf\n");
    EXPECT_EQ(std::string(e.what()), "Include cycle: " + root.conf_path() + " -> " + root.path() + "/conf/a.conf -> " +
                                         root.path() + "/conf/b.conf -> " + root.path() + "/conf/a.conf");
    EXPECT_EQ(e.file, root.path() + "/conf/b.conf");
    EXPECT_EQ(e.line, 1);
    EXPECT_TRUE(e.during_read);

    ConfigError self = load_error(root, "KeepAlive On\nInclude conf/httpd.conf\n");
    EXPECT_NE(std::string(self.what()).find("Include cycle: "), std::string::npos);
    EXPECT_EQ(self.line, 2);
}

TEST(ConfigErrors, UnreadableMainFile) {
    ConfigRoot root;
    LoadOptions o;
    o.server_root = root.path();
    o.config_file = "missing.conf";
    o.modules = modules::builtin_modules();
    try {
        load_configuration(o);
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "Could not open configuration file " + root.path() + "/missing.conf: No such file or directory");
        EXPECT_TRUE(e.file.empty());
    }
}

TEST(ConfigErrors, DocumentRootMustExistUnlessChecksAreOff) {
    ConfigRoot root;
    ConfigError e = load_error(root, "DocumentRoot /nonexistent/docs\n");
    EXPECT_EQ(std::string(e.what()), "DocumentRoot '/nonexistent/docs' is not a directory, or is not readable");
    LoadOptions lenient;
    lenient.check_document_root = false;
    EXPECT_NO_THROW(root.load("DocumentRoot /nonexistent/docs\n", lenient));
}

TEST(ConfigErrors, MainErrorLogDirectoryMustExist) {
    ConfigRoot root;
    try {
        root.load("ErrorLog nodir/error_log\n");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "Cannot access directory '" + root.path() + "/nodir/' for main error log");
    }
    EXPECT_NO_THROW(root.load("ErrorLog logs/error_log\n"));
    EXPECT_NO_THROW(root.load("ErrorLog \"|/bin/cat\"\n"));
    EXPECT_NO_THROW(root.load("ErrorLog syslog:local7\n"));
}

}  // namespace
}  // namespace sonora::config
