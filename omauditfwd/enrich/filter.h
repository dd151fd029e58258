/* filter.h -- event filters: which whole events are dropped, kept or rate
 * limited, decided before they are interpreted and formatted.
 *
 * A rule set is an ordered list of rules; the first rule whose conditions
 * all hold decides, and an event no rule matches is kept. One rule a line:
 *
 *   [NAME:] ACTION [FIELD=VALUE[,VALUE...] | FIELD!=VALUE[,VALUE...]] ...
 *   ACTION := drop | keep | limit N/s [per exe]
 *
 *   noisy-cron: drop exe=/usr/sbin/cron,/usr/bin/crontab
 *   drop type=SERVICE_START,SERVICE_STOP success=yes
 *   drop key=(null) type=SYSCALL
 *   keep key=T1*
 *   execs: limit 20/s per exe syscall=execve auid!=unset
 *
 * Values of one field are alternatives (any may match), fields must all
 * match; `!=` matches when none of the values does (an event without the
 * field matches `!=`, never `=`). Fields: type (any record of the event),
 * key (any of its rule keys; `(null)` = no key), syscall (name or number),
 * exe, comm, uid, auid, euid (name, number or `unset`), success (yes|no),
 * host (the event's host: node, else sender), node, family (unix, inet,
 * inet6, netlink, packet or a number), addr (SOCKADDR address), port.
 * type, key, exe, comm, host, node and addr take globs: `*` any run of
 * bytes, `?` one byte, `\` quotes the next. A value with spaces is written
 * in double quotes. `#` starts a comment. Rules are named by NAME (letters,
 * digits, `_ . -`, unique) or by their position (`rule3`).
 *
 * limit N/s: at most N events per second for the rule (per exe: for each
 * exe apart, at most FILTER_LIMIT_KEYS_MAX exes per rule, the rest share
 * one window); the events beyond are suppressed, and when the window of a
 * key that suppressed some ends, one summary says how many (see
 * filter_summary_t). Windows are whole seconds of the clock the caller
 * gives (now_ms): tests and previews inject it.
 *
 * Transactions: like the joiner, a filter is shared by an action's workers:
 * filter_begin() takes its lock, commit/rollback release it; rollback
 * undoes the batch's limit windows, summaries and counts, so a retried
 * batch decides the same again. Counters are per rule, added on commit.
 */
#ifndef AUDITFWD_FILTER_H
#define AUDITFWD_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "audit_record.h"
#include "buf.h"

#define FILTER_RULES_MAX       1024   /* rules in one set */
#define FILTER_RULE_LEN_MAX    4096   /* bytes in one rule */
#define FILTER_NAME_MAX        64     /* bytes in a rule name */
#define FILTER_VALUES_MAX      64     /* values of one field in one rule */
#define FILTER_LIMIT_KEYS_MAX  1024   /* exes with a window of their own, per rule */
#define FILTER_SUMMARY_EXE_MAX 256    /* bytes of an exe kept for a summary */
#define FILTER_FILE_MAX        (1024 * 1024)  /* bytes of a rules file */

typedef enum filter_action {
	FILTER_KEEP = 0,
	FILTER_DROP,
	FILTER_SUPPRESS       /* a limit rule's events beyond its rate */
} filter_action_t;

/* Per rule, on commit (atomic: read them with __atomic loads). */
typedef struct filter_counters {
	uint64_t kept;        /* matched, and sent */
	uint64_t dropped;     /* matched a drop rule */
	uint64_t suppressed;  /* matched a limit rule beyond its rate */
} filter_counters_t;

/* ---- rule sets (immutable once parsed) ---------------------------------- */
typedef struct filter_rules filter_rules_t;

/* Parse N rule texts (an action's array parameter); the rule at index i is
 * named rule<i+1> unless it names itself. A text may hold several rules,
 * one a line. NULL on error, with the rule and the word at fault in ERR. */
