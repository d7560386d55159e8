// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-status: is this VM enlightened? Lists the guest's devices with their
 * drivers, the VMBus channels and the integration daemons, and exits 0
 * only when every part is synthetic and ready (enl-status(1)).
 */
#include <stdio.h>
#include <stdlib.h>
#include "report.h"

/* Exit statuses, as enl-status(1) documents them. */
enum { EXIT_ENLIGHTENED = 0, EXIT_NOT_ENLIGHTENED = 1, EXIT_USAGE = 2 };

int main(int argc, char **argv)
{
	gboolean json = FALSE, version = FALSE;
	g_autofree char *root = NULL, *kernel = NULL;
	GOptionEntry entries[] = {
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json,
		  "Print one JSON object (for scripts and image builds)", NULL },
		{ "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
		  "Read /sys, /proc and /lib/modules below DIR "
		  "(default: $ENL_STATUS_ROOT, else /)", "DIR" },
		{ "kernel", 0, 0, G_OPTION_ARG_STRING, &kernel,
		  "Kernel release whose modules.builtin is checked "
		  "(default: the running one)", "RELEASE" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version,
		  "Print the version", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"- is this VM enlightened?");
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	struct status st;
	int rc;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_description(ctx,
		"Exit status: 0 fully enlightened, 1 not, 2 usage error.\n"
		"See enl-status(1).");
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc > 1) {
		fprintf(stderr, "enl-status: %s\n",
			err ? err->message : "no arguments expected");
		return EXIT_USAGE;
	}
	if (version) {
		printf("enl-status %s\n", ENL_VERSION);
		return EXIT_ENLIGHTENED;
	}
	if (!root && getenv("ENL_STATUS_ROOT") && *getenv("ENL_STATUS_ROOT"))
		root = g_strdup(getenv("ENL_STATUS_ROOT"));
	if (!root)
		root = g_strdup("/");
	if (!g_file_test(root, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "enl-status: root %s is not a directory\n", root);
		return EXIT_USAGE;
	}
	status_collect(&st, root, kernel);
	if (json)
		status_json(out, &st);
	else
		status_text(out, &st);
	rc = st.enlightened ? EXIT_ENLIGHTENED : EXIT_NOT_ENLIGHTENED;
	status_clear(&st);
	if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout)) {
		perror("enl-status: stdout");
		return EXIT_USAGE;
	}
	return rc;
}
