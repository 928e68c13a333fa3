#pragma once
// The two forms of the status page, each written from a Snapshot:
//   - render_html: the page people read (mod_status_html.cpp), with the
//     per-worker details as a table or, for ?notable, as plain paragraphs;
//   - render_auto: ?auto, "Key: value" lines for scripts and exporters, with
//     Apache 2.4's keys in Apache 2.4's order (mod_status_auto.cpp).
// Both follow the layout and wording of Apache 2.4's mod_status, so that what
// parses Apache's page parses ours; only the server's own lines differ.

#include "modules/generators/mod_status_snapshot.h"

#include <string>
#include <string_view>

namespace sonora::modules::generators::status {

// What the page says about the server and the request beyond the scoreboard.
struct PageInfo {
    std::string_view host;       // the name the client asked for (ServerName without a Host)
    std::string_view local_ip;   // the address the request came in on
    std::string_view version;    // "Sonora/0.1.0 (Unix)", whatever ServerTokens says
    std::string_view built;      // when the server was built
    bool notable = false;        // ?notable: worker details without tables
    std::string_view signature;  // ServerSignature's footer, or empty
};

// Appends the HTML page.
void render_html(const Snapshot& s, const PageInfo& page, std::string& out);

// Appends the ?auto text.
void render_auto(const Snapshot& s, const PageInfo& page, std::string& out);

}  // namespace sonora::modules::generators::status
