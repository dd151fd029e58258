/* format.h -- turning audit records into message bodies.
 *
 * One small interface and one file per format (format_json.c, ...), found by
 * name in one table (format.c): adding a format touches a new file and the
 * table. A formatter appends the body of one message to a buffer; the
 * syslog header in front of it is written by syslog_header.c.
 */
#ifndef AUDITFWD_FORMAT_H
#define AUDITFWD_FORMAT_H

#include "audit_record.h"
#include "buf.h"
#include "ancestry.h"
#include "attack.h"
#include "enrich.h"

/* Options of the formats that have some (the action's leef.* parameters). */
#define FORMAT_LEEF_DEFAULT_VERSION 2      /* LEEF 2.0 */
#define FORMAT_LEEF_DEFAULT_DELIM   '\t'   /* LEEF 1.0's only one, 2.0's default */
typedef struct format_conf {
	int leef_version;         /* 1: LEEF 1.0, 2: LEEF 2.0 */
	char leef_delim;          /* attribute delimiter (LEEF 1.0: TAB only) */
} format_conf_t;

void format_conf_default(format_conf_t *c);
/* "1.0" | "2.0" -> 1 | 2; -1 if neither. */
int format_leef_version_parse(const char *s, int *out);
/* One printable character ("^") or its code as xHH / 0xHH ("x09"): not a
 * letter, digit, '_', '.', '=', '\\', space or a control character other
 * than TAB, because those would be ambiguous in keys or values. -1 if not. */
int format_leef_delim_parse(const char *s, char *out);

/* How an event over the size limit is made smaller (reduce.c searches the
 * settings; the formatters apply them). NULL in format_event_t: not
 * reduced, output as always.
 *   - a value (a field's decoded value, an interpretation, the host, a
 *     summary key, an unparsed line) longer than value_max bytes is cut to
 *     its first value_max bytes (at a UTF-8 boundary), followed by the
 *     text "[cut N bytes]";
 *   - an argument list (argv) of more than argv_max bytes keeps its first
 *     and last arguments, each half of argv_max at most, and the arguments
 *     between are one element "[... K args, N bytes cut ...]";
 *   - essential: only the fields a detection needs (format_essential_field)
 *     are written;
 *   - a reduced message says so: JSON "reduced":{...}, LEEF/CEF
 *     audit.reduced.* keys, raw reduced_from= / reduced_cut= fields.
 * The counters are filled while formatting. */
#define FORMAT_CUT_MARKER_MAX 48       /* "[... K args, N bytes cut ...]" */

/* The argument lists of an event's records (an EXECVE's, a PROCTITLE's),
 * decoded once and walked again at every cap a search for a fit writes
 * (reduce.c): what enrich_event_argv gives for RECS, NRECS and a record
 * R, kept while the records are. Owned by the reducer;
 * format_argv_cache_drop() before the records change. */
#define FORMAT_ARGV_CACHE_LISTS 4
/* An argument as the format wrote it whole (its separator included): AT
 * in the list's WRITTEN, LEN bytes (0: not kept) */
typedef struct format_argv_text {
	size_t at, len;
} format_argv_text_t;

typedef struct format_argv_list {
	const audit_record_t *r;   /* NULL: holds nothing */
	int nargs;                 /* enrich_event_argv's result */
	buf_t bytes;               /* the arguments, one after another */
	size_t *lens;              /* and their lengths */
	size_t n, cap;
	/* each argument as the format wrote it when no cap cut it: written
	 * the same at every cap that does not cut it, so a later attempt
	 * copies it (format_argv_walk with OUT) */
	buf_t written;
	format_argv_text_t *texts; /* N of them once allocated, else NULL */
	size_t texts_cap;
} format_argv_list_t;

typedef struct format_argv_cache {
	const audit_record_t *const *recs;
	size_t nrecs;
	format_argv_list_t list[FORMAT_ARGV_CACHE_LISTS];
	size_t next;               /* the list replaced when none is R's */
} format_argv_cache_t;

