/* format_kv.h -- what the key=value formats (LEEF, CEF) share.
 *
 * Two things: the event's summary -- who did it, what, from where, with
 * which outcome: the values a SIEM maps to its own fields -- and the walk
 * over every field of every record under distinct key names:
 *
 *   <TYPE>[.<n>].<field>[_<k>]     SYSCALL.comm, PATH.2.name, EXECVE.a0
 *
 * n (from 2) numbers a record type that repeats in the event (PATH, PATH.2,
 * ...), k (from 2) a field name that repeats in one record. The
 * interpretation of a field follows under its UPPERCASE name (SYSCALL.UID).
 * With enrichment an EXECVE record's arguments are <TYPE>.argv (joined by
 * spaces; the whole command line on the event's first EXECVE record when it
 * spans several) instead of its aN fields: every argument byte once. Key
 * characters other than letters, digits, '_' and '.' become '_', so a key
 * can never carry a delimiter, '=' or a space. Event-level keys without a
 * predefined key are audit.id, audit.node, audit.incomplete (and, for lines
 * that are not audit records, audit.reason, audit.raw).
 *
 * A format supplies its value escaping and its pair separator; everything
 * is appended straight to the output buffer. The only work space is the
 * event's scratch buffer: nothing is allocated per field.
 */
#ifndef AUDITFWD_FORMAT_KV_H
#define AUDITFWD_FORMAT_KV_H

#include "format.h"

/* The version of this key layout, in the LEEF/CEF header: a change of key
 * names or meanings changes it, so a SIEM's mapping can tell. */
#define FORMAT_KV_VENDOR  "Linux"
#define FORMAT_KV_PRODUCT "auditd"
#define FORMAT_KV_VERSION "1.0"

typedef struct kv_out kv_out_t;
typedef struct kv_memo kv_memo_t;
/* append S as a value, escaped for the format */
typedef void (*kv_escape_fn)(const kv_out_t *o, const char *s, size_t len);

struct kv_out {
	buf_t *out;
	kv_escape_fn value;
	char sep;                 /* between pairs */
	char delim;               /* LEEF: the attribute delimiter */
	size_t npairs;
	format_reduce_t *reduce;  /* values are cut as it says (NULL: not) */
	kv_memo_t *memo;          /* the summary's interpretations (NULL: none) */
};

/* A field and the record it is in. */
typedef struct kv_ref {
	const audit_record_t *r;
	const audit_field_t *f;
} kv_ref_t;

/* The values the summary is made of, found once per event. */
typedef enum kv_item {
	KV_USER = 0,    /* the user it is attributed to: auid when set, else acct, else uid */
	KV_ACCOUNT,     /* the account a user-space record names (acct) */
	KV_SRC,         /* addr= of user records; the peer of accept/recv*; NETFILTER saddr */
	KV_SRC_PORT,
	KV_DST,         /* the address of connect, send..., bind; NETFILTER daddr */
	KV_DST_PORT,
	KV_PROTO,       /* NETFILTER_PKT proto */
	KV_RESOURCE,    /* the first PATH name that is not a PARENT */
	KV_POLICY,      /* the audit rule key */
	KV_ACTION,      /* the syscall's name, else op= */
	KV_OUTCOME,     /* "success" | "failure" (success=, res=) */
	KV_EXE,         /* exe= */
	KV_NITEMS
} kv_item_t;

/* The interpretations the summary made (the syscall's name for the
 * EventID, the action and the socket's peer; the user; the address),
 * each made once per event: the summary asks for some of them up to three
 * times, and the event's fields (kv_event_fields, through kv_out_t.memo)
 * once more. By field; a text that does not fit is not kept. */
#define KV_MEMO_MAX  8
#define KV_MEMO_TEXT 512
struct kv_memo {
	/* the facts (enrich_ctx_t) of the record last interpreted, which the
	 * next ctx of that record starts from (NULL: none) */
	const audit_record_t *facts_rec;
	struct enrich_facts facts;
	size_t n, used;
	struct {
		const audit_field_t *f;
		int interpreted;          /* enrich_interpret's answer */
		size_t off, len;          /* its text, else F's decoded value */
	} e[KV_MEMO_MAX];
	char text[KV_MEMO_TEXT];
};

