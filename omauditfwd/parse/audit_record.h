/* audit_record.h -- one audit record, parsed from one line of text.
 *
 * A record is a set of views (pointer + length) into the caller's line: the
 * parser never copies or allocates per field. The only allocation is the
 * field array, owned by the record and reused across audit_record_parse()
 * calls, so a caller that parses many lines with one record object does no
 * allocation in the steady state.
 *
 * Accepted input forms (see DESIGN.md section 2):
 *   type=SYSCALL msg=audit(1700000000.123:4567): arch=c000003e ...   audit.log
 *   node=web01 type=EXECVE msg=audit(...): argc=3 a0="ls" a1=2D6C    node prefix
 *   audit: type=1300 audit(1700000000.123:4567): arch=...            kmsg
 *   kernel: audit: type=1400 audit(...): apparmor="DENIED" ...       kmsg via syslog
 *   <13>Nov 14 22:13:20 host audit[4410]: SYSCALL arch=c000003e ...  journald
 *   <13>1 2023-11-14T22:13:20.123Z host audit 4410 - - USER_LOGIN ... journald
 *     (journald keeps the stamp apart and drops EOE: such a record has no
 *     serial, its time is the syslog header's; see audit_record_t.stamped)
 *   type=UNKNOWN[1334] msg=audit(...): ...                            unknown types
 *   <13>1 2023-11-14T22:13:20Z host app - - - type=...                RFC 5424
 *   <13>Nov 14 22:13:20 host audisp-syslog: type=...                  RFC 3164
 *   Nov 14 22:13:20 host audisp-syslog: node=... type=...             syslog file
 *   ... key="x"\x1dARCH=x86_64 SYSCALL=execve AUID="alice"            ENRICHED
 * The fields of a nested user message msg='op=login acct="bob" res=failed'
 * are returned as fields of the record (flag AUDIT_FIELD_NESTED), as auparse
 * does; like auparse, a nested message whose closing quote is missing at the
 * end of the line is accepted (real records exist where the writer lost it). Tokens without '=' (AVC's "denied { read } for") are not fields; the
 * whole line stays available as record->line.
 */
#ifndef AUDIT_RECORD_H
#define AUDIT_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Limits: a line longer than this, or a record with more fields, is not
 * parsed (the kernel's own maximum record is 8970 bytes, so these only
 * trip on input that is not a real audit record). */
#define AUDIT_RECORD_MAX_LEN    65536
#define AUDIT_RECORD_MAX_FIELDS 4096

typedef struct audit_view {
	const char *p;
	size_t len;
} audit_view_t;

/* How a value was written on the wire. The value view never includes the
 * surrounding quotes or braces. */
typedef enum audit_enc {
	AUDIT_ENC_PLAIN = 0,   /* arch=c000003e, res=success, ? */
	AUDIT_ENC_QUOTED,      /* comm="bash" */
	AUDIT_ENC_HEX,         /* a1=2D6C: an untrusted string, hex encoded */
	AUDIT_ENC_NULL,        /* key=(null) */
	AUDIT_ENC_BRACED,      /* SADDR={ saddr_fam=inet laddr=10.0.0.1 lport=22 } */
	AUDIT_ENC_SQUOTED      /* a single-quoted value that is not key=value text */
} audit_enc_t;

/* field flags */
#define AUDIT_FIELD_NESTED      0x01 /* came from inside msg='...' */
#define AUDIT_FIELD_INTERPRETED 0x02 /* ENRICHED: after 0x1D, or an UPPERCASE name */
#define AUDIT_FIELD_PLAIN_NAME  0x04 /* the name is [A-Za-z0-9_] only (the tokenizer
                                      * says so; other names may be too, unflagged) */

typedef struct audit_field {
	audit_view_t name;
	audit_view_t value;
	audit_enc_t enc;
	unsigned flags;
	uint64_t key;           /* audit_name_key() of name */
	uint32_t hash;          /* audit_name_hash() of name */
	unsigned nth;           /* 1 for the first field of this name in the
	                         * record, 2 for the second, ... */
} audit_field_t;