void format_argv_cache_init(format_argv_cache_t *c);
void format_argv_cache_free(format_argv_cache_t *c);
void format_argv_cache_drop(format_argv_cache_t *c);
/* the memory its lists hold: room for arguments and for their lengths */
size_t format_argv_cache_size(const format_argv_cache_t *c);

/* The records a reduction's attempts write the same way (reduce.c): a
 * record that the smallest cap of a stage cuts nothing of is written the
 * same at every larger cap (format_reduce_t.capped), so the stage's first
 * attempt keeps its text and the later ones copy it. The formats that
 * write a record's fields in one piece (LEEF and CEF) use it. */
typedef struct format_record_text {
	const audit_record_t *rec;
	unsigned nth;              /* its number among the records of its type */
	size_t npairs;             /* pairs written before it (its separator) */
	size_t off, len;           /* its text in the cache's bytes */
	size_t pairs;              /* the pairs it wrote */
	size_t fields_cut;         /* the fields it left out (essential) */
} format_record_text_t;

typedef struct format_record_cache {
	int filling;               /* 1: keep what is written, 0: copy it */
	size_t next;               /* the next entry an attempt may copy */
	buf_t bytes;
	format_record_text_t *e;
	size_t n, cap;
	int broken;                /* memory ran out: nothing more is kept */
} format_record_cache_t;

void format_record_cache_init(format_record_cache_t *c);
void format_record_cache_free(format_record_cache_t *c);
/* forget every record (a new stage, a new event) */
void format_record_cache_clear(format_record_cache_t *c);
/* the bytes it holds (text and entries) */
size_t format_record_cache_size(const format_record_cache_t *c);
/* While filling: keep the text of record R (number NTH, NPAIRS pairs
 * before it) that OUT holds from AT, which wrote PAIRS pairs and left out
 * FIELDS_CUT fields. Nothing is kept once memory ran out (broken). */
void format_record_cache_keep(format_record_cache_t *c, const buf_t *out, size_t at,
                              const audit_record_t *r, unsigned nth, size_t npairs,
                              size_t pairs, size_t fields_cut);
/* While copying: the text kept for R when it is the next one kept and
 * came at the same place (NTH, NPAIRS), or NULL (write R). */
const format_record_text_t *format_record_cache_next(format_record_cache_t *c,
                                                     const audit_record_t *r,
                                                     unsigned nth, size_t npairs);

typedef struct format_reduce {
	size_t value_max;
	size_t argv_max;
	int essential;            /* 0: every field, 1: the essential ones, 2: none */
	size_t from;              /* the message's size before reduction */
	size_t records_left;      /* records left out (reduce.c) */
	/* filled while formatting */
	size_t values_cut;        /* values cut */
	size_t value_bytes_cut;   /* bytes of values and arguments left out */
	size_t args_cut;          /* arguments left out */
	size_t fields_cut;        /* fields left out (essential) */
	/* a cap changed the message: a value was longer than value_max or an
	 * argument list longer than argv_max. When it stays 0, any larger caps
	 * write the same message (reduce.c relies on it: every comparison with
	 * value_max or argv_max that changes what is written sets it). */
	int capped;
	/* work space: the argument lists, kept between the writes of one
	 * search (reduce.c); NULL: decoded at each write */
	format_argv_cache_t *argv_cache;
	/* work space: the texts of the records no cap cuts, kept between the
	 * writes of one stage (reduce.c); NULL: written at each write */
	format_record_cache_t *record_cache;
} format_reduce_t;

/* Zero the counters that formatting fills. */
void format_reduce_reset(format_reduce_t *r);
/* 1 when R keeps the field named NAME: always when R is NULL or keeps
 * every field (essential 0); essential 1: format_essential_field; 2: none. */
int format_reduce_keeps(const format_reduce_t *r, audit_view_t name);
/* 1 when a field named NAME is one a detection rule needs (ids, user
 * names, exe, comm, cwd, syscall and result, addresses and ports, the rule
 * key, the path names, argc, op, ...); the others are left out when
 * reducing to the essential fields. */
