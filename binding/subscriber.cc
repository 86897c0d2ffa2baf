/* SPDX-License-Identifier: GPL-3.0-or-later */
// The new-mail subscriber for Node: a handle (a Napi::External) over the C subscriber, and a
// watcher so that JavaScript can wait for notifications without blocking its thread.
//
// The watcher is a thread of the handle's own that poll()s the subscriber's descriptor (poll
// only looks at it: the socket itself is used by the JavaScript thread alone) while armed, and
// calls back through a thread-safe function. Node's own libuv headers are not needed (an
// offline build has only the Node-API headers). A wait keeps the event loop alive, as a
// pending socket read does; an idle subscriber does not.
//
// Like the rest of the addon, every function returns what the C library returned (a code, or
// the value asked for) and throws only a TypeError for arguments of the wrong JavaScript type.
// The handle is closed by subscriberClose() or, failing that, when it is garbage-collected.
#include "subscriber.h"

#include <mapistore/mapistore_mgmt.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "c_string.h"

namespace {

// Lives until its thread-safe function is finalized, after the last queued call has run.
struct Watch {
	Napi::ThreadSafeFunction callback;
	std::thread thread;
	std::mutex lock;
	std::condition_variable changed;
	bool armed = false;    // a wait is pending: poll the descriptor
	bool stopping = false; // the handle closes
	bool referenced = false; // the callback keeps the event loop alive (JavaScript thread only)
	int fd = -1;           // the subscriber's (edge-triggered) descriptor
	int wake_fd = -1;      // an eventfd that ends a poll() at close

