/* test_deadletter.c -- the dead-letter file: entries read back exactly,
 * whatever bytes a message holds (LF, NUL, text that looks like an entry
 * header), reasons reduced to names, the file's mode, symbolic links
 * refused, and the file name derived from the statsname. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deadletter.h"
#include "deadletter_reader.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_deadletter.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(deadletter, .init = setup, .fini = teardown);

Test(deadletter, entries_read_back_exactly_whatever_they_hold)
{
	/* a message that carries a forged entry of its own after a LF */
	static const char forged[] = "{\"a\":\"x\n"
		"omauditfwd-deadletter 1 2020-01-01T00:00:00.000Z FORGED 1 - 1\nta\n\"}";
	static const char binary[] = { 'b', '\0', '\n', '\r', (char)0xff, 'z' };
	deadletter_entry_t v[3] = {
		{ "MSG_SIZE_TOO_LARGE", "audit", 5, "web01", 5, forged, sizeof(forged) - 1 },
		{ "INVALID_RECORD", "audit.x", 7, NULL, 0, binary, sizeof(binary) },
		{ "bad reason\nX 1 2 3", "t", 1, "", 0, "", 0 },
	};
	char path[128], err[256];
	dl_file_t d;
	struct stat st;

	snprintf(path, sizeof(path), "%s/dl", dir);
	cr_assert_eq(deadletter_append(path, v, 2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(deadletter_append(path, v + 2, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(dl_read(path, &d), 0);
	cr_assert_not(d.malformed);
	cr_assert_eq(d.n, 3);
	cr_assert_str_eq(d.e[0].reason, "MSG_SIZE_TOO_LARGE");
	cr_assert_str_eq(d.e[0].topic, "audit");
	cr_assert_str_eq(d.e[0].key, "web01");
	cr_assert_eq(d.e[0].len, sizeof(forged) - 1);
	cr_assert_eq(memcmp(d.e[0].msg, forged, d.e[0].len), 0);
	cr_assert_eq(strlen(d.e[0].time), 24, "%s", d.e[0].time);   /* ...T..:..:..mmmZ */
	cr_assert_str_eq(d.e[1].reason, "INVALID_RECORD");
	cr_assert_null(d.e[1].key, "no key is '-', not an empty key");
	cr_assert_eq(d.e[1].len, sizeof(binary));
	cr_assert_eq(memcmp(d.e[1].msg, binary, sizeof(binary)), 0);
	cr_assert_str_eq(d.e[2].reason, "bad_reason_X_1_2_3");
	cr_assert_not_null(d.e[2].key, "an empty key is kept apart from none");
	cr_assert_eq(d.e[2].klen, 0);
	cr_assert_eq(d.e[2].len, 0);
	dl_free(&d);
}

Test(deadletter, unwritable_places_fail_with_the_reason)
{
	deadletter_entry_t e = { "X", "t", 1, NULL, 0, "m", 1 };
	char path[128], link[128], err[256];

	snprintf(path, sizeof(path), "%s/missing/dl", dir);
	cr_assert_eq(deadletter_append(path, &e, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, path) != NULL && strstr(err, "No such file") != NULL, "%s", err);
	/* a link planted where the file goes is not followed */
	snprintf(path, sizeof(path), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/dl", dir);
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(deadletter_append(link, &e, 1, err, sizeof(err)), -1);
	cr_assert_eq(access(path, F_OK), -1, "the link's target was created");
	cr_assert_eq(deadletter_append(NULL, &e, 1, err, sizeof(err)), -1);
}

Test(deadletter, path_from_statsname)
{
	char out[128];

	cr_assert_eq(deadletter_path(out, sizeof(out), "/var/spool/rsyslog", "to-kafka"), 0);
	cr_assert_str_eq(out, "/var/spool/rsyslog/omauditfwd-to-kafka.deadletter");
	cr_assert_eq(deadletter_path(out, sizeof(out), "/w", "omauditfwd-kafka:audit/x"), 0);
	cr_assert_str_eq(out, "/w/omauditfwd-kafka_audit_x.deadletter");
	cr_assert_eq(deadletter_path(out, 20, "/w", "a-long-statsname"), -1);
}