int format_essential_field(audit_view_t name);
/* The part of S (LEN bytes) to write when R cuts it (*KEEP bytes; at a
 * UTF-8 boundary), and the marker to write after it in MARK (returns its
 * length, 0 when S is not cut). R may be NULL (nothing cut). */
size_t format_cut(format_reduce_t *r, const char *s, size_t len, size_t *keep,
                  char mark[FORMAT_CUT_MARKER_MAX]);

/* What a format writes for one element of an argument list: the NTH
 * written (0 first: the format puts its separator before the others),
 * ARG of LEN bytes; MARKER set when ARG is the marker that stands for the
 * arguments a reduction left out (see format_argv_walk). */
typedef void (*format_argv_put_fn)(void *ud, size_t nth, const char *arg,
                                   size_t len, int marker);

/* Walks the argument list of R (one of the NRECS records RECS, see
 * enrich_event_argv), calling PUT for each argument. When REDUCE is set
 * and the list holds more than REDUCE->argv_max bytes, the first and the
 * last arguments are kept and the ones between go out as one marker
 * (counted in REDUCE). OUT (may be NULL) is the buffer PUT appends to:
 * with REDUCE's argument cache, an argument no cap cuts is then put once
 * and copied at the other caps of the search (PUT must write an argument
 * that is not cut the same way every time, its separator depending only
 * on whether it is the first). Returns enrich_event_argv's result: -1
 * when R has no argument list. */
int format_argv_walk(format_reduce_t *reduce, const audit_record_t *const *recs,
                     size_t nrecs, const audit_record_t *r, buf_t *scratch,
                     format_argv_put_fn put, void *ud, buf_t *out);

/* What one output message is made of: the records of one event (one
 * record when joining is off), the host name the event is attributed to,
 * and why it was completed when it is not known to be complete (NULL when
 * it is: EOE seen, or a record that is an event of its own). */
typedef struct format_event {
	const audit_record_t *const *recs;
	size_t nrecs;
	audit_view_t host;        /* p NULL: no host attribution */
	const char *incomplete;
	/* NULL: the time keys (JSON time, LEEF devTime, CEF rt) are the first
	 * record's audit time. Else why they are time_sec.time_msec instead
	 * ("received": the audit time is implausible, see audit_event.h, and
	 * stays only in the id, as written). */
	const char *time_from;
	int64_t time_sec;
	unsigned time_msec;
	enrich_t *enrich;         /* NULL: values exactly as written */
	buf_t *scratch;           /* the formatter's work space (with enrich) */
	const format_conf_t *conf; /* NULL: defaults */
	const attack_tags_t *attack; /* ATT&CK tags (attack.h); NULL: none */
	const ancestry_proc_t *ancestry; /* the process's ancestors, nearest */
	size_t nancestry;                /* first (ancestry.h); 0: none */
	unsigned long *work;      /* test hook: NULL, or where the formats add the
	                           * key-table slots they probe (linearity tests) */
	/* the event's first arch= (format_event_find_arch()), so it is not
	 * searched again for every record; p NULL: not looked up */
	audit_view_t arch;
	format_reduce_t *reduce;  /* NULL: not reduced (see format_reduce_t) */
} format_event_t;

/* Set ev->arch from the event's records, once per event. */
void format_event_find_arch(format_event_t *ev);

/* What interpretation needs to know about the event: the arch of its
 * SYSCALL record and where it came from (node, else the syslog host). */
void format_enrich_ctx(const format_event_t *ev, const audit_record_t *r,
                       enrich_ctx_t *ctx);

typedef struct format_ops {
	const char *name;
	void (*event)(buf_t *out, const format_event_t *ev);
	/* a line that is not a parseable record, forwarded flagged */
	void (*unparsed)(buf_t *out, const char *line, size_t len,
	                 audit_parse_rc_t why, audit_view_t host);
	/* the same for a format with options; when set, used instead */
	void (*unparsed_conf)(buf_t *out, const format_conf_t *conf, const char *line,
	                      size_t len, audit_parse_rc_t why, audit_view_t host);
	/* 1: one message per record, also when records are joined (raw); the
	 * event callback then gets one record at a time */
	int per_record;
	/* Append to a whole message OUT (an event's or an unparsed line's)
	 * that it was reduced, as R says (JSON: the "reduced" member, LEEF/CEF:
	 * audit.reduced.* keys). NULL: the format says it otherwise (raw). */
	void (*reduced)(buf_t *out, const format_conf_t *conf, const format_reduce_t *r);
} format_ops_t;