	void run() {
		for (;;) {
			{
				std::unique_lock<std::mutex> held(lock);
				changed.wait(held, [this] { return armed || stopping; });
				if (stopping) return;
			}
			pollfd items[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
			int ready = poll(items, 2, -1);
			if (ready < 0 && errno == EINTR) continue;
			if (ready > 0 && items[1].revents) continue; // close: `stopping` is set
			// The descriptor signalled (it stays readable until next() runs), or poll()
			// failed (next() then reports the subscriber's error): disarm, call back.
			{
				std::lock_guard<std::mutex> held(lock);
				armed = false;
			}
			callback.NonBlockingCall([this](Napi::Env env, Napi::Function waiter) {
				if (referenced) {
					callback.Unref(env);
					referenced = false;
				}
				waiter.Call({});
			});
		}
	}

	// Ends the thread; the thread-safe function's finalizer then frees this.
	void stop() {
		{
			std::lock_guard<std::mutex> held(lock);
			stopping = true;
		}
		changed.notify_one();
		uint64_t one = 1;
		(void)!write(wake_fd, &one, sizeof one);
		thread.join();
		callback.Release();
	}
};

struct Handle {
	mapistore_mgmt_subscriber *subscriber = nullptr;
	Watch *watch = nullptr;
};

Napi::Value type_error(const Napi::CallbackInfo &info, const char *signature) {
	Napi::TypeError::New(info.Env(), std::string("expected (") + signature + ")")
		.ThrowAsJavaScriptException();
	return info.Env().Undefined();
}

// Stops the watcher and closes the C subscriber: idempotent.
void close_handle(Handle *handle) {
	if (handle->watch) {
		handle->watch->stop();
		handle->watch = nullptr;
	}
	mapistore_mgmt_subscriber_destroy(&handle->subscriber);
}

// The open handle of argument `index`, or nullptr (a TypeError is then pending).
Handle *handle_of(const Napi::CallbackInfo &info, size_t index) {
	if (info.Length() <= index || !info[index].IsExternal()) return nullptr;
	return info[index].As<Napi::External<Handle>>().Data();
}

// (endpoint: string | null) -> handle | return code
Napi::Value subscriber_new(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	if (info.Length() != 1 || !(info[0].IsString() || info[0].IsNull())) {
		return type_error(info, "endpoint: string | null");
	}
	std::string endpoint =
		info[0].IsString() ? c_string_from_utf16(info[0].As<Napi::String>().Utf16Value()) : "";
	mapistore_mgmt_subscriber *subscriber = nullptr;
	int code = mapistore_mgmt_subscriber_new(info[0].IsString() ? endpoint.c_str() : nullptr, &subscriber);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(env, code);
	Handle *handle = new Handle();
	handle->subscriber = subscriber;
	return Napi::External<Handle>::New(env, handle, [](Napi::Env, Handle *doomed) {
		close_handle(doomed);
		delete doomed;
	});
}

using SubscriptionCall = int (*)(mapistore_mgmt_subscriber *, const char *);

// (handle, username) -> return code
Napi::Value subscription(const Napi::CallbackInfo &info, SubscriptionCall call) {
	Handle *handle = handle_of(info, 0);
	if (!handle || info.Length() != 2 || !info[1].IsString()) {
		return type_error(info, "handle, username: string");
	}
	std::string username = c_string_from_utf16(info[1].As<Napi::String>().Utf16Value());
	return Napi::Number::New(info.Env(), call(handle->subscriber, username.c_str()));
}

Napi::Value subscriber_subscribe(const Napi::CallbackInfo &info) {
	return subscription(info, mapistore_mgmt_subscriber_subscribe);
}

Napi::Value subscriber_unsubscribe(const Napi::CallbackInfo &info) {
	return subscription(info, mapistore_mgmt_subscriber_unsubscribe);
}

// (handle) -> { fd } | return code
Napi::Value subscriber_fd(const Napi::CallbackInfo &info) {
	Handle *handle = handle_of(info, 0);
	if (!handle) return type_error(info, "handle");
	int fd = -1;
	int code = mapistore_mgmt_subscriber_fd(handle->subscriber, &fd);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(info.Env(), code);
	Napi::Object result = Napi::Object::New(info.Env());
	result.Set("fd", Napi::Number::New(info.Env(), fd));
	return result;
}

// (handle) -> the next notification | return code (MAPISTORE_ERR_NOT_AVAILABLE: none waits)
Napi::Value subscriber_next(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	Handle *handle = handle_of(info, 0);
	if (!handle) return type_error(info, "handle");
	mapistore_mgmt_notification n;
	int code = mapistore_mgmt_subscriber_next(handle->subscriber, &n);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(env, code);
	Napi::Object result = Napi::Object::New(env);
	result.Set("backend", Napi::String::New(env, n.backend));
	result.Set("username", Napi::String::New(env, n.username));
	result.Set("vuser", Napi::String::New(env, n.vuser));
	result.Set("folder", Napi::String::New(env, n.folder));
	result.Set("messageId", Napi::String::New(env, n.message_id));
	result.Set("uidvalidity", Napi::Number::New(env, n.uidvalidity));
	result.Set("sender", Napi::String::New(env, n.sender));
	result.Set("subject", Napi::String::New(env, n.subject));
	mapistore_mgmt_notification_clear(&n);
	return result;
}

// (handle) -> the counters (u64 as BigInt) | return code
Napi::Value subscriber_stats(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	Handle *handle = handle_of(info, 0);
	if (!handle) return type_error(info, "handle");
	mapistore_mgmt_subscriber_stats stats;
	int code = mapistore_mgmt_subscriber_get_stats(handle->subscriber, &stats, sizeof stats);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(env, code);
	Napi::Object result = Napi::Object::New(env);
	result.Set("delivered", Napi::BigInt::New(env, stats.delivered));
	result.Set("malformed", Napi::BigInt::New(env, stats.malformed));
	result.Set("dropped", Napi::BigInt::New(env, stats.dropped));
	result.Set("lastMalformed",
		   stats.last_malformed ? Napi::String::New(env, stats.last_malformed) : env.Null());
	return result;
}

// (handle, callback) -> return code: starts the handle's watcher, which calls `callback` (no
// arguments) at each edge of the descriptor after subscriberWait(). Once per handle.
Napi::Value subscriber_watch(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	Handle *handle = handle_of(info, 0);
	if (!handle || info.Length() != 2 || !info[1].IsFunction()) {
		return type_error(info, "handle, callback: function");
	}
	if (handle->watch) return Napi::Number::New(env, MAPISTORE_ERR_ALREADY_INITIALIZED);
	int fd = -1;
	int code = mapistore_mgmt_subscriber_fd(handle->subscriber, &fd);
	if (code != MAPISTORE_SUCCESS) return Napi::Number::New(env, code);
	Watch *watch = new Watch();
	watch->fd = fd;
	watch->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (watch->wake_fd < 0) {
		delete watch;
		return Napi::Number::New(env, MAPISTORE_ERR_CONTEXT_FAILED);
	}
	watch->callback = Napi::ThreadSafeFunction::New(
		env, info[1].As<Napi::Function>(), "mapistore-mgmt:subscriber", 0, 1, watch,
		[](Napi::Env, Watch *done) {
			close(done->wake_fd);
			delete done;
		});
	watch->callback.Unref(env);
	watch->thread = std::thread([watch] { watch->run(); });
	handle->watch = watch;
	return Napi::Number::New(env, MAPISTORE_SUCCESS);
}

// (handle) -> return code: the watcher's callback runs once, at the descriptor's next edge
// (at once if it signalled since the last next()). Call it only once next() found nothing.
Napi::Value subscriber_wait(const Napi::CallbackInfo &info) {
	Napi::Env env = info.Env();
	Handle *handle = handle_of(info, 0);
	if (!handle) return type_error(info, "handle");
	if (!handle->watch) return Napi::Number::New(env, MAPISTORE_ERR_NOT_INITIALIZED);
	Watch *watch = handle->watch;
	if (!watch->referenced) {
		watch->callback.Ref(env);
		watch->referenced = true;
	}
	{
		std::lock_guard<std::mutex> held(watch->lock);
		watch->armed = true;
	}
	watch->changed.notify_one();
	return Napi::Number::New(env, MAPISTORE_SUCCESS);
}

// (handle) -> undefined: closes at once; a pending wait ends without a call.
Napi::Value subscriber_close(const Napi::CallbackInfo &info) {
	Handle *handle = handle_of(info, 0);
	if (!handle) return type_error(info, "handle");
	close_handle(handle);
	return info.Env().Undefined();
}

} // namespace

void add_subscriber_functions(Napi::Env env, Napi::Object exports) {
	exports.Set("subscriberNew", Napi::Function::New<subscriber_new>(env, "subscriberNew"));
	exports.Set("subscriberSubscribe", Napi::Function::New<subscriber_subscribe>(env, "subscriberSubscribe"));
	exports.Set("subscriberUnsubscribe",
		    Napi::Function::New<subscriber_unsubscribe>(env, "subscriberUnsubscribe"));
	exports.Set("subscriberFd", Napi::Function::New<subscriber_fd>(env, "subscriberFd"));
	exports.Set("subscriberNext", Napi::Function::New<subscriber_next>(env, "subscriberNext"));
	exports.Set("subscriberStats", Napi::Function::New<subscriber_stats>(env, "subscriberStats"));
	exports.Set("subscriberWatch", Napi::Function::New<subscriber_watch>(env, "subscriberWatch"));
	exports.Set("subscriberWait", Napi::Function::New<subscriber_wait>(env, "subscriberWait"));
	exports.Set("subscriberClose", Napi::Function::New<subscriber_close>(env, "subscriberClose"));
	exports.Set("ERR_NOT_AVAILABLE", Napi::Number::New(env, MAPISTORE_ERR_NOT_AVAILABLE));
}
