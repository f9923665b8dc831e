#pragma once

// Names and messages for link-layer header types (LINKTYPE_* / DLT_*), shared by the file and
// live sources so an unsupported capture is reported the same way everywhere.

#include <functional>
#include <string>

namespace airfleet::capture {

// Human name for messages ("Ethernet", "802.11 radiotap", ...), or "unknown".
const char* LinktypeName(int linktype);

// "NAME: linktype 1 (Ethernet) is not an 802.11 linktype; supported: 105, 119, 127, 163, 192"
// with " (WHERE)" appended when `where` is not empty. The supported list is whatever
// `is_supported` accepts among the 16-bit linktypes.
std::string UnsupportedLinktypeMessage(const std::string& name, int linktype,
                                       const std::function<bool(int)>& is_supported,
                                       const std::string& where);

}  // namespace airfleet::capture