/* Call F's unparsed callback (with CONF when it takes one). */
void format_unparsed(const format_ops_t *f, const format_conf_t *conf, buf_t *out,
                     const char *line, size_t len, audit_parse_rc_t why,
                     audit_view_t host);
/* The same, reduced by R (NULL: not): the line and the host cut to
 * R->value_max, and the format's "reduced" flag appended. */
void format_unparsed_reduced(const format_ops_t *f, const format_conf_t *conf,
                             buf_t *out, const char *line, size_t len,
                             audit_parse_rc_t why, audit_view_t host,
                             format_reduce_t *r);

/* The format called NAME, or NULL. */
const format_ops_t *format_find(const char *name);
/* "json, leef, cef, raw" -- the accepted names, for error messages. */
const char *format_names(void);

/* Helpers shared by formatters. */
/* The time EV's time keys carry (see time_from). */
static inline void format_event_time(const format_event_t *ev, int64_t *sec,
                                     unsigned *msec)
{
	*sec = ev->time_from != NULL ? ev->time_sec : ev->recs[0]->sec;
	*msec = ev->time_from != NULL ? ev->time_msec : ev->recs[0]->msec;
}
/* The record's canonical type name, "UNKNOWN[n]" when libaudit has none. */
void format_type_name(buf_t *out, const audit_record_t *r);
/* A and B are of the same type: the same libaudit type, or the same
 * number and name as written when libaudit has none */
int format_same_type(const audit_record_t *a, const audit_record_t *b);
/* The event id of R: SEC.MSEC:SERIAL, the milliseconds in 3 digits
 * (digits, '-', '.' and ':': nothing a format escapes). */
void format_put_audit_id(buf_t *out, const audit_record_t *r);
/* How a format makes text safe. Runs of printable ASCII that is not
 * special (nor EXTRA, see format_escape) and of valid UTF-8 sequences are
 * copied as they are; every other byte -- a special character, a control
 * character (below 0x20, 0x7F), a byte that starts no valid UTF-8 sequence
 * -- is written by PUT. LOOK is 1 for every byte that is not plain text:
 * FORMAT_ESC_NOT_TEXT and the format's two special characters, so the
 * copy of a short run costs one look-up per byte; SPECIAL names the two
 * again for the rounds of sixteen bytes of a long one (format_escape).
 * FORMAT_ESCAPER makes both from the same two characters. */
#define FORMAT_ESC_NOT_TEXT [0x00 ... 0x1F] = 1, [0x7F ... 0xFF] = 1
#define FORMAT_ESCAPER(s1, s2, put, put_invisible) \
	{ { FORMAT_ESC_NOT_TEXT, [(unsigned char)(s1)] = 1, [(unsigned char)(s2)] = 1 }, \
	  { (s1), (s2) }, (put), (put_invisible) }
typedef struct format_escaper {
	unsigned char look[256];
	unsigned char special[2];
	void (*put)(buf_t *out, unsigned c);
	/* a valid character that format_is_invisible() (CP), written so it
	 * shows; NULL: copied as it is */
	void (*put_invisible)(buf_t *out, unsigned cp);
} format_escaper_t;

/* 1 for the characters that must never reach an analyst unmarked: the
 * invisible format characters (Unicode category Cf: bidi controls
 * U+202A-202E, U+2066-2069, U+200E/F, U+061C; zero-width U+200B-200D;
 * U+00AD, U+FEFF, tags, ...) and U+2028/U+2029. An analyst must not be
 * shown "gnp.exe" for "exe.png" (U+202E). */
int format_is_invisible(unsigned cp);
/* "uXXXX" (lower-case hex), or "UXXXXXXXX" beyond the BMP: the name of an
 * invisible character, after the format's escape character */