filter_rules_t *filter_rules_parse(const char *const *texts, size_t n, char *err,
                                   size_t errlen);
/* The same from a file, one rule a line. */
filter_rules_t *filter_rules_load(const char *path, char *err, size_t errlen);
void filter_rules_free(filter_rules_t *rs);
size_t filter_rules_count(const filter_rules_t *rs);
const char *filter_rule_name(const filter_rules_t *rs, size_t i);
/* The live counters of rule I (impstats reads them). */
filter_counters_t *filter_rule_counters(filter_rules_t *rs, size_t i);

/* ---- evaluation ---------------------------------------------------------- */

/* What a limit rule suppressed in one window of one key: sent as an event
 * of its own (type AUDITFWD_SUPPRESSED, see pipeline.c). */
typedef struct filter_summary {
	char rule[FILTER_NAME_MAX]; /* the rule's name */
	unsigned limit;           /* its N */
	int per_exe;              /* the window was one exe's */
	char exe[FILTER_SUMMARY_EXE_MAX]; /* that exe ("" when not per exe, or the
	                                   * shared window of the exes beyond the cap) */
	char key[FILTER_SUMMARY_EXE_MAX]; /* the rule key of the last one suppressed */
	char host[FILTER_SUMMARY_EXE_MAX]; /* the host of the last one suppressed */
	uint64_t suppressed;      /* events suppressed in the window */
	int64_t window_ms;        /* the window's start, on the caller's clock */
	int64_t last_sec;         /* audit time of the last one suppressed */
	unsigned last_msec;
} filter_summary_t;

typedef struct filter filter_t;

/* A filter running RS (it takes ownership; RS may not be NULL). */
filter_t *filter_new(filter_rules_t *rs);
void filter_free(filter_t *f);
/* Run RS from the next batch on (HUP reload): 0 and the set it ran in
 * *OLD, which the caller frees when nothing reads its counters any more;
 * -1 when memory ran out (RS is not taken, the old set keeps running).
 * Waits for the batch in progress. Limit windows start again; a rule of
 * RS named like one of the old set goes on from its counts. */
int filter_swap(filter_t *f, filter_rules_t *rs, filter_rules_t **old);
/* The rule set running now (valid until the next filter_swap). */
filter_rules_t *filter_rules(filter_t *f);

void filter_begin(filter_t *f);
/* The event of N records, attributed to HOST, at NOW_MS on the caller's
 * clock: keep (sent), drop or suppress. *RULE: the index of the rule that
 * decided, or -1 (none: kept). */
filter_action_t filter_decide(filter_t *f, const audit_record_t *const *recs, size_t n,
                              audit_view_t host, int64_t now_ms, int *rule);
/* Windows that ended by NOW_MS (every window with ALL) and suppressed
 * events become summaries, after those filter_decide found. */
void filter_expire(filter_t *f, int64_t now_ms, int all);
/* The summaries of this batch so far, oldest first (valid until
 * commit/rollback). */
size_t filter_summaries(const filter_t *f);
const filter_summary_t *filter_summary(const filter_t *f, size_t i);
void filter_commit(filter_t *f);
void filter_rollback(filter_t *f);

/* A summary as an audit record line (parsed and sent like any event):
 *   type=AUDITFWD_SUPPRESSED msg=audit(LAST.MS:0): rule="execs" limit=20
 *   per=exe exe="/usr/bin/curl" key="T1105" suppressed=312 window=1700000000.000
 * msg=audit(): the time of the last event suppressed; window: the start of
 * the window on the filter's clock; key: the last suppressed event's first
 * rule key; a value that is not plain printable text is hex, as auditd
 * writes it; an empty one is (null). */
#define FILTER_SUMMARY_TYPE "AUDITFWD_SUPPRESSED"
void filter_summary_line(const filter_summary_t *s, buf_t *out);

/* Match one glob (`*`, `?`, `\`) against S (LEN bytes): 1 or 0. */
int filter_glob(const char *pat, const char *s, size_t len);

#endif