/* What the parser keeps of every field name to find it again without
 * hashing or comparing it byte by byte: KEY, its first 8 bytes as a
 * little-endian number (zero-padded; two names of at most 8 bytes are
 * equal when their lengths and keys are), and HASH, from the key and the
 * length. A caller with a table of names of its own can index it by
 * audit_name_hash() and use f->hash. */
#define AUDIT_NAME_KEY_BYTES 8
#define AUDIT_NAME_HASH_MULT 0x9E3779B97F4A7C15ULL
#define AUDIT_NAME_HASH_SHIFT 32
static inline uint64_t audit_name_key(const char *p, size_t len)
{
	uint64_t k = 0;
	size_t i, n = len < AUDIT_NAME_KEY_BYTES ? len : AUDIT_NAME_KEY_BYTES;

	for (i = 0; i < n; i++)
		k |= (uint64_t)(unsigned char)p[i] << (8 * i);
	return k;
}

static inline uint32_t audit_name_hash_key(uint64_t key, size_t len)
{
	return (uint32_t)(((key ^ len) * AUDIT_NAME_HASH_MULT) >> AUDIT_NAME_HASH_SHIFT);
}

static inline uint32_t audit_name_hash(const char *p, size_t len)
{
	return audit_name_hash_key(audit_name_key(p, len), len);
}

/* A record's index of its field names, built by the parser: open
 * addressing, one slot per distinct name. */
typedef struct audit_name_slot {
	uint16_t first;         /* index + 1 of the name's first field; 0: empty */
	uint16_t count;         /* fields of that name so far */
} audit_name_slot_t;

typedef enum audit_parse_rc {
	AUDIT_PARSE_OK = 0,
	AUDIT_PARSE_NOT_AUDIT,       /* no "type=... audit(...)" in the line */
	AUDIT_PARSE_TRUNCATED,       /* header or a value ends early */
	AUDIT_PARSE_TOO_LONG,        /* line > AUDIT_RECORD_MAX_LEN */
	AUDIT_PARSE_BINARY,          /* NUL or other control bytes */
	AUDIT_PARSE_TOO_MANY_FIELDS, /* > AUDIT_RECORD_MAX_FIELDS */
	AUDIT_PARSE_NOMEM,           /* the field array could not grow */
	AUDIT_PARSE_UNTRUSTED        /* not from a trusted sender (pipeline's trusted=0) */
} audit_parse_rc_t;

typedef struct audit_record {
	audit_view_t line;      /* the whole input, minus a trailing CR/LF */
	audit_view_t hostname;  /* from a syslog header, if there was one; else len 0 */
	audit_view_t msg;       /* the line after a syslog header (all of it if none) */
	audit_view_t text;      /* the record itself: from "node="/"type=" to the end */
	audit_view_t node;      /* node=NAME, len 0 when absent */
	audit_view_t type_name; /* as written: "SYSCALL", "1300", "UNKNOWN[1334]" */
	int type;               /* numeric type (libaudit), 0 when unknown */
	const char *type_str;   /* canonical name: libaudit's, else NULL */
	int64_t sec;            /* audit(SEC.MSEC:SERIAL) */
	unsigned msec;
	uint64_t serial;
	int stamped;            /* 1: the line had audit(SEC.MSEC:SERIAL); 0: the
	                         * journald form, where sec/msec are the syslog
	                         * header's time (0 if none) and serial is 0:
	                         * such a record is an event of its own */
	audit_view_t body;      /* everything after "): " */
	int enriched;           /* the record carries interpreted fields */
	uint64_t enriched_names; /* a filter of the names that are not in
	                          * lower case (the interpreted ones among
	                          * them): audit_record_may_have_enriched */
	size_t nfields;
	audit_field_t *fields;  /* in line order; owned by the record */
	size_t cap;             /* allocated entries in fields */
	int indexed;            /* the fields' key, hash and nth and the
	                         * index are set (see audit_record_parse_opt) */
	audit_name_slot_t *index; /* by name hash: audit_record_field in O(1) */
	size_t index_mask;      /* slots in use - 1 (a power of two - 1) */
	size_t index_cap;       /* allocated slots */
	uint64_t index_seed;    /* of the index's hash (audit_record_init) */
	unsigned long *work;    /* test hook: index slots probed are added
	                         * here, by parses and look-ups (NULL: none) */
} audit_record_t;

