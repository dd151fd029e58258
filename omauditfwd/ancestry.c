/* ancestry.c -- the process table: a hash of (origin, pid) with an LRU
 * list for the cap, the walk up the parents, and /proc reads for this
 * host's processes the stream has not shown yet. See ancestry.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ancestry.h"

#define PROC_FILE_MAX  4096              /* bytes read of a /proc file */
#define PROC_PATH_MAX  (PATH_MAX + 64)
#define STAT_PPID_FIELD  4               /* proc(5): fields of /proc/PID/stat */
#define STAT_START_FIELD 22
#define INIT_PID       1

typedef struct node {
	ancestry_proc_t p;
	char origin[ANCESTRY_ORIGIN_MAX];
	uint32_t hash;
	struct node *next_hash;
	struct node *lru_prev, *lru_next;    /* most recent at lru_head */
} node_t;

struct ancestry {
	ancestry_conf_t conf;
	node_t **buckets;
	size_t nbuckets;
	node_t *lru_head, *lru_tail;
	ancestry_stats_t st;
	long ticks;                          /* clock ticks per second */
	int64_t boot_ms;                     /* btime of /proc/stat, -1 unknown */
};

void ancestry_conf_default(ancestry_conf_t *c)
{
	c->cap = ANCESTRY_DEFAULT_CAP;
	c->depth = ANCESTRY_DEFAULT_DEPTH;
	c->use_proc = 1;
	c->proc_root = "/proc";
}

static uint32_t key_hash(audit_view_t origin, uint32_t pid)
{
	uint32_t h = 2166136261u;   /* FNV-1a over the origin, then the pid */
	size_t i;

	for (i = 0; i < origin.len; i++)
		h = (h ^ (unsigned char)origin.p[i]) * 16777619u;
	for (i = 0; i < sizeof(pid); i++)
		h = (h ^ ((pid >> (8 * i)) & 0xff)) * 16777619u;
	return h;
}

static int same_origin(const node_t *n, audit_view_t origin)
{
	size_t len = origin.len < ANCESTRY_ORIGIN_MAX ? origin.len : ANCESTRY_ORIGIN_MAX - 1;

	return strlen(n->origin) == len && memcmp(n->origin, origin.p, len) == 0;
}

/* ---- LRU list ------------------------------------------------------------ */

