/* SPDX-License-Identifier: GPL-3.0-or-later */
// JavaScript strings as the NUL-terminated byte strings the C library takes.
#ifndef MAPISTORE_MGMT_BINDING_C_STRING_H
#define MAPISTORE_MGMT_BINDING_C_STRING_H

#include <string>

// The UTF-8 form of a string of UTF-16 code units, such that the library sees what JavaScript
// passed: well-formed text becomes its exact UTF-8. What UTF-8 cannot carry becomes bytes the
// library rejects as invalid UTF-8 instead of being replaced or cut: a lone surrogate becomes
// its 3-byte generalized form (ED A0 80 for U+D800), U+0000 the overlong pair C0 80.
std::string c_string_from_utf16(const std::u16string &text);

#endif
