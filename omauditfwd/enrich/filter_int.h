/* filter_int.h -- internal to filter_rules.c and filter.c: a parsed rule.
 *
 * A rule is an action and conditions; a condition is a field and its
 * values (alternatives), as written (globs) and, for numeric fields, as
 * numbers (-1: a name, for syscalls). needs: a bit per field the rule
 * reads, so an event is only examined for what some rule asks.
 */
#ifndef AUDITFWD_FILTER_INT_H
#define AUDITFWD_FILTER_INT_H

#include "filter.h"

typedef enum filter_field {
	FF_TYPE = 0, FF_KEY, FF_SYSCALL, FF_EXE, FF_COMM, FF_UID, FF_AUID, FF_EUID,
	FF_SUCCESS, FF_HOST, FF_NODE, FF_FAMILY, FF_ADDR, FF_PORT, FF_NFIELDS
} filter_field_t;

typedef struct filter_cond {
	filter_field_t field;
	int negate;                       /* FIELD!=... */
	size_t nvals;
	char *vals[FILTER_VALUES_MAX];
	long long nums[FILTER_VALUES_MAX];
} filter_cond_t;

typedef struct filter_rule {
	char name[FILTER_NAME_MAX];
	filter_action_t action;           /* FILTER_SUPPRESS: a limit rule */
	unsigned limit;                   /* limit: events per second */
	int per_exe;                      /* limit: a window per exe */
	filter_cond_t *conds;
	size_t nconds;
	unsigned needs;                   /* 1 << filter_field_t */
} filter_rule_t;

struct filter_rules {
	filter_rule_t *rules;
	size_t n;
	unsigned needs;                   /* every rule's */
	filter_counters_t *ctr;           /* per rule */
};

const char *filter_field_name(filter_field_t f);

#endif
