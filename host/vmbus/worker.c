// SPDX-License-Identifier: GPL-2.0-only
/* Worker threads with their own main context (see worker.h). */
#include <stdbool.h>

#include "worker.h"

struct enl_vmbus_worker {
	GMainContext *ctx;
	GMainLoop *loop;
	GThread *thread;
};

static gpointer worker_main(gpointer data)
{
	struct enl_vmbus_worker *w = data;

	/* VSPs attach timers and fds to "their" context: this one. */
	g_main_context_push_thread_default(w->ctx);
	g_main_loop_run(w->loop);
	g_main_context_pop_thread_default(w->ctx);
	return NULL;
}

struct enl_vmbus_worker *enl_vmbus_worker_new(const char *name)
{
	struct enl_vmbus_worker *w = g_new0(struct enl_vmbus_worker, 1);
	GError *err = NULL;

	w->ctx = g_main_context_new();
	w->loop = g_main_loop_new(w->ctx, FALSE);
	w->thread = g_thread_try_new(name, worker_main, w, &err);
	if (!w->thread) {
		g_warning("vmbus: cannot start worker %s: %s", name,
			  err->message);
		g_error_free(err);
		g_main_loop_unref(w->loop);
		g_main_context_unref(w->ctx);
		g_free(w);
		return NULL;
	}
	return w;
}

GMainContext *enl_vmbus_worker_context(const struct enl_vmbus_worker *w)
{
	return w->ctx;
}

static gboolean quit_cb(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_REMOVE;
}

void enl_vmbus_worker_free(struct enl_vmbus_worker *w)
{
	GSource *s;

	if (!w)
		return;
	/*
	 * From a source on the loop, not g_main_loop_quit() here: a quit
	 * before the thread entered g_main_loop_run() would be forgotten.
	 */
	s = g_idle_source_new();
	g_source_set_priority(s, G_PRIORITY_HIGH);
	g_source_set_callback(s, quit_cb, w->loop, NULL);
	g_source_attach(s, w->ctx);
	g_source_unref(s);
	g_thread_join(w->thread);
	g_main_loop_unref(w->loop);
	g_main_context_unref(w->ctx);
	g_free(w);
}

struct call {
	void (*fn)(void *data);
	void *data;
	GMutex lock;
	GCond cond;
	bool done;
};

static gboolean call_cb(gpointer data)
{
	struct call *c = data;

	c->fn(c->data);
	g_mutex_lock(&c->lock);
	c->done = true;
	g_cond_signal(&c->cond);
	g_mutex_unlock(&c->lock);
	return G_SOURCE_REMOVE;
}

void enl_vmbus_context_call(GMainContext *ctx, void (*fn)(void *data),
			    void *data)
{
	struct call c = { .fn = fn, .data = data };
	GSource *s;

	if (!ctx)
		ctx = g_main_context_default();
	if (g_main_context_is_owner(ctx)) {
		fn(data);
		return;
	}
	/*
	 * Nobody runs the main context right now (a unit test, shutdown): run
	 * it here. A worker's context is always left to its own thread.
	 */
	if (ctx == g_main_context_default() && g_main_context_acquire(ctx)) {
		fn(data);
		g_main_context_release(ctx);
		return;
	}
	g_mutex_init(&c.lock);
	g_cond_init(&c.cond);
	s = g_idle_source_new();
	/* Ahead of queued packet work: control must not wait for a flood. */
	g_source_set_priority(s, G_PRIORITY_HIGH);
	g_source_set_callback(s, call_cb, &c, NULL);
	g_source_attach(s, ctx);
	g_source_unref(s);
	g_mutex_lock(&c.lock);
	while (!c.done)
		g_cond_wait(&c.cond, &c.lock);
	g_mutex_unlock(&c.lock);
	g_mutex_clear(&c.lock);
	g_cond_clear(&c.cond);
}