void format_put_cp_name(buf_t *out, unsigned cp);

/* S (LEN bytes) into OUT as E says; EXTRA (a printable ASCII character, or
 * -1 for none) is special too. */
void format_escape(buf_t *out, const char *s, size_t len, const format_escaper_t *e,
                   int extra);
/* The usual value or key, a few bytes with nothing to escape: looked at
 * and copied here, inline, without the call and set-up of format_escape.
 * 1 when S (LEN bytes, at most FORMAT_SHORT_TEXT) was plain text for LOOK
 * (an escaper's, with its EXTRA already in it or not special) and is in
 * OUT; 0 (OUT untouched) to go the long way. */
#define FORMAT_SHORT_TEXT 16
static inline int format_plain_short(buf_t *out, const char *s, size_t len,
                                     const unsigned char *look)
{
	unsigned any = 0;
	size_t i;

	if (len > FORMAT_SHORT_TEXT || out->oom || out->cap - out->len < FORMAT_SHORT_TEXT)
		return 0;
	for (i = 0; i < len; i++)
		any |= look[(unsigned char)s[i]];
	if (any)
		return 0;
	buf_copy(out->p + out->len, s, len);
	out->len += len;
	return 1;
}
/* F's name in upper case (a-z to A-Z), NUL-terminated, into UP (at least
 * 9 bytes) when it can be done in one word: a plain name
 * (AUDIT_FIELD_PLAIN_NAME: [A-Za-z0-9_], where the lower-case letters are
 * the bytes from 'a' up) of at most 8 bytes in an indexed record, whose
 * parser key is the name: 0x20 off each byte from 'a' (0x61) up. 1 when
 * done; 0 (UP untouched) to do it byte by byte. */
static inline int format_upper_plain(const audit_record_t *r, const audit_field_t *f,
                                     char *up)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (r->indexed && (f->flags & AUDIT_FIELD_PLAIN_NAME) &&
	    f->name.len <= sizeof(uint64_t)) {
		const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
		uint64_t k = f->key, lower = (k + (0x80 - 'a') * ones) & high;

		k -= lower >> 2;   /* 0x80 >> 2 = 0x20 */
		memcpy(up, &k, sizeof(k));
		up[f->name.len] = '\0';
		return 1;
	}
#else
	(void)r;
	(void)f;
	(void)up;
#endif
	return 0;
}
/* F's name in upper case (a-z to A-Z), NUL-terminated, into UP (MAX + 1
 * bytes, at least 9): in one word when format_upper_plain can, else byte
 * by byte. 0 (UP untouched) when the name is longer than MAX. */
static inline int format_upper_name(const audit_record_t *r, const audit_field_t *f,
                                    char *up, size_t max)
{
	size_t i;

	if (f->name.len > max)
		return 0;
	if (format_upper_plain(r, f, up))
		return 1;
	for (i = 0; i < f->name.len; i++)
		up[i] = (f->name.p[i] >= 'a' && f->name.p[i] <= 'z') ?
		        (char)(f->name.p[i] - 'a' + 'A') : f->name.p[i];
	up[i] = '\0';
	return 1;
}
/* Append S as the inside of a JSON string: " and control characters are
 * JSON escapes; in the text a reader gets back, a backslash of S is the
 * text \\ and a byte that is not UTF-8 the text \xNN (never dropped), so
 * S can be recovered and the two never read alike. */
void format_json_escape(buf_t *out, const char *s, size_t len);
/* 1 when NAME is an EXECVE argument field (aN, or a piece aN[i]): with
 * enrichment its bytes go out once, in the record's argv, not again here
 * (argc and aN_len are not arguments). */
int format_is_execve_arg(audit_view_t name);
/* Length of the valid UTF-8 sequence at S (at most AVAIL bytes; S[0] >=
 * 0x80), 0 when the bytes there are not one. */
size_t format_utf8_seq_len(const unsigned char *s, size_t avail);

extern const format_ops_t format_json;
extern const format_ops_t format_leef;
extern const format_ops_t format_cef;
extern const format_ops_t format_raw;

#endif
