/* enrich.h -- decoding and interpreting audit field values.
 *
 * Two jobs, both writing text into a caller's buffer:
 *  - decode: the transport encoding of a value undone (hex -> bytes, quotes
 *    already gone in the view); the text is then safe for any formatter
 *    because formatters escape what they need;
 *  - interpret: what a code means, as auparse/`ausearch -i` prints it: arch
 *    c000003e -> x86_64, syscall 59 -> execve (per arch), exit -2 -> ENOENT,
 *    uid 0 -> root, saddr hex -> "inet 10.0.0.1:22", mode 0100644 -> file,644,
 *    capabilities, permissions, ... The interpretation goes out beside the
 *    raw value under the field's UPPERCASE name (ENRICHED's convention).
 * uid/gid names come from this host's passwd/group through a bounded TTL
 * cache, and only when enrich_conf_t.ids allows it for the record's origin
 * (see DESIGN.md section 4: never a wrong name on a relay).
 */
#ifndef AUDITFWD_ENRICH_H
#define AUDITFWD_ENRICH_H

#include <stdint.h>

#include "audit_record.h"
#include "buf.h"

typedef enum enrich_ids {
	ENRICH_IDS_AUTO = 0,   /* local records only; else ENRICHED values */
	ENRICH_IDS_ALWAYS,     /* resolve every record with this host's db */
	ENRICH_IDS_NEVER       /* ids stay numeric (ENRICHED values still used) */
} enrich_ids_t;

int enrich_ids_parse(const char *s, enrich_ids_t *out);

#define ENRICH_DEFAULT_ID_TTL_S     600
#define ENRICH_DEFAULT_ID_CACHE_MAX 4096

typedef struct enrich_conf {
	enrich_ids_t ids;
	unsigned id_ttl_s;          /* how long a looked-up name is trusted */
	size_t id_cache_max;        /* entries per cache (users, groups) */
	const char *local_host;     /* NULL: gethostname() */
} enrich_conf_t;

void enrich_conf_default(enrich_conf_t *c);

typedef struct enrich_stats {
	uint64_t id_cache_hits;
	uint64_t id_cache_misses;
} enrich_stats_t;

/* Shared by the threads of one action: the id caches are internally locked. */
typedef struct enrich enrich_t;

enrich_t *enrich_new(const enrich_conf_t *conf);
void enrich_free(enrich_t *e);
const enrich_stats_t *enrich_stats(const enrich_t *e);
void enrich_clear_cache(enrich_t *e);   /* on HUP */

/* What an interpretation may need from the rest of the event: the arch of
 * the event's SYSCALL record (syscall names depend on it), the host the
 * event came from (for enrich_ids_t AUTO), and its record type. */
typedef struct enrich_ctx {
	const audit_record_t *rec;    /* the record the field belongs to */
	audit_view_t arch;            /* raw arch= of the event, len 0 if unknown */
	audit_view_t origin;          /* node or syslog host, len 0 if local */
	/* A cache of enrich_interpret(): the record's machine, syscall, a0 and
	 * a1 (known), and the id policy's verdict (ids_known), each found at
	 * the first field that needs it. Zero it (as an initializer with the
	 * fields above does) for every new REC or ARCH; another ctx of the
	 * same REC, ARCH and ORIGIN may start from a copy. */
	struct enrich_facts {
		int known;
		int machine;
		long syscall;
		unsigned long long a0, a1;
		int ids_known;
		int ids;          /* the id policy lets this host name its ids */
	} facts;
} enrich_ctx_t;

/* Append the decoded text of F's value to OUT: hex decoded (NUL bytes of
 * argv-like fields -- proctitle -- become spaces as auparse prints them),
 * quoted and plain values as they are. Returns 1 when the decoded text
 * differs from the raw view, 0 when it is the raw value unchanged. */
int enrich_decode(const enrich_ctx_t *ctx, const audit_field_t *f, buf_t *out);

/* The same text as a view: F's own value when decoding leaves it as it is
 * (no copy), else decoded into OUT, which is emptied first. */
audit_view_t enrich_decoded(const enrich_ctx_t *ctx, const audit_field_t *f, buf_t *out);

/* Append the interpretation of F to OUT and return 1, or return 0 (OUT
 * untouched) when the field has none beyond its decoded value, or when the
 * policy forbids it (an id of a relayed record under AUTO).
 * An ENRICHED counterpart in the record (AUID="alice" for auid) wins under
 * every policy, as in auparse: it was resolved on the origin at event time.
 * uid -1 (4294967295) is "unset" under every policy. Origin: ctx->origin,
 * else the record's node=; local when empty or equal to the local host
 * (either may be the other's short name). Values that are not numbers
 * where a number is expected (already-interpreted input) get no
 * interpretation. */
int enrich_interpret(enrich_t *e, const enrich_ctx_t *ctx, const audit_field_t *f,
                     buf_t *out);
/* The same for a caller that knows the record holds no field named as
 * F's UPPERCASE name (so no ENRICHED counterpart): it is not searched for,
 * which would cost a scan of the record per field. */
int enrich_interpret_computed(enrich_t *e, const enrich_ctx_t *ctx,
                              const audit_field_t *f, buf_t *out);

/* Most fields' names have no interpretation: a filter of those that may,
 * by audit_name_hash (an indexed record's f->hash), lets a caller skip the
 * call for the others. 0: enrich_interpret_computed would give nothing;
 * 1: it may give something. Made by the first enrich_new. */
#define ENRICH_NAME_FILTER_BITS 1024
extern uint64_t enrich_name_filter[ENRICH_NAME_FILTER_BITS / 64];
static inline int enrich_name_may_interpret(uint32_t hash)
{
	uint32_t b = hash & (ENRICH_NAME_FILTER_BITS - 1);

	return (int)((enrich_name_filter[b / 64] >> (b % 64)) & 1);
}

/* The arguments of an EXECVE record (a0.., a long one joined from its
 * aN[0], aN[1], ... pieces) or of a PROCTITLE record (its NUL-separated
 * words), decoded, in order: EMIT is called once per argument. SCRATCH is
 * work space. Returns the number of arguments, or -1 when R is neither. */
typedef void (*enrich_arg_fn)(const char *arg, size_t len, void *ud);
int enrich_argv(const audit_record_t *r, buf_t *scratch, enrich_arg_fn emit, void *ud);

/* The same for R, one of the NRECS records of an event: the EXECVE records
 * of an event are one command line (the kernel continues a long one, even
 * in the middle of an argument, in the next EXECVE record), so the first
 * EXECVE record of RECS gets the arguments of all of them, in order, and
 * any later EXECVE record returns -1, as does an R that is not in RECS. */
int enrich_event_argv(const audit_record_t *const *recs, size_t nrecs,
                      const audit_record_t *r, buf_t *scratch,
                      enrich_arg_fn emit, void *ud);

#endif
