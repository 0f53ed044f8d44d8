// SPDX-License-Identifier: GPL-2.0
// utf8.hpp - names are bytes: make them safe for JSON, text and XML.
//
// A thread's comm, an IRQ action or a swap file's path is whatever bytes
// someone wrote: any user can write "\xff" to /proc/self/comm, and the
// kernel cuts a comm at 15 bytes, in the middle of a character if need
// be. nlohmann::json throws on such a string, a terminal obeys the
// control characters in it. Names are escaped once, where they are read
// from /proc, /sys and the BPF maps, so nothing above sees raw bytes.
//
// Escaped, not replaced with U+FFFD: "\xff\xfe" stays distinguishable
// from "\xfe\xff", the form is the one /proc/<pid>/status and systemd
// already show, and it also covers control characters, which are valid
// UTF-8. Backslash is escaped too, so unescape_name() gets the bytes
// back exactly (the state file relies on it for paths).
#pragma once

#include <string>
#include <string_view>

namespace rtnoise {

// valid_utf8 - bytes is well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view bytes);

// escape_name - bytes with every byte that is not part of a valid,
// printable UTF-8 character (invalid or cut sequences, C0 and C1 control
// characters, DEL) written as \xNN, and '\' as "\\". Valid printable
// UTF-8, "ü" or "中", is kept as it is. The result is valid UTF-8.
std::string escape_name(std::string_view bytes);

// clean_name - text that should be escape_name()'s output (a name read
// back from a report or a budget), made so: its escapes kept, any byte
// escape_name() would have escaped escaped. What escape_name() wrote
// comes back as it is.
std::string clean_name(std::string_view text);

// unescape_name - the inverse of escape_name(); a backslash that starts
// no escape is kept as it is.
std::string unescape_name(std::string_view text);

}  // namespace rtnoise
