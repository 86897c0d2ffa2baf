/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "c_string.h"

#include <cstdint>

namespace {

bool is_high_surrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

void append(std::string &out, uint32_t code_point) {
	if (code_point == 0) {
		out += "\xC0\x80";
	} else if (code_point < 0x80) {
		out += static_cast<char>(code_point);
	} else if (code_point < 0x800) {
		out += static_cast<char>(0xC0 | (code_point >> 6));
		out += static_cast<char>(0x80 | (code_point & 0x3F));
	} else if (code_point < 0x10000) {
		out += static_cast<char>(0xE0 | (code_point >> 12));
		out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (code_point & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (code_point >> 18));
		out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (code_point & 0x3F));
	}
}

} // namespace

std::string c_string_from_utf16(const std::u16string &text) {
	std::string out;
	out.reserve(text.size() * 3);
	for (size_t i = 0; i < text.size(); i++) {
		uint32_t unit = text[i];
		if (is_high_surrogate(unit) && i + 1 < text.size() && is_low_surrogate(text[i + 1])) {
			unit = 0x10000 + ((unit - 0xD800) << 10) + (text[i + 1] - 0xDC00u);
			i++;
		}
		append(out, unit);
	}
	return out;
}
