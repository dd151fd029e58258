/* interpret.h -- internal to enrich: one interpreter per kind of audit value.
 *
 * Each interpreter turns one raw value into what auparse (`ausearch -i`)
 * prints for it: appends that text to OUT and returns 1, or returns 0 and
 * leaves OUT untouched when the value has no interpretation (not a number
 * where one is expected, an unknown code without auparse's "unknown-..."
 * form, ...). They are pure functions of their argument: no locks, no
 * state, safe from any thread. Which interpreter applies to which field of
 * which record is decided in enrich.c; ids (uid/gid names) live there too,
 * because they need the cache.
 */
#ifndef AUDITFWD_INTERPRET_H
#define AUDITFWD_INTERPRET_H

#include "buf.h"

/* What an interpreter sees: the value and the few facts of its record that
 * some interpretations depend on (the syscall's arguments, the arch). */
typedef struct interp_arg {
	const char *val;            /* NUL-terminated, quotes removed */
	int quoted;                 /* it was "..." on the wire */
	int machine;                /* libaudit machine_t, -1 unknown */
	long syscall;               /* number, -1 unknown */
	unsigned long long a0, a1;  /* the record's a0/a1 (hex), 0 if absent */
} interp_arg_t;

typedef int (*interp_fn)(const interp_arg_t *a, buf_t *out);

/* Strict number parsing: the whole string must be digits of BASE (an
 * optional leading '-' for the signed one). 1 on success. */
int interp_parse_ull(const char *s, int base, unsigned long long *out);
int interp_parse_ll(const char *s, long long *out);

/* libaudit's machine for a raw arch= value (hex ELF machine), -1 if none. */
int interp_machine_of_arch(const char *val);

int interp_arch(const interp_arg_t *a, buf_t *out);
int interp_syscall(const interp_arg_t *a, buf_t *out);
int interp_exit(const interp_arg_t *a, buf_t *out);
int interp_perm(const interp_arg_t *a, buf_t *out);
int interp_mode(const interp_arg_t *a, buf_t *out);           /* octal */
int interp_mode_short(const interp_arg_t *a, buf_t *out);     /* octal */
int interp_sockaddr(const interp_arg_t *a, buf_t *out);
int interp_promisc(const interp_arg_t *a, buf_t *out);
int interp_capability(const interp_arg_t *a, buf_t *out);     /* decimal */
int interp_cap_bitmap(const interp_arg_t *a, buf_t *out);
int interp_success(const interp_arg_t *a, buf_t *out);
int interp_signal(const interp_arg_t *a, buf_t *out);         /* decimal */
int interp_list(const interp_arg_t *a, buf_t *out);
int interp_session(const interp_arg_t *a, buf_t *out);
int interp_nfproto(const interp_arg_t *a, buf_t *out);
int interp_icmptype(const interp_arg_t *a, buf_t *out);
int interp_protocol(const interp_arg_t *a, buf_t *out);
int interp_seccomp_code(const interp_arg_t *a, buf_t *out);
int interp_open_flags(const interp_arg_t *a, buf_t *out);     /* hex */
int interp_mmap_flags(const interp_arg_t *a, buf_t *out);     /* hex */
int interp_hook(const interp_arg_t *a, buf_t *out);
int interp_netaction(const interp_arg_t *a, buf_t *out);
int interp_macproto(const interp_arg_t *a, buf_t *out);
int interp_fanotify(const interp_arg_t *a, buf_t *out);
int interp_nlmcgrp(const interp_arg_t *a, buf_t *out);
int interp_tty_data(const interp_arg_t *a, buf_t *out);       /* hex */
int interp_seperms(const interp_arg_t *a, buf_t *out);        /* AVC */
/* Syscall arguments of SYSCALL records (hex): by syscall, as auparse.
 * An argument that is a uid or gid (setuid's a0, chown's a1, ...) is not
 * resolved here: the return value then asks the caller to do it. */
#define INTERP_WANT_UID 2
#define INTERP_WANT_GID 3
int interp_a0(const interp_arg_t *a, buf_t *out);
int interp_a1(const interp_arg_t *a, buf_t *out);
int interp_a2(const interp_arg_t *a, buf_t *out);
int interp_a3(const interp_arg_t *a, buf_t *out);

#define INTERP_ID_UNSET 4294967295ULL   /* (uid_t)-1 */

/* The special ids every host agrees on: -1 (4294967295) -> "unset",
 * 0 -> "root". 1 and *OUT appended when ID is one of them. */
int interp_id_special(unsigned long long id, buf_t *out);

/* Hex text -> bytes, appended (pairs of [0-9A-Fa-f]); 0 if not hex. */
int interp_unhex(const char *p, size_t len, buf_t *out);

#endif
