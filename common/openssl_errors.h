#pragma once

#include <string>

namespace airfleet {

// Drains OpenSSL's thread-local error queue into one "; "-separated message (never empty).
std::string OpenSslErrors();

}  // namespace airfleet