void audit_record_init(audit_record_t *r);
void audit_record_free(audit_record_t *r);

/* Parse LEN bytes at LINE (need not be NUL-terminated) into R. LINE must
 * outlive every view in R. On any rc other than AUDIT_PARSE_OK only
 * r->line, r->hostname and r->msg are meaningful (for TOO_LONG the header is
 * not examined: hostname is empty and msg is the line), so the caller can
 * forward the message unchanged, attributed to its sender, and count it.
 * Returns AUDIT_PARSE_OK or the reason. Never reads outside
 * [LINE, LINE+LEN). */
audit_parse_rc_t audit_record_parse(audit_record_t *r, const char *line, size_t len);

/* The same; with AUDIT_PARSE_NO_INDEX the fields' key, hash and nth and
 * the index of names are not built (audit_record_field then scans): for
 * a caller that only needs the header and the verdict (the joiner's
 * parse of a record that is formatted later). */
#define AUDIT_PARSE_NO_INDEX 0x01
/* With AUDIT_PARSE_CHECKED the line is known to hold no control bytes
 * (it is a copy of a line that parsed before): the check is skipped. */
#define AUDIT_PARSE_CHECKED  0x02
audit_parse_rc_t audit_record_parse_opt(audit_record_t *r, const char *line, size_t len,
                                        unsigned opts);

/* A short stable token for an rc: "ok", "not-audit", "truncated", "too-long",
 * "binary", "too-many-fields", "no-memory". Used in output and counters. */
const char *audit_parse_rc_str(audit_parse_rc_t rc);

/* The first field named NAME (ASCII, exact), or NULL. O(1): a look-up in
 * the record's index of names. */
const audit_field_t *audit_record_field(const audit_record_t *r, const char *name);
const audit_field_t *audit_record_field_view(const audit_record_t *r, const char *name,
                                             size_t len);

/* audit_record_field with a guess of where the field is: the field at
 * index AT when it is named NAME and is the first of that name (its nth is
 * 1), else the look-up. For callers that know where auditd writes a field
 * (a SYSCALL record's arch is its first); the answer is the same either
 * way. */
static inline const audit_field_t *audit_record_field_at(const audit_record_t *r,
                                                         const char *name, size_t at)
{
	size_t len = strlen(name);

	if (r->indexed && at < r->nfields) {
		const audit_field_t *f = &r->fields[at];

		if (f->nth == 1 && f->name.len == len && memcmp(f->name.p, name, len) == 0)
			return f;
	}
	return audit_record_field(r, name);
}

/* The filter bit of a name of LEN bytes whose first letter is C, in
 * upper case (an interpreted name is written in upper case). */
static inline uint64_t audit_enriched_name_bit(char c, size_t len)
{
	unsigned char u = (unsigned char)c;

	if (u >= 'a' && u <= 'z')
		u = (unsigned char)(u - 'a' + 'A');
	return (uint64_t)1 << ((u + len * 7) & 63);
}

/* Whether R may carry a field whose name is NAME (LEN bytes) in upper
 * case, interpreted or not: 0 means it does not, without looking it up.
 * Only an enriched record is asked: the others have no counterparts. */
static inline int audit_record_may_have_enriched(const audit_record_t *r, const char *name,
                                                 size_t len)
{
	return r->enriched && len > 0 &&
	       (r->enriched_names & audit_enriched_name_bit(name[0], len)) != 0;
}

/* A frozen copy of R for a caller that keeps records past their parse
 * (the joiner): R's header, fields and index written to MEM (at least
 * audit_record_frozen_size(R) bytes, aligned for audit_record_t), its
 * views moved from R's line to LINE, a byte-for-byte copy of R's line that
 * must outlive the copy. The copy reads as R did (audit_record_field,
 * fields, index); it owns nothing: never parse into it or free it, free
 * MEM. Names the parser adds itself ("seresult") are static and stay. */
size_t audit_record_frozen_size(const audit_record_t *r);
const audit_record_t *audit_record_freeze(void *mem, const audit_record_t *r,
                                          const char *line);

/* Kernel records of one event end with EOE; user-space records are events of
 * their own (types 1100-1299 and 2100-2999). */
#define AUDIT_TYPE_EOE 1320
int audit_type_is_standalone(int type);

#endif
