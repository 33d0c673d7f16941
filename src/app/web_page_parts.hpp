// Pieces of the web page kept in their own files (web_page.cpp splices them in).
#pragma once

namespace sipline::app {

// Calls: style rules, the form and table, and the script (uses the page's api(), cell(), dur()).
const char* web_page_calls_css();
const char* web_page_calls_html();
const char* web_page_calls_script();

}  // namespace sipline::app
