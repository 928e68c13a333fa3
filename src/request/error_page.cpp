#include "request/error_page.h"

#include "core/strings.h"
#include "http/reason_phrase.h"

namespace sonora::request {

void canned_error_body(int status, std::string_view method, std::string_view location, std::string_view detail,
                       std::string_view server_admin, std::pmr::string& out, std::string_view signature) {
    std::string_view reason = http::reason_phrase(status);
    out += "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n"
           "<html><head>\n<title>";
    out += std::to_string(status);
    out += ' ';
    out += reason;
    out += "</title>\n</head><body>\n<h1>";
    out += reason;
    out += "</h1>\n";
    switch (status) {
        case 300: out += detail; break;  // the list a module left (httpd's "variant-list" note), as it is
        case 305:
            // httpd leaves the proxy's address out here.
            out += "<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your "
                   "client to use that proxy.</p>\n";
            break;
        case 301:
        case 302:
        case 307:
        case 308:
            out += "<p>The document has moved <a href=\"";
            append_html_escaped(out, location);
            out += "\">here</a>.</p>\n";
            break;
        case 303:
            out += "<p>The answer to your request is located <a href=\"";
            append_html_escaped(out, location);
            out += "\">here</a>.</p>\n";
            break;
        case 400:
            out += "<p>Your browser sent a request that this server could not understand.<br />\n";
            out += detail;
            out += "</p>\n";
            break;
        case 401:
            out += "<p>This server could not verify that you\nare authorized to access the document\nrequested.  "
                   "Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't "
                   "understand how to supply\nthe credentials required.</p>\n";
            break;
        case 403: out += "<p>You don't have permission to access this resource.</p>\n"; break;
        case 404: out += "<p>The requested URL was not found on this server.</p>\n"; break;
        case 405:
            out += "<p>The requested method ";
            append_html_escaped(out, method);
            out += " is not allowed for this URL.</p>\n";
            break;
        case 406:
            out += "<p>An appropriate representation of the requested resource could not be found on this "
                   "server.</p>\n";
            out += detail;  // the variant list mod_negotiation left, as it is
            break;
        case 408: out += "<p>Server timeout waiting for the HTTP request from the client.</p>\n"; break;
        case 410:
            out += "<p>The requested resource is no longer available on this server and there is no forwarding "
                   "address.\nPlease remove all references to this resource.</p>\n";
            break;
        case 411:
            out += "<p>A request of the requested method ";
            append_html_escaped(out, method);
            out += " requires a valid Content-length.<br />\n</p>\n";
            break;
        case 412: out += "<p>The precondition on the request for this URL evaluated to false.</p>\n"; break;
        case 413:
            out += "The requested resource does not allow request data with ";
            append_html_escaped(out, method);
            out += " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n";
            break;
        case 414:
            out += "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n";
            out += detail;
            out += "</p>\n";
            break;
        case 415:
            out += "<p>The supplied request data is not in a format\nacceptable for processing by this "
                   "resource.</p>\n";
            break;
        case 416:
            out += "<p>None of the range-specifier values in the Range\nrequest-header field overlap the current "
                   "extent\nof the selected resource.</p>\n";
            break;
        case 417:
            out += "<p>The expectation given in the Expect request-header\nfield could not be met by this "
                   "server.\nThe client sent<pre>\n    Expect: ";
            append_html_escaped(out, detail);
            out += "\n</pre>\n</p><p>Only the 100-continue expectation is supported.</p>\n";
            break;
        case 422:
            out += "<p>The server understands the media type of the\nrequest entity, but was unable to process the\n"
                   "contained instructions.</p>\n";
            break;
        case 423:
            out += "<p>The requested resource is currently locked.\nThe lock must be released or proper "
                   "identification\ngiven before the method can be applied.</p>\n";
            break;
        case 424:
            out += "<p>The method could not be performed on the resource\nbecause the requested action depended on "
                   "another\naction and that other action failed.</p>\n";
            break;
        case 425: out += "<p>The request could not be processed as TLS\nearly data and should be retried.</p>\n"; break;
        case 426:
            out += "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the "
                   "current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your client, or "
                   "try requesting the page\nusing https://\n";
            break;
        case 428: out += "<p>The request is required to be conditional.</p>\n"; break;
        case 429: out += "<p>The user has sent too many requests\nin a given amount of time.</p>\n"; break;
        case 431:
            out += "<p>The server refused this request because\nthe request header fields are too large.</p>\n";
            break;
        case 421:
            out += "<p>The client needs a new connection for this\nrequest as the requested host name does not "
                   "match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n";
            break;
        case 451: out += "<p>Access to this URL has been denied for legal reasons.<br />\n</p>\n"; break;
        case 502:
            out += "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n</p>\n";
            break;
        case 504:
            out += "<p>The gateway did not receive a timely response\nfrom the upstream server or "
                   "application.</p>\n";
            break;
        case 506:
            out += "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. "
                   "This indicates a configuration error.</p>\n";
            break;
        case 507:
            out += "<p>The method could not be performed on the resource\nbecause the server is unable to store "
                   "the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free "
                   "space left in\nyour storage allocation.</p>\n";
            break;
        case 508:
            out += "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n";
            break;
        case 510:
            out += "<p>A mandatory extension policy in the request is not\naccepted by the server for this "
                   "resource.</p>\n";
            break;
        case 511: out += "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"; break;
        case 501:
            out += "<p>";
            append_html_escaped(out, method);
            out += " not supported for current URL.<br />\n</p>\n";
            break;
        case 503:
            out += "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or "
                   "capacity\nproblems. Please try again later.</p>\n";
            break;
        case 505:
            out += "<p>The server does not support the HTTP protocol version used in the request.</p>\n";
            break;
        default:
            out += "<p>The server encountered an internal error or\nmisconfiguration and was unable to "
                   "complete\nyour request.</p>\n<p>Please contact the server administrator at \n ";
            append_html_escaped(out, server_admin.empty() ? std::string_view("[no address given]") : server_admin);
            out += " to inform them of the time this error occurred,\n and the actions you performed just before "
                   "this error.</p>\n<p>More information about this error may be available\nin the server error "
                   "log.</p>\n";
            break;
    }
    out += signature;
    out += "</body></html>\n";
}

}  // namespace sonora::request
