/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The header tests' translation units, each compiled its own way. */
#ifndef TEST_HEADER_CHECKS_H
#define TEST_HEADER_CHECKS_H

#ifdef __cplusplus
extern "C" {
#endif

int call_with_openchange_info(void);
int call_with_original_prototypes(void);
int call_from_cxx(void);

#ifdef __cplusplus
}
#endif

#endif
