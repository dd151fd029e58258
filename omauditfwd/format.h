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
} format_event_t;

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
} format_ops_t;

/* Call F's unparsed callback (with CONF when it takes one). */
void format_unparsed(const format_ops_t *f, const format_conf_t *conf, buf_t *out,
                     const char *line, size_t len, audit_parse_rc_t why,
                     audit_view_t host);

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
/* 2023-11-14T22:13:20.123Z */
void format_rfc3339_utc(buf_t *out, int64_t sec, unsigned msec);
/* The record's canonical type name, "UNKNOWN[n]" when libaudit has none. */
void format_type_name(buf_t *out, const audit_record_t *r);
/* How a format makes text safe. Runs of printable ASCII that is not
 * SPECIAL (nor EXTRA, see format_escape) and of valid UTF-8 sequences are
 * copied as they are; every other byte -- a special character, a control
 * character (below 0x20, 0x7F), a byte that starts no valid UTF-8 sequence
 * -- is written by PUT. */
typedef struct format_escaper {
	unsigned char special[0x80];
	void (*put)(buf_t *out, unsigned c);
} format_escaper_t;

/* S (LEN bytes) into OUT as E says; EXTRA (a printable ASCII character, or
 * -1 for none) is special too. */
void format_escape(buf_t *out, const char *s, size_t len, const format_escaper_t *e,
                   int extra);
/* Append S as the inside of a JSON string: ", \ and control characters are
 * escaped, invalid UTF-8 bytes become the text \xNN (never dropped). */
void format_json_escape(buf_t *out, const char *s, size_t len);
/* Length of the valid UTF-8 sequence at S (at most AVAIL bytes; S[0] >=
 * 0x80), 0 when the bytes there are not one. */
size_t format_utf8_seq_len(const unsigned char *s, size_t avail);

extern const format_ops_t format_json;
extern const format_ops_t format_leef;
extern const format_ops_t format_cef;
extern const format_ops_t format_raw;

#endif