static void lru_unlink(ancestry_t *a, node_t *n)
{
	if (n->lru_prev)
		n->lru_prev->lru_next = n->lru_next;
	else
		a->lru_head = n->lru_next;
	if (n->lru_next)
		n->lru_next->lru_prev = n->lru_prev;
	else
		a->lru_tail = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void lru_push(ancestry_t *a, node_t *n)
{
	n->lru_prev = NULL;
	n->lru_next = a->lru_head;
	if (a->lru_head)
		a->lru_head->lru_prev = n;
	a->lru_head = n;
	if (a->lru_tail == NULL)
		a->lru_tail = n;
}

/* ---- the hash ------------------------------------------------------------ */

static node_t *find(ancestry_t *a, audit_view_t origin, uint32_t pid, node_t ***slot)
{
	uint32_t h = key_hash(origin, pid);
	node_t **s = &a->buckets[h % a->nbuckets];

	for (; *s != NULL; s = &(*s)->next_hash)
		if ((*s)->hash == h && (*s)->p.pid == pid && same_origin(*s, origin)) {
			if (slot)
				*slot = s;
			return *s;
		}
	if (slot)
		*slot = s;
	return NULL;
}

static void remove_node(ancestry_t *a, node_t *n)
{
	node_t **s = &a->buckets[n->hash % a->nbuckets];

	while (*s != n)
		s = &(*s)->next_hash;
	*s = n->next_hash;
	lru_unlink(a, n);
	a->st.size--;
	free(n);
}

ancestry_t *ancestry_new(const ancestry_conf_t *conf)
{
	ancestry_t *a = calloc(1, sizeof(*a));
	char path[PROC_PATH_MAX], buf[PROC_FILE_MAX];
	FILE *f;

	if (a == NULL)
		return NULL;
	a->conf = *conf;
	if (a->conf.cap == 0)
		a->conf.cap = 1;
	if (a->conf.depth > ANCESTRY_DEPTH_MAX)
		a->conf.depth = ANCESTRY_DEPTH_MAX;
	a->nbuckets = a->conf.cap;          /* load factor 1 at the cap */
	if ((a->buckets = calloc(a->nbuckets, sizeof(*a->buckets))) == NULL) {
		free(a);
		return NULL;
	}
	a->ticks = sysconf(_SC_CLK_TCK);
	a->boot_ms = -1;
	snprintf(path, sizeof(path), "%s/stat", a->conf.proc_root);
	if (a->conf.use_proc && (f = fopen(path, "r")) != NULL) {
		while (fgets(buf, sizeof(buf), f) != NULL)
			if (strncmp(buf, "btime ", 6) == 0)
				a->boot_ms = strtoll(buf + 6, NULL, 10) * 1000;
		fclose(f);
	}
	return a;
}

void ancestry_free(ancestry_t *a)
{
	node_t *n, *next;

	if (a == NULL)
		return;
	for (n = a->lru_head; n != NULL; n = next) {
		next = n->lru_next;
		free(n);
	}
	free(a->buckets);
	free(a);
}

const ancestry_stats_t *ancestry_stats(const ancestry_t *a)
{
	return &a->st;
}

int ancestry_learn(ancestry_t *a, audit_view_t origin, const ancestry_proc_t *p)
{
	node_t **slot, *n = find(a, origin, p->pid, &slot);
	size_t len;

	if (n != NULL) {                    /* the pid is this process now */
		n->p = *p;
		lru_unlink(a, n);
		lru_push(a, n);
		return 0;
	}
	if (a->st.size >= a->conf.cap) {
		remove_node(a, a->lru_tail);
		a->st.evictions++;
		find(a, origin, p->pid, &slot);  /* the chain may have changed */
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	n->p = *p;
	len = origin.len < ANCESTRY_ORIGIN_MAX ? origin.len : ANCESTRY_ORIGIN_MAX - 1;
	memcpy(n->origin, origin.p, len);
	n->hash = key_hash(origin, p->pid);
	*slot = n;
	lru_push(a, n);
	a->st.size++;
	return 0;
}

/* ---- /proc --------------------------------------------------------------- */

/* the first SIZE-1 bytes of PROC_ROOT/PID/NAME into BUF; length or -1 */
static ssize_t proc_read(const ancestry_t *a, uint32_t pid, const char *name, char *buf,
                         size_t size)
{
	char path[PROC_PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/%s", a->conf.proc_root, pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static long long status_uid(const char *status)
{
	const char *p = strstr(status, "\nUid:");

	return p != NULL ? strtoll(p + 5, NULL, 10) : ANCESTRY_ID_UNKNOWN;
}

/* PID of this host from /proc, if it started no later than EVENT_MS */
static int proc_lookup(ancestry_t *a, uint32_t pid, int64_t event_ms, ancestry_proc_t *p)
{
	char buf[PROC_FILE_MAX], path[PROC_PATH_MAX], *close_paren, *f;
	unsigned long long start = 0;
	ssize_t n;
	int field;

	if (a->boot_ms < 0 || a->ticks <= 0 || proc_read(a, pid, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	/* "PID (comm) S PPID ...": comm may hold spaces and parentheses */
	if ((close_paren = strrchr(buf, ')')) == NULL || (f = strchr(buf, '(')) == NULL)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	n = close_paren - f - 1;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(n < 0 ? 0 : n), f + 1);
	for (field = 3, f = close_paren + 2; field < STAT_START_FIELD && f != NULL; field++) {
		if (field == STAT_PPID_FIELD)
			p->ppid = (uint32_t)strtoul(f, NULL, 10);
		f = strchr(f, ' ');
		if (f != NULL)
			f++;
	}
	if (f == NULL)
		return -1;
	start = strtoull(f, NULL, 10);
	if (a->boot_ms + (int64_t)(start * 1000 / (unsigned long long)a->ticks) >
	    event_ms + ANCESTRY_START_SLACK_MS)
		return -1;                      /* started after the event: reused */
	snprintf(path, sizeof(path), "%s/%u/exe", a->conf.proc_root, pid);
	if ((n = readlink(path, p->exe, sizeof(p->exe) - 1)) > 0)
		p->exe[n] = '\0';
	if ((n = proc_read(a, pid, "cmdline", p->argv, sizeof(p->argv))) > 0) {
		ssize_t i;

		while (n > 0 && p->argv[n - 1] == '\0')
			n--;
		for (i = 0; i < n; i++)
			if (p->argv[i] == '\0')
				p->argv[i] = ' ';
		p->argv[n] = '\0';
	}
	p->uid = proc_read(a, pid, "status", buf, sizeof(buf)) > 0 ? status_uid(buf) :
	         ANCESTRY_ID_UNKNOWN;
	p->auid = proc_read(a, pid, "loginuid", buf, sizeof(buf)) > 0 ?
	          strtoll(buf, NULL, 10) : ANCESTRY_ID_UNKNOWN;
	p->from_proc = 1;
	return 0;
}

/* ---- the walk ------------------------------------------------------------ */

size_t ancestry_chain(ancestry_t *a, audit_view_t origin, int local, uint32_t ppid,
                      int64_t event_ms, ancestry_proc_t *out, size_t max)
{
	size_t n = 0, i;
	uint32_t pid = ppid;

	if (max > a->conf.depth)
		max = a->conf.depth;
	while (n < max && pid != 0) {
		node_t *node = find(a, origin, pid, NULL);

		for (i = 0; i < n; i++)          /* a loop: stop */
			if (out[i].pid == pid)
				return n;
		if (node != NULL) {
			a->st.hits++;
			lru_unlink(a, node);
			lru_push(a, node);
			out[n] = node->p;
		} else if (local && a->conf.use_proc && proc_lookup(a, pid, event_ms, &out[n]) == 0) {
			a->st.proc_reads++;
			if (ancestry_learn(a, origin, &out[n]) != 0)
				return n + 1;
		} else {
			a->st.misses++;
			return n;
		}
		if (pid == INIT_PID)
			return n + 1;
		pid = out[n++].ppid;
	}
	return n;
}
