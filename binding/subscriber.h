/* SPDX-License-Identifier: GPL-3.0-or-later */
// The subscriber's Node-API functions (subscriber.cc), registered by addon.cc.
#ifndef MAPISTORE_MGMT_BINDING_SUBSCRIBER_H
#define MAPISTORE_MGMT_BINDING_SUBSCRIBER_H

#include <napi.h>

void add_subscriber_functions(Napi::Env env, Napi::Object exports);

#endif
