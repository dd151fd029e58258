/* ancestry.c -- the process table: a hash of (origin, pid) with an LRU
 * list for the cap, the walk up the parents, and /proc reads for this
 * host's processes the stream has not shown yet. See ancestry.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ancestry.h"
#include "format.h"
#include "hmap.h"
#include "interpret.h"

#define PROC_FILE_MAX  4096              /* bytes read of a /proc file */
#define PROC_PATH_MAX  (PATH_MAX + 64)
#define STAT_PPID_FIELD  4               /* proc(5): fields of /proc/PID/stat */
#define STAT_START_FIELD 22
#define INIT_PID       1
#define ANCESTRY_TIME_MAX_S (INT64_MAX / 4000)   /* a forged time cannot overflow */

typedef struct node {
	ancestry_proc_t p;
	char origin[ANCESTRY_ORIGIN_MAX];
	hmap_node_t hnode;                   /* in the table, by key_hash */
	struct node *lru_prev, *lru_next;    /* most recent at lru_head */
} node_t;

struct ancestry {
	ancestry_conf_t conf;
	hmap_t table;                        /* the nodes by (origin, pid) */
	node_t *lru_head, *lru_tail;
	ancestry_stats_t st;
	long ticks;                          /* clock ticks per second */
	int64_t boot_ms;                     /* btime of /proc/stat, -1 unknown */
	pthread_mutex_t mu;
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

static node_t *find(ancestry_t *a, audit_view_t origin, uint32_t pid)
{
	uint32_t h = key_hash(origin, pid);
	hmap_node_t *hn;

	for (hn = hmap_chain(&a->table, h); hn != NULL; hn = hn->next) {
		node_t *n = HMAP_ENTRY(hn, node_t, hnode);

		if (hn->hash == h && n->p.pid == pid && same_origin(n, origin))
			return n;
	}
	return NULL;
}

static void remove_node(ancestry_t *a, node_t *n)
{
	hmap_remove(&a->table, &n->hnode);
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
	if (hmap_init(&a->table, a->conf.cap) != 0) {   /* load <= 1 at the cap */
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->mu, NULL);
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
	hmap_free(&a->table);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

const ancestry_stats_t *ancestry_stats(const ancestry_t *a)
{
	return &a->st;
}

static int learn(ancestry_t *a, audit_view_t origin, const ancestry_proc_t *p, int exec)
{
	node_t *n = find(a, origin, p->pid);
	size_t len;

	if (n != NULL) {                    /* an execve: the pid is this process now */
		if (exec)
			n->p = *p;
		lru_unlink(a, n);
		lru_push(a, n);
		return 0;
	}
	if (a->st.size >= a->conf.cap) {
		remove_node(a, a->lru_tail);
		a->st.evictions++;
	}
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -1;
	n->p = *p;
	len = origin.len < ANCESTRY_ORIGIN_MAX ? origin.len : ANCESTRY_ORIGIN_MAX - 1;
	memcpy(n->origin, origin.p, len);
	hmap_insert(&a->table, &n->hnode, key_hash(origin, p->pid));
	lru_push(a, n);
	a->st.size++;
	return 0;
}

int ancestry_learn(ancestry_t *a, audit_view_t origin, const ancestry_proc_t *p, int exec)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	rc = learn(a, origin, p, exec);
	pthread_mutex_unlock(&a->mu);
	return rc;
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

static size_t chain(ancestry_t *a, audit_view_t origin, int local, uint32_t ppid,
                    int64_t event_ms, ancestry_proc_t *out, size_t max)
{
	size_t n = 0, i;
	uint32_t pid = ppid;

	if (max > a->conf.depth)
		max = a->conf.depth;
	while (n < max && pid != 0) {
		node_t *node = find(a, origin, pid);

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
			if (learn(a, origin, &out[n], 1) != 0)
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

size_t ancestry_chain(ancestry_t *a, audit_view_t origin, int local, uint32_t ppid,
                      int64_t event_ms, ancestry_proc_t *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&a->mu);
	n = chain(a, origin, local, ppid, event_ms, out, max);
	pthread_mutex_unlock(&a->mu);
	return n;
}

/* ---- events ------------------------------------------------------------ */

static long long view_id(audit_view_t v)
{
	long long n = 0;
	size_t i;

	if (v.len == 0 || v.len > 10)
		return ANCESTRY_ID_UNKNOWN;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return ANCESTRY_ID_UNKNOWN;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

/* F's value (hex decoded with B) into DST (SIZE bytes, cut there) */
static void copy_value(const audit_field_t *f, buf_t *b, char *dst, size_t size)
{
	audit_view_t v;

	dst[0] = '\0';
	if (f == NULL)
		return;
	v = f->value;
	if (f->enc == AUDIT_ENC_HEX) {
		buf_reset(b);
		if (interp_unhex(v.p, v.len, b) && !b->oom) {
			v.p = b->p;
			v.len = b->len;
		}
	}
	snprintf(dst, size, "%.*s", (int)(v.len < size ? v.len : size - 1), v.p);
}

static long long field_id(const audit_record_t *r, const char *name)
{
	const audit_field_t *f = audit_record_field(r, name);

	return f != NULL ? view_id(f->value) : ANCESTRY_ID_UNKNOWN;
}

/* the arguments a0, a1, ... of an EXECVE record, joined by spaces, cut */
static void execve_argv(const audit_record_t *r, buf_t *b, char *dst, size_t size)
{
	char one[ANCESTRY_ARGV_MAX];
	size_t i, len = 0;

	dst[0] = '\0';
	for (i = 0; i < r->nfields && len + 1 < size; i++) {
		const audit_field_t *f = &r->fields[i];
		size_t k;

		if (f->name.len < 2 || f->name.p[0] != 'a')
			continue;
		for (k = 1; k < f->name.len && f->name.p[k] >= '0' && f->name.p[k] <= '9'; k++)
			;
		if (k != f->name.len)
			continue;                  /* aN[i], aN_len: not whole arguments */
		copy_value(f, b, one, sizeof(one));
		len += (size_t)snprintf(dst + len, size - len, "%s%s", len ? " " : "", one);
	}
}

size_t ancestry_event(ancestry_t *a, const audit_record_t *const *recs, size_t n,
                      audit_view_t origin, int local, buf_t *b, ancestry_proc_t *out,
                      size_t max)
{
	const audit_record_t *r = NULL, *execve = NULL;
	const audit_field_t *success;
	ancestry_proc_t self;
	size_t i, nout;
	long long pid, ppid;

	for (i = 0; i < n; i++) {
		if (r == NULL && audit_record_field(recs[i], "ppid") != NULL)
			r = recs[i];
		if (execve == NULL && recs[i]->type_str != NULL &&
		    strcmp(recs[i]->type_str, "EXECVE") == 0)
			execve = recs[i];
	}
	if (r == NULL || (pid = field_id(r, "pid")) < 0 || (ppid = field_id(r, "ppid")) < 0)
		return 0;
	nout = ancestry_chain(a, origin, local, (uint32_t)ppid,
	                      r->sec < 0 ? 0 : r->sec > ANCESTRY_TIME_MAX_S ?
	                      ANCESTRY_TIME_MAX_S * 1000 : r->sec * 1000 + r->msec, out, max);
	memset(&self, 0, sizeof(self));
	self.pid = (uint32_t)pid;
	self.ppid = (uint32_t)ppid;
	copy_value(audit_record_field(r, "exe"), b, self.exe, sizeof(self.exe));
	copy_value(audit_record_field(r, "comm"), b, self.comm, sizeof(self.comm));
	self.uid = field_id(r, "uid");
	self.auid = field_id(r, "auid");
	success = audit_record_field(r, "success");
	if (execve != NULL && !(success != NULL && success->value.len == 2 &&
	                        memcmp(success->value.p, "no", 2) == 0))
		execve_argv(execve, b, self.argv, sizeof(self.argv));
	else
		execve = NULL;
	(void)ancestry_learn(a, origin, &self, execve != NULL);  /* no memory: unlearnt */
	return nout;
}

static void json_member(buf_t *out, const char *name, const char *v, int first)
{
	buf_printf(out, "%s\"%s\":\"", first ? "" : ",", name);
	format_json_escape(out, v, strlen(v));
	buf_putc(out, '"');
}

void ancestry_json(buf_t *out, const ancestry_proc_t *p, size_t n)
{
	size_t i;

	buf_puts(out, ",\"ancestry\":[");
	for (i = 0; i < n; i++) {
		buf_printf(out, "%s{\"pid\":\"%u\",\"ppid\":\"%u\"", i ? "," : "", p[i].pid,
		           p[i].ppid);
		if (p[i].exe[0])
			json_member(out, "exe", p[i].exe, 0);
		if (p[i].comm[0])
			json_member(out, "comm", p[i].comm, 0);
		if (p[i].argv[0])
			json_member(out, "argv", p[i].argv, 0);
		if (p[i].uid != ANCESTRY_ID_UNKNOWN)
			buf_printf(out, ",\"uid\":\"%lld\"", p[i].uid);
		if (p[i].auid != ANCESTRY_ID_UNKNOWN)
			buf_printf(out, ",\"auid\":\"%lld\"", p[i].auid);
		buf_putc(out, '}');
	}
	buf_putc(out, ']');
}
