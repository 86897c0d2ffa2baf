/* SPDX-License-Identifier: GPL-3.0-or-later */
// The Node addon: a thin Node-API layer over the mapistore-mgmt C library.
//
// Every function takes plain values the TypeScript layer (src/addon/) has already validated
// and returns what the C function returned: a return code, never a thrown C error. Only
// arguments of the wrong JavaScript type (a caller bypassing the TypeScript layer) throw, as
// a TypeError. Apart from the subscriber handles it returns (subscriber.cc), the module keeps
// no state of its own, so it is context-aware as it stands:
// worker threads may load it, and they share the process's one source, as threads do in C.
#include <napi.h>

#include <mapistore/mapistore_mgmt.h>

#include <string>

#include "c_string.h"
#include "subscriber.h"

namespace {

constexpr size_t GUID_BYTES = 16;

Napi::Value type_error(const Napi::CallbackInfo &info, const char *signature) {
	Napi::TypeError::New(info.Env(), std::string("expected (") + signature + ")")
		.ThrowAsJavaScriptException();
	return info.Env().Undefined();
}

std::string c_string(const Napi::Value &value) {
	return c_string_from_utf16(value.As<Napi::String>().Utf16Value());
}

uint16_t read_le16(const uint8_t *bytes) { return static_cast<uint16_t>(bytes[0] | bytes[1] << 8); }

uint32_t read_le32(const uint8_t *bytes) {
	return static_cast<uint32_t>(read_le16(bytes)) | static_cast<uint32_t>(read_le16(bytes + 2)) << 16;
}

// The GUID from its 16-byte wire (NDR, little-endian) form.
mapistore_mgmt_guid guid_from(const Napi::Uint8Array &wire) {
	const uint8_t *bytes = wire.Data();
	mapistore_mgmt_guid guid;
	guid.time_low = read_le32(bytes);
	guid.time_mid = read_le16(bytes + 4);
	guid.time_hi_and_version = read_le16(bytes + 6);
	for (size_t i = 0; i < sizeof guid.clock_seq; i++) guid.clock_seq[i] = bytes[8 + i];
	for (size_t i = 0; i < sizeof guid.node; i++) guid.node[i] = bytes[10 + i];
	return guid;
}

bool is_guid(const Napi::Value &value) {
	return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array &&
	       value.As<Napi::TypedArray>().ByteLength() == GUID_BYTES;
}

using UserCall = int (*)(mapistore_connection_info *, const char *, const char *);

// (username, backend, vuser, replicaGuid: Uint8Array(16), replId) -> return code
Napi::Value user_call(const Napi::CallbackInfo &info, UserCall call) {
	if (info.Length() != 5 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString() ||
	    !is_guid(info[3]) || !info[4].IsNumber()) {
		return type_error(info, "username, backend, vuser: string, replicaGuid: Uint8Array(16), replId: number");
	}
	std::string username = c_string(info[0]);
	std::string backend = c_string(info[1]);
	std::string vuser = c_string(info[2]);
	mapistore_connection_info conn_info = {};
	conn_info.username = username.data();
	conn_info.replica_guid = guid_from(info[3].As<Napi::Uint8Array>());
	conn_info.repl_id = static_cast<uint16_t>(info[4].As<Napi::Number>().Uint32Value());
	return Napi::Number::New(info.Env(), call(&conn_info, backend.c_str(), vuser.c_str()));
}

Napi::Value register_user(const Napi::CallbackInfo &info) {
	return user_call(info, mapistore_mgmt_backend_register_user);
}

Napi::Value unregister_user(const Napi::CallbackInfo &info) {
	return user_call(info, mapistore_mgmt_backend_unregister_user);
}

// (endpoint: string | null, heartbeatMs, queueLimit, lingerMs, maxTriples, batching) -> return
// code; 0 keeps a value (batching: MAPISTORE_MGMT_BATCHING_ON or _OFF)
Napi::Value configure(const Napi::CallbackInfo &info) {
	bool valid = info.Length() == 6 && (info[0].IsString() || info[0].IsNull());
	for (size_t i = 1; valid && i < 6; i++) valid = info[i].IsNumber();
	if (!valid) {
		return type_error(info, "endpoint: string | null, heartbeatMs, queueLimit, lingerMs, maxTriples, batching: number");
	}
	std::string endpoint = info[0].IsString() ? c_string(info[0]) : std::string();
	mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	options.endpoint = info[0].IsString() ? endpoint.c_str() : nullptr;
	options.heartbeat_ms = info[1].As<Napi::Number>().Uint32Value();
	options.queue_limit = info[2].As<Napi::Number>().Uint32Value();
	options.linger_ms = info[3].As<Napi::Number>().Uint32Value();
	options.max_triples = info[4].As<Napi::Number>().Uint32Value();
	options.batching = info[5].As<Napi::Number>().Uint32Value();
	return Napi::Number::New(info.Env(), mapistore_mgmt_configure(&options));
}

Napi::Value shutdown(const Napi::CallbackInfo &info) {
	return Napi::Number::New(info.Env(), mapistore_mgmt_shutdown());
}

// () -> the counters, u64 fields as BigInt, or the return code when the library refused
Napi::Value stats(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	mapistore_mgmt_stats stats = {};
	int code = mapistore_mgmt_get_stats(&stats, sizeof stats);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(env, code);
	Napi::Object result = Napi::Object::New(env);
	result.Set("messagesSent", Napi::BigInt::New(env, stats.messages_sent));
	result.Set("messagesDropped", Napi::BigInt::New(env, stats.messages_dropped));
	result.Set("heartbeatsSent", Napi::BigInt::New(env, stats.heartbeats_sent));
	result.Set("registrationsHeld", Napi::BigInt::New(env, stats.registrations_held));
	result.Set("triplesHeld", Napi::BigInt::New(env, stats.triples_held));
	result.Set("queueLength", Napi::BigInt::New(env, stats.queue_length));
	result.Set("epoch", Napi::BigInt::New(env, stats.epoch));
	result.Set("pid", Napi::Number::New(env, stats.pid));
	result.Set("lastError", Napi::Number::New(env, stats.last_error));
	result.Set("descriptorShortages", Napi::BigInt::New(env, stats.descriptor_shortages));
	result.Set("contextsLost", Napi::BigInt::New(env, stats.contexts_lost));
	result.Set("triplesRefused", Napi::BigInt::New(env, stats.triples_refused));
	result.Set("endpointError", Napi::Number::New(env, stats.endpoint_error));
	result.Set("connections", Napi::BigInt::New(env, stats.connections));
	return result;
}

// (code) -> "MAPISTORE_ERR_..." or null for a code the library does not know
Napi::Value error_name(const Napi::CallbackInfo &info) {
	if (info.Length() != 1 || !info[0].IsNumber()) return type_error(info, "code: number");
	const char *name = mapistore_mgmt_errname(info[0].As<Napi::Number>().Int32Value());
	return name ? Napi::String::New(info.Env(), name) : info.Env().Null();
}

// (code) -> the library's English text for it
Napi::Value error_text(const Napi::CallbackInfo &info) {
	if (info.Length() != 1 || !info[0].IsNumber()) return type_error(info, "code: number");
	return Napi::String::New(info.Env(), mapistore_mgmt_errstr(info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value version(const Napi::CallbackInfo &info) {
	return Napi::String::New(info.Env(), mapistore_mgmt_version_string());
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
	exports.Set("registerUser", Napi::Function::New<register_user>(env, "registerUser"));
	exports.Set("unregisterUser", Napi::Function::New<unregister_user>(env, "unregisterUser"));
	exports.Set("configure", Napi::Function::New<configure>(env, "configure"));
	exports.Set("shutdown", Napi::Function::New<shutdown>(env, "shutdown"));
	exports.Set("stats", Napi::Function::New<stats>(env, "stats"));
	exports.Set("errorName", Napi::Function::New<error_name>(env, "errorName"));
	exports.Set("errorText", Napi::Function::New<error_text>(env, "errorText"));
	exports.Set("version", Napi::Function::New<version>(env, "version"));
	exports.Set("BATCHING_ON", Napi::Number::New(env, MAPISTORE_MGMT_BATCHING_ON));
	exports.Set("BATCHING_OFF", Napi::Number::New(env, MAPISTORE_MGMT_BATCHING_OFF));
	exports.Set("SUCCESS", Napi::Number::New(env, MAPISTORE_SUCCESS));
	exports.Set("ERR_MSG_SEND", Napi::Number::New(env, MAPISTORE_ERR_MSG_SEND));
	add_subscriber_functions(env, exports);
	return exports;
}

} // namespace

NODE_API_MODULE(mapistore_mgmt, init)
