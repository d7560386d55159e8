/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For unit tests of `ctl --json` replies: parse them back with an
 * independent parser (json-glib), so a test checks the JSON a script would
 * read, not the writer's own idea of it.
 */
#ifndef ENL_TEST_JSON_CHECK_H
#define ENL_TEST_JSON_CHECK_H

#include <string.h>

#include <json-glib/json-glib.h>

/*
 * The reply's JSON (one object on one line, ending in a newline) as a
 * parsed root, or NULL when it is not exactly that. Free with
 * json_node_unref().
 */
static inline JsonNode *json_check_reply(const char *reply)
{
	g_autoptr(JsonParser) p = json_parser_new();
	size_t len = strlen(reply);
	JsonNode *root;

	if (!len || reply[len - 1] != '\n' || memchr(reply, '\n', len - 1))
		return NULL;
	if (!json_parser_load_from_data(p, reply, (gssize)len, NULL))
		return NULL;
	root = json_parser_get_root(p);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_ref(root);
}

/* The "data" member of a reply {"ok":true,...}, NULL if not ok. */
static inline JsonNode *json_check_data(JsonNode *root)
{
	JsonObject *o = root ? json_node_get_object(root) : NULL;

	if (!o || !json_object_has_member(o, "ok") ||
	    !json_object_get_boolean_member(o, "ok") ||
	    !json_object_has_member(o, "data"))
		return NULL;
	return json_object_get_member(o, "data");
}

/*
 * A member by path: "a.b.0.c" walks objects by name and arrays by index.
 * NULL when any step is missing.
 */
static inline JsonNode *json_check_at(JsonNode *n, const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, ".", -1);

	for (char **p = parts; n && *p; p++) {
		if (JSON_NODE_HOLDS_OBJECT(n)) {
			JsonObject *o = json_node_get_object(n);

			n = json_object_has_member(o, *p) ?
			    json_object_get_member(o, *p) : NULL;
		} else if (JSON_NODE_HOLDS_ARRAY(n)) {
			JsonArray *a = json_node_get_array(n);
			char *end;
			guint64 i = g_ascii_strtoull(*p, &end, 10);

			n = !*end && i < json_array_get_length(a) ?
			    json_array_get_element(a, (guint)i) : NULL;
		} else {
			n = NULL;
		}
	}
	return n;
}

/* The string at path, or NULL. */
static inline const char *json_check_str(JsonNode *n, const char *path)
{
	n = json_check_at(n, path);
	return n && JSON_NODE_HOLDS_VALUE(n) &&
	       json_node_get_value_type(n) == G_TYPE_STRING ?
	       json_node_get_string(n) : NULL;
}

/* The integer at path, or -1. */
static inline gint64 json_check_int(JsonNode *n, const char *path)
{
	n = json_check_at(n, path);
	return n && JSON_NODE_HOLDS_VALUE(n) &&
	       json_node_get_value_type(n) == G_TYPE_INT64 ?
	       json_node_get_int(n) : -1;
}

/* Elements of the array at path, or -1. */
static inline gint64 json_check_len(JsonNode *n, const char *path)
{
	n = json_check_at(n, path);
	return n && JSON_NODE_HOLDS_ARRAY(n) ?
	       (gint64)json_array_get_length(json_node_get_array(n)) : -1;
}

#endif /* ENL_TEST_JSON_CHECK_H */
