/* ancestry.h -- the process table behind process ancestry (issue 16, part
 * 3): which process is whose parent, per origin, as the audit stream
 * showed it, and for this host's own processes as /proc shows them.
 *
 * Processes are learnt from events (an execve's SYSCALL: pid, ppid, exe,
 * comm, uid, auid, and its EXECVE argv) per origin: the same pid on two
 * hosts is two processes. Learning a pid the table has replaces it (pid
 * reuse: an execve of the same pid is the process now). A process the
 * table lacks is read from /proc only for this host's own events (LOCAL),
 * never for a relayed origin, and only when /proc's process started no
 * later than the event (else the pid was reused since). The table holds at
 * most conf.cap processes; beyond that the least recently used is evicted.
 * One table per action, shared by its workers: every call takes its lock.
 */
#ifndef AUDITFWD_ANCESTRY_H
#define AUDITFWD_ANCESTRY_H

#include <stddef.h>
#include <stdint.h>

#include "audit_record.h"
#include "buf.h"

#define ANCESTRY_DEFAULT_DEPTH 4
#define ANCESTRY_DEPTH_MAX     16
#define ANCESTRY_DEFAULT_CAP   16384      /* processes per table (~11 MiB) */
#define ANCESTRY_CAP_MAX       4194304
#define ANCESTRY_EXE_MAX       256        /* bytes kept of an exe */
#define ANCESTRY_COMM_MAX      32         /* of a comm (the kernel's is 16) */
#define ANCESTRY_ARGV_MAX      256        /* of the arguments, joined by spaces */
#define ANCESTRY_ORIGIN_MAX    128        /* of an origin's name */
#define ANCESTRY_ID_UNKNOWN    (-1LL)
#define ANCESTRY_START_SLACK_MS 1000      /* /proc's start time is in clock ticks */

typedef struct ancestry_proc {
	uint32_t pid, ppid;
	char exe[ANCESTRY_EXE_MAX];
	char comm[ANCESTRY_COMM_MAX];
	char argv[ANCESTRY_ARGV_MAX];
	long long uid, auid;                  /* ANCESTRY_ID_UNKNOWN: not known */
	int from_proc;                        /* read from /proc, not learnt */
} ancestry_proc_t;

typedef struct ancestry_conf {
	size_t cap;                           /* processes kept at most (> 0) */
	unsigned depth;                       /* ancestors returned at most */
	int use_proc;                         /* read /proc for local misses */
	const char *proc_root;                /* "/proc"; tests use a tree of their own */
} ancestry_conf_t;

void ancestry_conf_default(ancestry_conf_t *c);

typedef struct ancestry_stats {
	uint64_t hits;                        /* ancestors found in the table */
	uint64_t misses;                      /* ... not found (nor in /proc) */
	uint64_t proc_reads;                  /* ... found in /proc */
	uint64_t evictions;                   /* processes dropped for the cap */
	uint64_t size;                        /* processes held (a gauge) */
} ancestry_stats_t;

typedef struct ancestry ancestry_t;

ancestry_t *ancestry_new(const ancestry_conf_t *conf);
void ancestry_free(ancestry_t *a);
const ancestry_stats_t *ancestry_stats(const ancestry_t *a);

/* Learn P as it is now on ORIGIN ("" for this host). EXEC: P just ran
 * execve, so it replaces what the table has for its pid; else P is only
 * added when its pid is not known. 0, or -1 when memory ran out. */
int ancestry_learn(ancestry_t *a, audit_view_t origin, const ancestry_proc_t *p, int exec);

/* The ancestors of a process of ORIGIN whose parent is PPID, nearest first,
 * at most conf.depth (and MAX) into OUT, at EVENT_MS (audit time, ms since
 * the epoch). LOCAL: ORIGIN is this host, so /proc may answer a miss. The
 * walk stops at pid 1 (included), at a process not known, or at a loop.
 * Returns how many. */
size_t ancestry_chain(ancestry_t *a, audit_view_t origin, int local, uint32_t ppid,
                      int64_t event_ms, ancestry_proc_t *out, size_t max);

/* An event's part: the ancestors of its process (the first record with a
 * ppid: pid, ppid, exe, comm, uid, auid) into OUT (at most MAX), then the
 * process learnt (an execve -- an EXECVE record, not success=no -- with
 * its argv, replacing its pid; else only when its pid is unknown). B: work
 * space for decoding. Returns how many ancestors; 0 for an event without a
 * process. */
size_t ancestry_event(ancestry_t *a, const audit_record_t *const *recs, size_t n,
                      audit_view_t origin, int local, buf_t *b, ancestry_proc_t *out,
                      size_t max);

/* The ancestors as JSON: ,"ancestry":[{"pid":"40","ppid":"30","exe":"...",
 * "comm":"...","argv":"...","uid":"33","auid":"1000"},...] (nearest first;
 * unknown ids left out). */
void ancestry_json(buf_t *out, const ancestry_proc_t *p, size_t n);

#endif