typedef struct kv_summary {
	kv_ref_t ref[KV_NITEMS];  /* where each item comes from (f NULL: none) */
	kv_ref_t auid, uid, syscall, success, res, saddr;
	int sock_peer_is_src;     /* the SOCKADDR is the peer (accept, recv*) */
	int failed;               /* success=no or res=failed */
	kv_memo_t memo;           /* last: kv_summarize clears only its counts */
} kv_summary_t;

/* The entry of F in M, or -1. Inline: every interpretable field of an
 * event asks (kv_memo_interpretation). */
static inline int kv_memo_find(const kv_memo_t *m, const audit_field_t *f)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].f == f)
			return (int)i;
	return -1;
}

/* The text of entry I of M */
static inline audit_view_t kv_memo_text(const kv_memo_t *m, int i)
{
	audit_view_t v;

	v.p = m->text + m->e[i].off;
	v.len = m->e[i].len;
	return v;
}

/* F's interpretation as the summary made it: 1 and its text in *V, 0 when
 * it has none (the field's value stands alone), -1 when the summary did
 * not interpret F. Only for a field whose record has no interpreted
 * counterpart of it (the summary's interpretation looks for one first). */
static inline int kv_memo_interpretation(const kv_memo_t *m, const audit_field_t *f,
                                         audit_view_t *v)
{
	int i = kv_memo_find(m, f);

	if (i < 0)
		return -1;
	if (!m->e[i].interpreted)
		return 0;
	*v = kv_memo_text(m, i);
	return 1;
}

void kv_summarize(const format_event_t *ev, kv_summary_t *s);

/* The text of item IT in *V (valid until the next call on EV's scratch);
 * 0 when the event has none. */
int kv_item(const format_event_t *ev, kv_summary_t *s, kv_item_t it,
            audit_view_t *v);

/* EventID / SignatureID: the first record's type, and for a SYSCALL event
 * ":<syscall name>" (its number when the name is unknown), e.g.
 * "SYSCALL:execve", "USER_LOGIN"; characters other than letters, digits
 * and "_:.[]-" become '_' (never a '|'). */
void kv_event_id(buf_t *out, const format_event_t *ev, kv_summary_t *s);

/* 1..10: the ATT&CK mapping's severity when it gives one; else 8
 * anomalies (ANOM_*), 6 MAC denials (AVC, USER_AVC, SELINUX_ERR), 5
 * failures (success=no, res=failed), else 3. */
int kv_severity(const format_event_t *ev, const kv_summary_t *s);

/* The event's ATT&CK techniques (TACTICS 0) or tactics (1) joined by ','
 * into OUT (SIZE bytes, cut there); its length. EV->attack is not NULL. */
#define KV_ATTACK_TEXT_MAX (ATTACK_TACTIC_MAX * ATTACK_TACTIC_LEN)
size_t kv_attack_text(const format_event_t *ev, int tactics, char *out, size_t size);

/* The process's ancestors, nearest first: ancestry.<n>.pid, .ppid, .exe,
 * .comm, .argv, .uid, .auid (n from 1; what is known). */
void kv_ancestry_pairs(kv_out_t *o, const format_event_t *ev);

/* One pair: separator (from the second pair on), KEY as given (a literal
 * of the format), '=', the escaped value. */
void kv_pair(kv_out_t *o, const char *key, const char *v, size_t len);
/* Separator, KEY, '=': the caller appends a value that needs no escaping. */
void kv_key(kv_out_t *o, const char *key);
void kv_pair_view(kv_out_t *o, const char *key, audit_view_t v);
/* KEY=the record's type name (libaudit's, UNKNOWN[n], else as written) */
void kv_pair_type(kv_out_t *o, const char *key, const audit_record_t *r);
/* The record's type name; TMP (32 bytes) holds it when it is made up. */
audit_view_t kv_type_name(const audit_record_t *r, char *tmp, size_t tmpsize);

/* audit.id, audit.node, audit.incomplete, then every field of every record
 * as described above. */
void kv_event_fields(kv_out_t *o, const format_event_t *ev);

/* The reduction keys, after a separator: audit.reduced (the size before),
 * audit.reduced.values, .bytes, .args, .fields, .records (format.h). */
void kv_reduced_pairs(kv_out_t *o, const format_reduce_t *r);

/* Append a key part with characters other than [A-Za-z0-9_.] as '_'. */
void kv_key_part(buf_t *out, const char *s, size_t len);

#endif
